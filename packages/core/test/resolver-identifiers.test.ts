import fc from 'fast-check';
import type { Patient } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { ResourceIndex } from '../src/fhir/internal/resolver.js';

// FHIR R4 Identifier: system and value are separate strings; any character may appear in a value read from input.
describe('ResourceIndex identifier lookups', () => {
  it('finds a resource only by its own (system, value) pair, whatever characters they hold', () => {
    const part = fc.string({ unit: fc.constantFrom('a', '|', '"', ','), minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(part, part), { minLength: 1, maxLength: 6, selector: ([s, v]) => JSON.stringify([s, v]) }),
        fc.array(fc.tuple(part, part), { maxLength: 6 }),
        (pairs, queries) => {
          const patients: Patient[] = pairs.map(([system, value], i) => ({ resourceType: 'Patient', id: `p${i}`, identifier: [{ system, value }] }));
          const index = new ResourceIndex(patients);
          for (const [system, value] of [...pairs, ...queries]) {
            const i = pairs.findIndex(([s, v]) => s === system && v === value);
            expect(index.byIdentifier('Patient', system, value)?.id).toBe(i < 0 ? undefined : `p${i}`);
          }
        },
      ),
      { seed: 1, numRuns: 300 },
    );
  });

  it('does not let (x|y, z) find the resource of (x, y|z)', () => {
    const one: Patient = { resourceType: 'Patient', id: 'one', identifier: [{ system: 'urn:x', value: 'y|z' }] };
    const index = new ResourceIndex([one]);
    expect(index.byIdentifier('Patient', 'urn:x|y', 'z')).toBeUndefined();
    expect(index.byIdentifier('Patient', 'urn:x', 'y|z')?.id).toBe('one');
  });
});
