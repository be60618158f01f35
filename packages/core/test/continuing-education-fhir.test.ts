import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validationProblems } from '../../../test/support/validators.js';
import { formatProblems, profileProblems } from '../../../test/support/profile-validator.js';
import { FhirMappingError, PeerFhirValidationError } from '../src/index.js';
import { ContinuingEducation, continuingEducationFromFhir, continuingEducationToFhir, WorkforceExtensions, WorkforceProfiles, WorkforceSystems } from '../src/workforce/index.js';
import { npi } from './arbitraries.js';

const AGENCY = '1234567893';
const NS = 'https://ehr.example.org/ids';
const text = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s.length > 0);
const day = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

/** Any valid CE record (core's schema decides what is valid). */
const ceRecord: fc.Arbitrary<ContinuingEducation> = fc
  .record({
    id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,20}$/),
    peerNpi: npi,
    date: day,
    hours: fc.integer({ min: 1, max: 800 }).map((q) => q / 4),
    topic: text,
    credentialNumber: fc.option(text, { nil: undefined }),
    provider: fc.option(text, { nil: undefined }),
  })
  .map((r) => ContinuingEducation.parse(Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))));

describe('ContinuingEducation as FHIR (Basic, profile peer-continuing-education)', () => {
  it('is a Basic coded workforce-activity#continuing-education about the peer (Practitioner by NPI), dated by created, authored by the agency', () => {
    const basic = continuingEducationToFhir({ id: 'ce-1', peerNpi: '1245319599', date: '2025-05-10', hours: 6, topic: 'Ethics', provider: 'State academy', credentialNumber: 'NC-1' }, { agency: AGENCY, namespace: NS });
    expect(basic.meta?.profile).toEqual([WorkforceProfiles.ContinuingEducation]);
    expect(basic.code.coding).toEqual([expect.objectContaining({ system: WorkforceSystems.ACTIVITY, code: 'continuing-education' })]);
    expect(basic.subject).toEqual({ type: 'Practitioner', identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1245319599' } });
    expect(basic.author?.identifier?.value).toBe(AGENCY);
    expect(basic.created).toBe('2025-05-10');
    // UCUM hours: https://ucum.org/ucum#section-Base-Units (h)
    expect(basic.extension?.find((e) => e.url === WorkforceExtensions.CeHours)?.valueQuantity).toEqual({ value: 6, unit: 'h', system: 'http://unitsofmeasure.org', code: 'h' });
  });

  it('for any valid record: passes both R4 validators and its own profile, and reads back equal', () => {
    fc.assert(
      fc.property(ceRecord, (ce) => {
        const basic = continuingEducationToFhir(ce, { agency: AGENCY, namespace: NS });
        expect(validationProblems(basic)).toEqual([]);
        expect(formatProblems(profileProblems(basic))).toEqual([]);
        expect(continuingEducationFromFhir(basic, { agency: AGENCY, namespace: NS })).toEqual(ce);
      }),
      { numRuns: 10, seed: Number(process.env.PEER_FHIR_SEED ?? 20261207) },
    );
  });

  it('is not read as a record of another namespace, nor from a Basic that is not continuing education', () => {
    const basic = continuingEducationToFhir({ id: 'ce-1', peerNpi: '1245319599', date: '2025-05-10', hours: 6, topic: 'Ethics' }, { agency: AGENCY, namespace: NS });
    expect(() => continuingEducationFromFhir(basic, { agency: AGENCY, namespace: 'https://other.example.org/ids' })).toThrow(FhirMappingError);
    expect(() => continuingEducationFromFhir({ ...basic, code: { text: 'other' } }, { agency: AGENCY, namespace: NS })).toThrow(FhirMappingError);
  });

  it('refuses an invalid record with the path, never the value', () => {
    try {
      continuingEducationToFhir({ id: 'ce-1', peerNpi: '1245319599', date: '2025-05-10', hours: 0, topic: 'SECRET-TOPIC' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PeerFhirValidationError);
      expect(JSON.stringify({ m: (e as Error).message, d: (e as PeerFhirValidationError).details })).not.toContain('SECRET');
    }
  });
});
