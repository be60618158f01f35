// Acceptance (issue 12): two agencies with different NPIs and the same local ids, written to one server through
// PeerClient, never meet — every patient, encounter and diagnosis exists once per agency, on that agency's patient.
import fc from 'fast-check';
import type { Condition, Encounter, Patient } from 'fhir/r4.js';
import type { Organization, Participant, PeerEncounter, PeerSpecialist } from '@peer-fhir/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '../src/index.js';
import { encounter, npi, participant, testing, type EmbeddedServer } from './peer-fixtures.js';

let server: EmbeddedServer;
beforeAll(async () => {
  server = await testing.startFhirServer();
});
afterAll(() => server?.close());

interface Agency {
  organization: Organization;
  specialist: PeerSpecialist;
  participants: Participant[];
  encounters: PeerEncounter[];
}

/** One agency: its own family name on every participant and its own diagnosis, the shared local ids. */
function agency(orgNpi: string, peerNpi: string, family: string, dx: string, participantIds: readonly string[], encounterIds: readonly string[]): Agency {
  return {
    organization: { name: `${family} Agency`, npi: orgNpi, taxId: '123456789', taxonomy: '251S00000X', address: { line: ['1 Main St'], city: 'Austin', state: 'TX', postalCode: '78701' } },
    specialist: { npi: peerNpi, name: { family: 'Rivera', given: ['Sam'] }, credentials: [], organizationNpi: orgNpi },
    participants: participantIds.map((id) => ({ ...participant(id), name: { family, given: [id] } })),
    encounters: encounterIds.map((id, i) =>
      encounter(id, participantIds[i % participantIds.length]!, { organizationNpi: orgNpi, specialistNpi: peerNpi, attendees: [{ participantId: participantIds[i % participantIds.length]!, diagnoses: [dx], goalIds: [] }] }),
    ),
  };
}

const nine = fc.stringMatching(/^[1-9]\d{8}$/);
const localIds = (prefix: string) => fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }).map((ns) => ns.map((n) => `${prefix}-${n}`));

describe('two agencies on one server', () => {
  it('keep every patient, encounter and diagnosis apart, whatever local ids they share (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(nine, { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        localIds('p'),
        localIds('p'),
        localIds('enc'),
        localIds('enc'),
        fc.constantFrom(undefined, 'https://ehr.example.org/ids'),
        async ([a, b, p], samePeer, pa, pb, ea, eb, namespace) => {
          server.reset();
          const tx = agency(npi(a!), npi(p!), 'Texas', 'F11.20', pa, ea);
          const nc = agency(npi(b!), samePeer ? npi(p!) : npi(a!), 'Carolina', 'F31.9', pb, eb);
          const client = new PeerFhirClient({ baseUrl: server.url });
          for (const ag of [tx, nc]) {
            const peer = new PeerClient(client, { agency: ag.organization.npi, namespace });
            const summary = await peer.recordEncounters(ag.encounters, { organizations: [ag.organization], specialists: [ag.specialist], participants: ag.participants });
            expect(summary).toMatchObject({ total: ag.encounters.length, created: ag.encounters.length, failed: 0 });
          }

          const patients = (await server.repository.search('Patient')) as Patient[];
          expect(patients).toHaveLength(pa.length + pb.length);
          const familyOf = new Map(patients.map((pt) => [`Patient/${pt.id}`, pt.name?.[0]?.family]));
          const encounters = (await server.repository.search('Encounter')) as Encounter[];
          expect(encounters).toHaveLength(ea.length + eb.length);
          const conditions = (await server.repository.search('Condition')) as Condition[];
          expect(conditions).toHaveLength(ea.length + eb.length);
          const byRef = new Map(encounters.map((e) => [`Encounter/${e.id}`, e]));
          for (const c of conditions) {
            const enc = byRef.get(c.encounter?.reference ?? '');
            expect(enc?.subject?.reference).toBe(c.subject.reference);
            // Every diagnosis sits on a patient of the agency that made it.
            expect(familyOf.get(c.subject.reference ?? '')).toBe(c.code?.coding?.[0]?.code === 'F31.9' ? 'Carolina' : 'Texas');
          }

          for (const [ag, family] of [[tx, 'Texas'], [nc, 'Carolina']] as const) {
            const peer = new PeerClient(client, { agency: ag.organization.npi, namespace });
            const found: PeerEncounter[] = [];
            for await (const e of peer.findEncounters({})) found.push(e);
            expect(found.map((e) => e.id).sort()).toEqual(ag.encounters.map((e) => e.id).sort());
            expect(found.every((e) => e.organizationNpi === ag.organization.npi)).toBe(true);
            for (const id of new Set(ag.participants.map((x) => x.id))) expect((await peer.getParticipantSummary(id)).participant.name.family).toBe(family);
          }
        },
      ),
      { numRuns: 6 },
    );
  }, 120_000);
});
