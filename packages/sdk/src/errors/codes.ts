import type { T1cErrorKind } from './kinds.js';

/**
 * Six-digit T1C codes (`OTTDDD`, t1c-api.md §3) → error kind. The connector's own catalogue
 * (packages/connector/src/api/errors.ts) and the codes the official SDK documents are both
 * here, so the page gets the same kind from our connector and from Trust1Connector.
 */
export const CONNECTOR_CODES: Readonly<Record<string, T1cErrorKind>> = {
  '000000': 'unknown',
  '104001': 'origin-not-allowed',
  '104002': 'rate-limited',
  '104010': 'pin-encryption-failed',
  '104011': 'pin-encryption-failed',
  // Replayed or out-of-window encrypted PIN: the page encrypts it again (a fresh ciphertext).
  '104012': 'pin-encryption-failed',
  '104013': 'pin-encryption-failed',
  '104025': 'unauthorized',
  '104030': 'host-not-served',
  // /ds/transactions without a JWT: there is no application to show counters for.
  '104031': 'unauthorized',
  '104032': 'other-os-user',
  // A PKCS#11 library path the connector's allow-list refuses: the page (or admin) chose it.
  '105010': 'invalid-input',
  // A remote loading session opened by another application.
  '104035': 'unauthorized',
  '106001': 'invalid-input',
  '106002': 'invalid-input',
  '106003': 'invalid-input',
  '106004': 'invalid-input',
  '106005': 'invalid-input',
  '106006': 'pin-encryption-failed',
  '106007': 'invalid-input',
  '106008': 'invalid-input',
  '106009': 'invalid-input',
  // Remote loading sessions: unknown, closed or timed out, on another reader, too many.
  '107001': 'not-found',
  '107002': 'not-found',
  '107003': 'invalid-input',
  '107004': 'rate-limited',
  '108001': 'pin-required',
  '108002': 'invalid-input',
  '108003': 'pin-incorrect',
  '108004': 'pin-blocked',
  '108005': 'pin-cancelled',
  '108006': 'timeout',
  '108007': 'unsupported',
  // No card module, or no operation, of that name in this connector.
  '111001': 'unsupported',
  '111004': 'unsupported',
  // The configured PKCS#11 library is not installed or not a PKCS#11 library.
  '111010': 'service-unavailable',
  '112001': 'internal',
  '112002': 'service-unavailable',
  '112003': 'timeout',
  '112010': 'version-not-allowed',
  '112011': 'unsupported',
  '112012': 'service-unavailable',
  '112013': 'connector-not-configured',
  '112020': 'no-agent',
  '112021': 'service-unavailable',
  '112999': 'internal',
  '302001': 'not-found',
  '302002': 'not-found',
  // EMV: no CA public key for the card's RID and index, or only an expired one (recover=true).
  '302003': 'not-found',
  '302004': 'not-found',
  // EMV: the certificate does not recover with its signer's key.
  '302005': 'card-error',
  '302102': 'not-found',
  '602001': 'unsupported-card',
  '602002': 'card-error',
  '602003': 'card-error',
  '602004': 'card-error',
  '701001': 'no-reader',
  '701002': 'no-reader',
  '701003': 'no-reader',
  '701004': 'reader-busy',
  '701005': 'timeout',
  '701006': 'unsupported',
  '702001': 'no-card',
  '702002': 'card-removed',
  '702003': 'card-error',
  '712001': 'service-unavailable',
  '713001': 'service-unavailable',
  '814500': 'consent-required',
  '814501': 'consent-required',
  '904300': 'signature-mismatch',
};

/**
 * Codes for failures the SDK detects itself. The leading 9 marks them as page-side, as the
 * official SDK's 904300 does; none of them is ever sent by a connector.
 */
export const SDK_CODES = {
  'connector-not-running': '901001',
  'permission-denied': '901002',
  timeout: '901003',
  aborted: '901004',
  'invalid-response': '901005',
  'pin-encryption-failed': '901006',
  'origin-not-allowed': '901007',
  unauthorized: '104025',
  'signature-mismatch': '904300',
  'not-found': '112999',
  internal: '112999',
  // Shared hosts: the same codes a Registry sends, so pages branch on one kind either way.
  'no-agent': '112020',
  'consent-required': '814501',
} as const satisfies Partial<Record<T1cErrorKind, string>>;

export type SdkErrorKind = keyof typeof SDK_CODES;

/** The kind for a connector code; codes we do not know yet are 'unknown', never dropped. */
export function kindOfCode(code: string): T1cErrorKind {
  return Object.hasOwn(CONNECTOR_CODES, code) ? (CONNECTOR_CODES[code] ?? 'unknown') : 'unknown';
}
