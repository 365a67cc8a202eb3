import type { z } from 'zod';
import { BEID_OPS } from './beid.js';
import { PKCS11_OPS } from './pkcs11.js';
import { CORE_OPS } from './core.js';
import { EMV_OPS } from './emv.js';
import { REMOTELOADING_OPS } from './remoteloading.js';
import type { CardModuleName } from './modules.js';
import type { OpSpec } from './op.js';

/**
 * Every op the sandbox answers, by module: the one table both ends read. Adding a card module
 * adds its name to modules.ts and its ops file here.
 */
export const CONTRACT = {
  core: CORE_OPS,
  beid: BEID_OPS,
  emv: EMV_OPS,
  pkcs11: PKCS11_OPS,
  remoteloading: REMOTELOADING_OPS,
} as const satisfies Record<'core' | CardModuleName, Record<string, OpSpec>>;

export type ModuleName = keyof typeof CONTRACT;
export type OpName<M extends ModuleName> = keyof (typeof CONTRACT)[M] & string;
type SpecOf<M extends ModuleName, O extends OpName<M>> = (typeof CONTRACT)[M][O] extends OpSpec<infer A, infer R, infer K> ? { args: A; result: R; reader: K } : never;
export type OpArgs<M extends ModuleName, O extends OpName<M>> = z.infer<SpecOf<M, O>['args']>;
export type OpResult<M extends ModuleName, O extends OpName<M>> = z.infer<SpecOf<M, O>['result']>;
export type OpTargetOf<M extends ModuleName, O extends OpName<M>> = SpecOf<M, O>['reader'];

/** The spec for a module and op named at run time; undefined for names the contract lacks. */
export function lookupOp(module: string, op: string): { spec: OpSpec } | { missing: 'module' | 'op' } {
  if (!Object.hasOwn(CONTRACT, module)) return { missing: 'module' };
  const ops: Readonly<Record<string, OpSpec>> = CONTRACT[module as ModuleName];
  const spec = Object.hasOwn(ops, op) ? ops[op] : undefined;
  return spec ? { spec } : { missing: 'op' };
}
