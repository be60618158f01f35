// flatString (src/internal/peer-lookup.ts) copies a string kept for a long run into a flat string of its own; the copy
// must be the same string for any input, including lone surrogates and the concatenations and slices it is used on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flatString, typeIdOf } from '../src/internal/peer-lookup.js';

describe('flatString', () => {
  it('is the identity on the value of any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(flatString(a)).toBe(a);
        expect(flatString(`${a}/${b}`)).toBe(`${a}/${b}`);
        expect(flatString((a + b).slice(1))).toBe((a + b).slice(1));
      }),
      { seed: 18, numRuns: 500 },
    );
  });

  it('keeps a reference cut from a longer one', () => {
    const ref = typeIdOf('http://example.org/fhir/Encounter/0d9c2a34-7b1e-4c55-9a0e-3f1d2b6c8e71/_history/2');
    expect(flatString(ref ?? '')).toBe('Encounter/0d9c2a34-7b1e-4c55-9a0e-3f1d2b6c8e71');
  });
});
