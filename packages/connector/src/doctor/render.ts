import type { CheckId, CheckStatus } from './types.js';
import type { DoctorReport } from './run.js';

const MARK: Record<CheckStatus, string> = { ok: '✔', fail: '✖', warn: '!', info: 'i' };
const TITLE: Record<CheckId, string> = {
  connector: 'Connector', name: 'Name', dnssec: 'DNSSEC', proxy: 'Proxy', certificate: 'Certificate', cards: 'Cards', ds: 'Distribution Service', browser: 'Browser',
};
const WIDTH = Math.max(...Object.values(TITLE).map((t) => t.length));

/** The human report: one line per check, then its facts, the fix in words and the command. */
export function renderReport(report: DoctorReport): string {
  const lines = [`t1c doctor: ${report.connectorUrl} (configuration: ${report.configFile}${report.configFound ? '' : ', absent: defaults'})`, ''];
  for (const r of report.results) {
    lines.push(`${MARK[r.status]} ${TITLE[r.id].padEnd(WIDTH)}  ${r.summary}`);
    const indent = ' '.repeat(WIDTH + 4);
    for (const d of r.details ?? []) lines.push(`${indent}${d}`);
    if (r.fix) lines.push(`${indent}Fix: ${r.fix}`);
    for (const [label, text] of [['Run: ', r.command], ['Set: ', r.setting]] as const) {
      for (const [i, c] of (text ?? '').split('\n').filter((s) => s.length > 0).entries()) lines.push(`${indent}${i === 0 ? label : '     '}${c}`);
    }
  }
  const failed = report.results.filter((r) => r.status === 'fail').length;
  const warned = report.results.filter((r) => r.status === 'warn').length;
  lines.push('', failed === 0 ? `Nothing is broken${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}.` : `${failed} problem${failed === 1 ? '' : 's'} found${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}.`);
  return `${lines.join('\n')}\n`;
}

/** `--json`: the same facts as data for support tools. */
export function reportJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
