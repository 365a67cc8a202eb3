/** One exchange with the card (t1c-api.md §2.9): hex command sent, hex status word, hex data returned if any. */
export interface RemoteCommandResult {
  readonly sw: string;
  readonly tx: string;
  readonly rx?: string;
}

/** An APDU by its fields, each hex: one byte for `cla`/`ins`/`p1`/`p2`, one or two for `le`. */
export interface RemoteApdu {
  readonly cla: string;
  readonly ins: string;
  readonly p1: string;
  readonly p2: string;
  readonly data?: string;
  readonly le?: string;
}

export type CcidFeature = 'VERIFY_PIN_DIRECT' | 'MODIFY_PIN_DIRECT' | 'GET_TLV_PROPERTIES';
