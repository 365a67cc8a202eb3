/**
 * The header the page sends on every call to its backend, and the backend requires. Not a
 * secret: a custom header makes a cross-origin request "non-simple", so the browser must ask
 * first (preflight), and the backend never says yes.
 */
export const PAGE_HEADER = { name: 'x-requested-with', value: 't1c-demo' } as const;
