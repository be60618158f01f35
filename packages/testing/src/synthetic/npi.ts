import type { Random } from './random.js';

/**
 * The NPI check digit for nine leading digits: Luhn over the `80840` prefix plus the nine digits.
 *
 * @see https://www.cms.gov/Regulations-and-Guidance/Administrative-Simplification/NationalProvIdentStand/Downloads/NPIcheckdigit.pdf
 * @example
 * ```ts
 * npiCheckDigit('123456789'); // 3, so 1234567893 is a valid NPI
 * ```
 * @category Synthetic data
 */
export function npiCheckDigit(nineDigits: string): number {
  if (!/^\d{9}$/.test(nineDigits)) throw new RangeError('an NPI check digit needs exactly nine digits');
  // 24 is the Luhn contribution of the 80840 prefix.
  let sum = 24;
  for (let i = 8; i >= 0; i--) {
    let d = nineDigits.charCodeAt(i) - 48;
    if ((8 - i) % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Mints distinct random NPIs with valid check digits. Type 1 (people) and type 2 (organisations) both start with 1 or 2.
 *
 * @example
 * ```ts
 * const npis = new NpiMinter(new Random(1));
 * isValidNpi(npis.next()); // true
 * ```
 * @category Synthetic data
 */
export class NpiMinter {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Random) {}

  /** A fresh NPI not returned before by this minter. */
  next(): string {
    for (;;) {
      const nine = String(this.rng.int(1, 2)) + this.rng.digits(8);
      const npi = nine + String(npiCheckDigit(nine));
      if (!this.used.has(npi)) {
        this.used.add(npi);
        return npi;
      }
    }
  }
}
