import { toHex } from '../codec/hex.js';
import { Tag } from './constants.js';

/** One payment application the card lists (Book 1 §12.2.3) or answers SELECT with (Table 45). */
export interface EmvApplication {
  /** Upper-case hex. */
  readonly aid: string;
  readonly label: string;
  readonly preferredName: string | undefined;
  /** Book 1 Table 48, low nibble: 1 is first; undefined when the card gives none. */
  readonly priority: number | undefined;
}

/** An `an`/`ans` data element as text, trailing padding dropped. */
export function latin1Text(bytes: Uint8Array | undefined): string | undefined {
  return bytes ? Buffer.from(bytes).toString('latin1').trim() : undefined;
}

/** The application named `aid`, with label, preferred name and priority from a directory entry or an FCI's A5. */
export function applicationFrom(aid: Uint8Array, fields: ReadonlyMap<number, Uint8Array>): EmvApplication {
  const priority = fields.get(Tag.priority)?.[0];
  return {
    aid: toHex(aid),
    label: latin1Text(fields.get(Tag.label)) ?? '',
    preferredName: latin1Text(fields.get(Tag.preferredName)),
    priority: priority === undefined || (priority & 0x0f) === 0 ? undefined : priority & 0x0f,
  };
}

/** Book 1 §12.4: lowest priority number first; applications without one go last, in the order found. */
export function byPriority(apps: readonly EmvApplication[]): EmvApplication[] {
  return apps.map((app, order) => ({ app, order }))
    .sort((a, b) => (a.app.priority ?? 16) - (b.app.priority ?? 16) || a.order - b.order)
    .map((x) => x.app);
}
