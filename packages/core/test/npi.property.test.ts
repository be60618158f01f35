// NPI check digit, as CMS specifies it: the Luhn formula over the prefix 80840 followed by the first nine digits.
// https://www.cms.gov/Regulations-and-Guidance/Administrative-Simplification/NationalProvIdentStand/Downloads/NPIcheckdigit.pdf
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidNpi, Npi, npiCheckDigit } from '../src/index.js';

const nineDigits = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }).map((d) => d.join(''));

/** The Luhn check digit of a digit string, straight from the textbook algorithm (no precomputed prefix). */
function luhnCheckDigit(payload: string): number {
  const sum = [...payload]
    .reverse()
    .map(Number)
    .reduce((acc, d, i) => acc + (i % 2 === 0 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
  return (10 - (sum % 10)) % 10;
}

describe('NPI check digit', () => {
  it("gives CMS's worked example: 123456789 -> 3", () => {
    expect(npiCheckDigit('123456789')).toBe(3);
    expect(isValidNpi('1234567893')).toBe(true);
  });

  it('is the Luhn check digit of 80840 followed by the nine digits, for every nine digits', () => {
    fc.assert(fc.property(nineDigits, (nine) => npiCheckDigit(nine) === luhnCheckDigit(`80840${nine}`)), { numRuns: 1000 });
  });

  it('makes a valid NPI, and any one changed digit makes it invalid (the schema agrees)', () => {
    fc.assert(
      fc.property(nineDigits, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (nine, at, delta) => {
        const npi = `${nine}${npiCheckDigit(nine)}`;
        const changed = npi.slice(0, at) + String((Number(npi[at]) + delta) % 10) + npi.slice(at + 1);
        return isValidNpi(npi) && Npi.safeParse(npi).success && !isValidNpi(changed) && !Npi.safeParse(changed).success;
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses anything but nine digits', () => {
    for (const bad of ['12345678', '1234567890', '12345678a', '']) expect(() => npiCheckDigit(bad)).toThrow(RangeError);
  });
});
