export { startApi, type StartApiOptions, type RunningApi } from './api/start.js';
export { buildApp } from './api/app.js';
export { CATALOGUE, SANDBOX_ERRORS, T1CError } from './api/errors.js';
export type { Settings } from './config/settings.js';
export { runProduct, type ProductOptions, type RunningProduct } from './start/run-product.js';
