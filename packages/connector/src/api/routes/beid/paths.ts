/** Every beid route sits under this prefix (t1c-api.md §2.2, §2.3). */
export const BEID_PREFIX = '/v3/modules/beid/apps/token';
