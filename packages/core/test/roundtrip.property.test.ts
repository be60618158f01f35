import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsentDirective, fromFhir, Organization, Participant, PeerEncounter, PeerSpecialist, RecoveryPlan, toFhir } from '../src/index.js';
import { recordSet } from './arbitraries.js';

const RUNS = Number(process.env.PEER_FHIR_PROPERTY_RUNS ?? 200);

describe('domain -> FHIR -> domain', () => {
  it('is lossless for every domain field of generated records', () => {
    fc.assert(
      fc.property(recordSet, fc.constantFrom(undefined, 'https://ehr.example.org/ids', 'urn:acme:ehr'), (raw, namespace) => {
        // What the schemas accept is what must come back (defaults applied).
        const input = {
          organizations: raw.organizations.map((o) => Organization.parse(o)),
          specialists: raw.specialists.map((s) => PeerSpecialist.parse(s)),
          participants: raw.participants.map((p) => Participant.parse(p)),
          encounters: raw.encounters.map((e) => PeerEncounter.parse(e)),
          plans: raw.plans.map((p) => RecoveryPlan.parse(p)),
          consents: raw.consents.map((c) => ConsentDirective.parse(c)),
        };
        const options = namespace ? { namespace } : {};
        const back = fromFhir(toFhir(input, options), options);
        expect(back).toEqual(input);
      }),
      { numRuns: RUNS, seed: Number(process.env.PEER_FHIR_SEED ?? 20261122) },
    );
  });
});
