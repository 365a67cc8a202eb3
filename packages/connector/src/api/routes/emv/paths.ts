/** Every emv route sits under this prefix; the AID, when there is one, comes before /readers (t1c-api.md §2.7). */
export const EMV_PREFIX = '/v3/modules/emv/apps/payment';
