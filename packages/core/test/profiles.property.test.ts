import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toFhir } from '../src/index.js';
import { bundleProfileProblems, summarize } from '../../../test/support/profile-validator.js';
import { recordSet } from './arbitraries.js';

// Validation against the profiles costs a few ms per resource: fewer runs than the round trip.
const RUNS = Number(process.env.PEER_FHIR_PROFILE_RUNS ?? 10);

describe('profiles of generated records', () => {
  it('every resource toFhir writes conforms to each profile it names (US Core 6.1.0 and peer-fhir), for any valid records', () => {
    fc.assert(
      fc.property(recordSet, (raw) => {
        const records = { ...raw, organizations: [...raw.organizations], specialists: [...raw.specialists] };
        expect(summarize(bundleProfileProblems(toFhir(records)))).toEqual({});
      }),
      { numRuns: RUNS, seed: Number(process.env.PEER_FHIR_SEED ?? 20261206) },
    );
  }, 120_000);
});
