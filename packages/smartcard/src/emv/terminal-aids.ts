/**
 * One application the terminal supports (Book 1 §12.3.1): its AID and the Application
 * Selection Indicator, i.e. whether a card DF name that only begins with the AID matches.
 */
export interface TerminalAid {
  /** Upper-case hex, 5 to 16 bytes. */
  readonly aid: string;
  readonly scheme: string;
  /** ASI: true = a DF name that begins with this AID matches (partial name selection). */
  readonly partial: boolean;
}

/**
 * The public AIDs of the major schemes, as scheme and acquirer documentation list them (e.g.
 * ID TECH's "Application selection" knowledge-base table). Used only for a card with neither
 * PSE nor PPSE. Bancontact is not listed: its AID could not be confirmed in public
 * documentation (A0000000048002 is Mastercard's CAP, A0000001211010 is Dankort).
 */
export const TERMINAL_AIDS: readonly TerminalAid[] = [
  { aid: 'A0000000031010', scheme: 'Visa', partial: true },
  { aid: 'A0000000032010', scheme: 'Visa Electron', partial: true },
  { aid: 'A0000000032020', scheme: 'V PAY', partial: true },
  { aid: 'A0000000041010', scheme: 'Mastercard', partial: true },
  { aid: 'A0000000043060', scheme: 'Maestro', partial: true },
  { aid: 'A00000002501', scheme: 'American Express', partial: true },
];
