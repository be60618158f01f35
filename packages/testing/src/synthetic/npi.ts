import { npiCheckDigit } from '@peer-fhir/core';
import type { Random } from './random.js';

// One home for the NPI check digit (core); re-exported here because synthetic-data users import it from testing.
export { npiCheckDigit };

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
