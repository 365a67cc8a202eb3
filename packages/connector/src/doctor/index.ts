export { buildDoctorContext, type DoctorOptions } from './context.js';
export { runDoctor, CHECKS, type DoctorReport } from './run.js';
export { renderReport, reportJson } from './render.js';
export type { CheckResult, CheckStatus, CheckId, DoctorContext } from './types.js';
