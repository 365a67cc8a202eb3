/**
 * Belgian eID dates. Validity dates are `DD.MM.YYYY`; the birth date is text in the card's
 * language (`01 JAN 1971`, `03 MEI 2001`, `15.MÄR.1980`, or a bare year). The raw text is
 * always kept; the ISO form is added when the text can be read.
 */
const MONTHS: ReadonlyMap<string, number> = new Map([
  ['JAN', 1], ['FEV', 2], ['FEB', 2], ['MARS', 3], ['MAAR', 3], ['MÄR', 3], ['MAR', 3], ['AVR', 4], ['APR', 4],
  ['MAI', 5], ['MEI', 5], ['JUIN', 6], ['JUN', 6], ['JUIL', 7], ['JUL', 7], ['AOUT', 8], ['AOÛT', 8], ['AUG', 8],
  ['SEPT', 9], ['SEP', 9], ['OCT', 10], ['OKT', 10], ['NOV', 11], ['DEC', 12], ['DEZ', 12],
]);

function iso(year: number, month: number, day: number): string | null {
  if (year < 1800 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function parseCardDate(text: string): string | null {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text.trim());
  return m ? iso(Number(m[3]), Number(m[2]), Number(m[1])) : null;
}

/** ISO date (`YYYY-MM-DD`), a year-only `YYYY`, or null when the text cannot be read. */
export function parseBirthDate(text: string): string | null {
  const t = text.trim();
  if (/^\d{4}$/.test(t)) return t;
  const m = /^(\d{1,2})[ .]+([^ .\d]+)[ .]+(\d{4})$/u.exec(t);
  if (!m) return null;
  const month = MONTHS.get((m[2] ?? '').toUpperCase());
  return month === undefined ? null : iso(Number(m[3]), month, Number(m[1]));
}
