import { describe, expect, it } from 'vitest';
import type { Encounter } from 'fhir/r4.js';
import { recordKeys, toFhir } from '../src/index.js';
import { individualEncounter } from './fixtures.js';

describe('mapping a record whose references are already on the server', () => {
  it('references existing resources literally and writes only the new ones', () => {
    const keys = recordKeys({ agency: '1234567893' });
    const onServer = new Map([
      [JSON.stringify(keys.participant('p-1')), 'Patient/17'],
      [JSON.stringify(keys.specialistRole('1245319599', '1234567893')), 'PractitionerRole/4'],
      [JSON.stringify(keys.organization('1234567893')), 'Organization/2'],
      [JSON.stringify(keys.practitioner('1003000126')), 'Practitioner/9'],
    ]);
    const bundle = toFhir({ encounters: [individualEncounter()] }, { existing: (k) => onServer.get(JSON.stringify(k)) });
    const types = bundle.entry!.map((e) => e.resource!.resourceType);
    expect(types.sort()).toEqual(['Condition', 'Condition', 'DocumentReference', 'Encounter']);
    const enc = bundle.entry!.find((e) => e.resource!.resourceType === 'Encounter')!.resource as Encounter;
    expect(enc.subject?.reference).toBe('Patient/17');
    expect(enc.participant?.map((p) => p.individual?.reference)).toEqual(['PractitionerRole/4', 'Practitioner/9']);
    expect(enc.serviceProvider?.reference).toBe('Organization/2');
  });

  it('still reports a participant that is neither in the input nor on the server', () => {
    expect(() => toFhir({ encounters: [individualEncounter()] }, { existing: () => undefined })).toThrow(/participant is not in the input/);
  });
});
