import { describe, expect, it } from 'vitest';
import type { Encounter } from 'fhir/r4.js';
import { validationProblems } from './validators.js';

describe('independent validators', () => {
  it('accept a minimal valid Encounter', () => {
    const enc: Encounter = {
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    };
    expect(validationProblems(enc)).toEqual([]);
  });

  it('reject a bad status code, a missing class and an unknown property', () => {
    const bad = { resourceType: 'Encounter', status: 'bogus', foo: 1 } as unknown as Encounter;
    const problems = validationProblems(bad);
    expect(problems.some((p) => p.includes('fhir:') && p.includes('bogus'))).toBe(true);
    expect(problems.some((p) => p.startsWith('Encounter medplum:'))).toBe(true);
  });
});
