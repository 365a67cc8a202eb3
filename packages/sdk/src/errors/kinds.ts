/**
 * Every way an SDK call can fail, as a closed set of stable strings. Pages branch on these,
 * so a kind is never renamed or reused; new failures get new kinds.
 */
export const ERROR_KINDS = [
  // Reaching the connector (decided in the page, not by the connector).
  'connector-not-running',
  'permission-denied',
  'timeout',
  'aborted',
  'invalid-response',
  'signature-mismatch',
  // Access.
  'unauthorized',
  'origin-not-allowed',
  // The connector does not serve the host name the page used (its DNS-rebinding guard): a set-up fault.
  'host-not-served',
  'consent-required',
  // The connector on this port runs for another OS user of this computer (shared hosts).
  'other-os-user',
  // A Registry runs, but no connector of this OS user is registered with it.
  'no-agent',
  'rate-limited',
  // Readers and cards.
  'no-reader',
  'reader-busy',
  'no-card',
  'card-removed',
  'card-error',
  'unsupported-card',
  'not-found',
  // PIN.
  'pin-required',
  'pin-incorrect',
  'pin-blocked',
  'pin-cancelled',
  'pin-encryption-failed',
  // Everything else.
  'invalid-input',
  'unsupported',
  'service-unavailable',
  // The Distribution Service's version policy: this connector must be updated first.
  'version-not-allowed',
  // The connector runs but has no Distribution Service or JWT key yet (a fresh install).
  'connector-not-configured',
  'internal',
  'unknown',
] as const;

export type T1cErrorKind = (typeof ERROR_KINDS)[number];
