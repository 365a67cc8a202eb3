/** A PAN for logs and messages: every digit but the last four replaced by `*`. */
export function maskPan(pan: string): string {
  const digits = pan.replace(/[^0-9]/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return '*'.repeat(digits.length - 4) + digits.slice(-4);
}

/**
 * Masks every run of 12 to 19 digits in free text (an error message, a hex dump of a record),
 * since a PAN can hide in either. Hex dumps of track 2 put the PAN before a `D` separator.
 */
export function maskPans(text: string): string {
  return text.replace(/\d{12,19}/g, (run) => maskPan(run));
}
