// The "vendor module": how an EHR maps its own visit records to peer-fhir and records them. This is the code a vendor
// owns and tests (see vendor-module.test.mjs). Only the public API of @peer-fhir/core and @peer-fhir/client.
import { PeerEncounter } from '@peer-fhir/core';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';

/** The vendor's namespace for the identifiers peer-fhir mints: keep it the same everywhere. */
export const NAMESPACE = 'https://ehr.example.com/peer-fhir';

const MODALITY = { office: 'in-person', video: 'video', phone: 'audio-only' };

/**
 * Map a vendor-shaped visit to a validated PeerEncounter. A vendor visit looks like:
 * { visitId, clientId, staffNpi, startedAt, endedAt, kind: 'office' | 'video' | 'phone', partTwo, diagnoses, note }
 * `defaults` carries what the vendor configures once per agency (organization NPI, program, setting, ...).
 */
export function toPeerEncounter(visit, defaults) {
  const modality = MODALITY[visit.kind];
  if (!modality) throw new TypeError(`unknown visit kind: ${visit.kind}`);
  return PeerEncounter.parse({
    ...defaults,
    id: `visit-${visit.visitId}`,
    mode: 'individual',
    attendees: [{ participantId: visit.clientId, diagnoses: visit.diagnoses ?? [], ...(visit.note ? { note: visit.note } : {}) }],
    specialistNpi: visit.staffNpi,
    start: visit.startedAt,
    end: visit.endedAt,
    modality,
    placeOfService: modality === 'in-person' ? defaults.placeOfService : '10',
    part2: Boolean(visit.partTwo),
  });
}

/** Create a syncer bound to a FHIR base URL; `fetch` is injectable (msw intercepts the global one in tests). */
export function createVisitSync({ baseUrl, auth, maxRetries = 4, defaults, roster }) {
  // Identifiers are minted per agency under the vendor's prefix: two agencies on one server never meet.
  const peer = new PeerClient(new PeerFhirClient({ baseUrl, auth, maxRetries }), { agency: defaults.organizationNpi, namespace: NAMESPACE });
  return {
    /** Record one visit; returns the FHIR Encounter id and whether it was new. Safe to call twice. */
    async syncVisit(visit) {
      const encounter = toPeerEncounter(visit, defaults);
      const participant = roster.participants.find((p) => p.id === visit.clientId);
      const specialist = roster.specialists.find((s) => s.npi === visit.staffNpi);
      const r = await peer.recordEncounter(encounter, { participants: participant ? [participant] : [], specialist, organization: roster.organization });
      return { encounterId: r.encounterIds[0], created: r.created };
    },
  };
}
