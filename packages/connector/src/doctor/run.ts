import { browserCheck } from './checks/browser.js';
import { cardsCheck } from './checks/cards.js';
import { certificateCheck } from './checks/certificate.js';
import { connectorCheck } from './checks/connector.js';
import { dnssecCheck } from './checks/dnssec.js';
import { dsCheck } from './checks/ds.js';
import { nameCheck } from './checks/name.js';
import { proxyCheck } from './checks/proxy.js';
import type { Check, CheckId, CheckResult, DoctorContext } from './types.js';

/** The checks in the order a help desk reads them: is it there, can the page find it, can it trust it. */
export const CHECKS: readonly { readonly id: CheckId; readonly run: Check }[] = [
  { id: 'connector', run: connectorCheck },
  { id: 'name', run: nameCheck },
  { id: 'dnssec', run: dnssecCheck },
  { id: 'proxy', run: proxyCheck },
  { id: 'certificate', run: certificateCheck },
  { id: 'cards', run: cardsCheck },
  { id: 'ds', run: dsCheck },
  { id: 'browser', run: browserCheck },
];

export interface DoctorReport {
  readonly connectorUrl: string;
  readonly configFile: string;
  readonly configFound: boolean;
  readonly results: readonly CheckResult[];
  /** True when no check failed: the exit code is 0 exactly then. */
  readonly healthy: boolean;
}

/** Runs every check; a check that throws is reported as failed with its error, never stops the others. */
export async function runDoctor(ctx: DoctorContext): Promise<DoctorReport> {
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    try {
      results.push(await check.run(ctx));
    } catch (error) {
      results.push({ id: check.id, status: 'fail', summary: `the check itself failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  const scheme = ctx.settings.transport === 'http' ? 'http' : 'https';
  return {
    connectorUrl: `${scheme}://${ctx.hostname ?? '127.0.0.1'}:${ctx.port}`, configFile: ctx.configFile, configFound: ctx.configFound, results,
    healthy: results.every((r) => r.status !== 'fail'),
  };
}
