import type { z } from 'zod';
import { DsError } from '../errors.js';

/** Boundary validation: any mismatch becomes a 400 naming the first offending field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? what : `${what}.${issue.path.map(String).join('.')}`;
  throw new DsError('invalidInput', `invalid ${where}: ${issue?.message ?? 'malformed'}`);
}
