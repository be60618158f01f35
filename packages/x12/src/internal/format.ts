/** Value formatting shared by the 837P writer and the 835 generator. */

/** Dollars (FHIR decimal) -> integer cents; `undefined` when not a finite number. */
export function toCents(value: number | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return Math.round(value * 100);
}

/** Cents -> dollars as a JS number (for FHIR Money.value). */
export function centsToDollars(cents: number): number {
  return cents / 100;
}

/**
 * X12 `R` (decimal) money: no trailing zeros, no trailing point (6000 -> `60`, 1197 -> `11.97`, 1150 -> `11.5`).
 */
export function formatMoney(cents: number): string {
  const negative = cents < 0;
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  let out = String(whole);
  if (frac !== 0) out += '.' + String(frac).padStart(2, '0').replace(/0$/, '');
  return negative ? '-' + out : out;
}

/** X12 `R` quantity: up to 3 decimals, trailing zeros dropped. */
export function formatQuantity(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** Parse an X12 decimal element to cents (`''` -> 0). */
export function parseMoneyCents(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  const n = Number(text);
  return Number.isFinite(n) ? Math.round(n * 100) : 0;
}

/** Date -> CCYYMMDD (UTC). */
export function ccyymmdd(date: Date): string {
  return (
    String(date.getUTCFullYear()).padStart(4, '0') +
    String(date.getUTCMonth() + 1).padStart(2, '0') +
    String(date.getUTCDate()).padStart(2, '0')
  );
}

/** Date -> HHMM (UTC). */
export function hhmm(date: Date): string {
  return String(date.getUTCHours()).padStart(2, '0') + String(date.getUTCMinutes()).padStart(2, '0');
}

/** FHIR date / dateTime (`YYYY-MM-DD...`) -> CCYYMMDD, or undefined when not a full date. */
export function fhirDateToD8(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return m ? `${m[1]}${m[2]}${m[3]}` : undefined;
}

/** CCYYMMDD -> FHIR date `YYYY-MM-DD`. */
export function d8ToFhirDate(value: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/**
 * Element content must not contain a delimiter, control or non-ASCII characters; names are uppercased.
 * Accents are dropped, other offending characters become a space, runs of spaces collapse.
 */
const UNSAFE = /[*~:^]|[^\x20-\x7e]|\s\s|^\s|\s$/;

/**
 * Letters Unicode does not decompose into a base letter + accent (so NFD alone would drop them): written as the
 * letters a reader expects. Names only — identifiers are never rewritten.
 */
const TRANSLITERATION: Readonly<Record<string, string>> = {
  ß: 'ss', ẞ: 'SS', Ł: 'L', ł: 'l', Ø: 'O', ø: 'o', Æ: 'AE', æ: 'ae', Œ: 'OE', œ: 'oe', Đ: 'D', đ: 'd', Ð: 'D', ð: 'd', Þ: 'TH', þ: 'th', ı: 'i', Ħ: 'H', ħ: 'h',
};
const TRANSLITERABLE = new RegExp(`[${Object.keys(TRANSLITERATION).join('')}]`, 'g');

export function clean(value: string, maxLength?: number, upper = true): string {
  // fast path: most values need no rewriting
  let v = UNSAFE.test(value)
    ? value
        .replace(TRANSLITERABLE, (ch) => TRANSLITERATION[ch] ?? ch) // Łódź -> Lodz, Strauß -> Strauss
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '') // José -> Jose
        .replace(/[*~:^]|[^\x20-\x7e]/g, ' ') // delimiters, control and non-ASCII characters
        .replace(/ +/g, ' ')
        .trim()
    : value;
  if (upper) v = v.toUpperCase();
  if (maxLength !== undefined && v.length > maxLength) v = v.slice(0, maxLength).trimEnd();
  return v;
}
