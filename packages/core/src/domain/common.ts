import * as z from 'zod';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * True when a 10-digit NPI has a valid Luhn check digit (computed over the 80840 prefix + first 9 digits).
 *
 * @param npi - the NPI to check
 * @returns whether it is 10 digits with a valid check digit
 * @see https://www.cms.gov/Regulations-and-Guidance/Administrative-Simplification/NationalProvIdentStand/Downloads/NPIcheckdigit.pdf
 * @example
 * ```ts
 * isValidNpi('1234567893'); // true
 * isValidNpi('1234567890'); // false
 * ```
 * @category Validation
 */
export function isValidNpi(npi: string): boolean {
  return /^\d{10}$/.test(npi) && npiCheckDigitOk(npi);
}

/**
 * isValidNpi for a value known to be a string, without the regex: the schema below has already run the same format
 * check, and this runs for three NPIs of every encounter. Same answer as isValidNpi for every string.
 */
function npiCheckDigitOk(npi: string): boolean {
  if (npi.length !== 10) return false;
  for (let i = 0; i < 10; i++) if (!isDigit(npi.charCodeAt(i))) return false;
  return luhnOf80840(npi) === npi.charCodeAt(9) - 48;
}

/**
 * The NPI check digit of the first nine characters of `digits` (known to be digits): the Luhn check digit over the
 * card-issuer prefix `80840` followed by the nine digits (CMS, "Requirements for NPI check digit").
 */
function luhnOf80840(digits: string): number {
  // 24 is the Luhn contribution of the prefix 80840; from the rightmost of the nine digits, every other one doubles.
  let sum = 24;
  for (let i = 8; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if ((8 - i) % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * The NPI check digit for nine leading digits: the Luhn check digit over the prefix `80840` plus the nine digits.
 *
 * @param nineDigits - the first nine digits of an NPI
 * @returns the tenth digit that makes the NPI valid, 0-9
 * @throws RangeError when `nineDigits` is not exactly nine digits
 * @see https://www.cms.gov/Regulations-and-Guidance/Administrative-Simplification/NationalProvIdentStand/Downloads/NPIcheckdigit.pdf
 * @example
 * ```ts
 * npiCheckDigit('123456789'); // 3, so 1234567893 is a valid NPI
 * ```
 * @category Validation
 */
export function npiCheckDigit(nineDigits: string): number {
  if (!/^\d{9}$/.test(nineDigits)) throw new RangeError('an NPI check digit needs exactly nine digits');
  return luhnOf80840(nineDigits);
}

/** A National Provider Identifier with a valid check digit. @category Domain */
export const Npi = z
  .string()
  .regex(/^\d{10}$/, { message: 'must be 10 digits' })
  .refine(npiCheckDigitOk, { message: 'NPI check digit is invalid' });

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * False for a date-shaped string (`YYYY-MM-DD` prefix) that names no calendar day. Runs on every date of every record,
 * so it reads the digits and checks the day of the month arithmetically (proleptic Gregorian). Years 0001-9999 are
 * days; year 0000 is not (the FHIR R4 date regex excludes it: https://hl7.org/fhir/R4/datatypes.html#date).
 */
const isRealDate = (s: string): boolean => {
  // A string that is not date-shaped is reported by the format check alone.
  if (s.length < 10) return true;
  for (let i = 0; i < 10; i++) {
    const c = s.charCodeAt(i);
    if (i === 4 || i === 7 ? c !== 45 : !isDigit(c)) return true;
  }
  const digit = (i: number) => s.charCodeAt(i) - 48;
  const y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const m = digit(5) * 10 + digit(6);
  const d = digit(8) * 10 + digit(9);
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
};

/** A calendar date `YYYY-MM-DD` (FHIR `date` at day precision). @category Domain */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' })
  .refine(isRealDate, { message: 'is not a real calendar date' });

/** A timestamp with seconds and a UTC offset (FHIR `dateTime`/`instant`), e.g. `2025-01-14T10:00:00-05:00`. @category Domain */
export const IsoDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/, {
    message: 'must be a timestamp YYYY-MM-DDThh:mm:ss with Z or an offset',
  })
  .refine(isRealDate, { message: 'is not a real calendar date' });

/** A person's name. @category Domain */
export const PersonName = z.object({
  family: z.string().trim().min(1),
  given: z.array(z.string().trim().min(1)).min(1),
  prefix: z.array(z.string().trim().min(1)).optional(),
  suffix: z.array(z.string().trim().min(1)).optional(),
});
export type PersonName = z.infer<typeof PersonName>;

/** A US postal address. @category Domain */
export const Address = z.object({
  line: z.array(z.string().trim().min(1)).min(1).max(4),
  city: z.string().trim().min(1),
  state: z.string().regex(/^[A-Z]{2}$/, { message: 'must be a two-letter state code' }),
  postalCode: z.string().regex(/^\d{5}(-?\d{4})?$/, { message: 'must be a 5- or 9-digit ZIP code' }),
});
export type Address = z.infer<typeof Address>;

/** A period with a start date and an optional end date (`YYYY-MM-DD`). @category Domain */
export const DatePeriod = z
  .object({ start: IsoDate, end: IsoDate.optional() })
  .refine((p) => p.end === undefined || p.end >= p.start, { message: 'end is before start', path: ['end'] });
export type DatePeriod = z.infer<typeof DatePeriod>;

/** A US phone number as people write it (digits, spaces, `+`, `-`, `.`, parentheses, an `x` extension). @category Domain */
export const PhoneNumber = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ().-]{7,20}( ?(x|ext\.?) ?[0-9]{1,6})?$/, { message: 'must be a phone number' });

/** An e-mail address. @category Domain */
export const EmailAddress = z.string().trim().max(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: 'must be an e-mail address' });

/** A BCP-47 language tag such as `en`, `es` or `zh-Hant` (US Core `Patient.communication.language`). @category Domain */
export const LanguageTag = z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, { message: 'must be a BCP-47 language tag such as en or es' });

/** Administrative gender (FHIR administrative-gender). @category Domain */
export const Gender = z.enum(['male', 'female', 'other', 'unknown']);
export type Gender = z.infer<typeof Gender>;

/** A two-letter US state or territory code. @category Domain */
export const StateCode = z.string().regex(/^[A-Z]{2}$/, { message: 'must be a two-letter state code' });

/** An ICD-10-CM code with its dot, e.g. `F11.20`. @category Domain */
export const Icd10CmCode = z
  .string()
  .regex(/^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/, { message: 'must be an ICD-10-CM code such as F11.20' });

/** A two-digit CMS place-of-service code. @category Domain */
export const PlaceOfServiceCode = z.string().regex(/^\d{2}$/, { message: 'must be a two-digit place-of-service code' });

/** A record identifier from the source system (EHR). Not PHI by itself, but never shown with other values. @category Domain */
export const RecordId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9\-.]+$/, { message: 'may hold only letters, digits, "-" and "."' });

/** Keys of a `code -> display` table as a zod enum. @internal */
export function enumOf<T extends Record<string, unknown>>(table: T) {
  return z.enum(Object.keys(table) as [keyof T & string, ...(keyof T & string)[]]);
}
