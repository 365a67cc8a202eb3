/** Every pkcs11 route sits under this prefix (t1c-api.md §2.6). */
export const PKCS11_PREFIX = '/v3/modules/pkcs11/apps/token';
export const TAGS = ['pkcs11'];
