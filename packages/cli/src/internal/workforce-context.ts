import type { Encounter, FhirResource } from 'fhir/r4.js';
import type { PeerClient } from '@peer-fhir/client';
import { FhirMappingError, PeerFhirValidationError, WorkforceSystems, fromFhir, supervisionSessionFromFhir, type Organization, type PeerEncounter, type PeerSpecialist, type SupervisionSession } from '@peer-fhir/core';

/** What a workforce compliance report needs from a FHIR server, for one period. */
export interface WorkforceRecords {
  organizations: Organization[];
  specialists: PeerSpecialist[];
  encounters: PeerEncounter[];
  supervisionSessions: SupervisionSession[];
  /** Supervision Encounters that could not be read (another identifier namespace, no supervisor NPI…). */
  unreadableSupervision: number;
}

/** Every Organization, PractitionerRole and Practitioner on the server, read with core's `fromFhir`. */
export async function loadStaff(peer: PeerClient, namespace: string | undefined): Promise<{ organizations: Organization[]; specialists: PeerSpecialist[] }> {
  const staff: FhirResource[] = [];
  for (const type of ['PractitionerRole', 'Practitioner', 'Organization'] as const) {
    for await (const r of peer.client.searchAll(type, new URLSearchParams({ _count: '500' }))) staff.push(r as FhirResource);
  }
  const records = fromFhir(staff, namespace ? { namespace } : {});
  return { organizations: records.organizations, specialists: records.specialists };
}

/** Supervision sessions (Encounters typed `workforce-activity#supervision-*`) dated within `[from, to]`. */
export async function loadSupervisionSessions(peer: PeerClient, q: { from: string; to: string; namespace: string | undefined }): Promise<{ sessions: SupervisionSession[]; unreadable: number }> {
  const type = ['supervision-individual', 'supervision-group'].map((c) => `${WorkforceSystems.ACTIVITY}|${c}`).join(',');
  const params = new URLSearchParams({ type, _count: '500' });
  params.append('date', `ge${q.from}`);
  params.append('date', `le${q.to}`);
  const sessions: SupervisionSession[] = [];
  let unreadable = 0;
  for await (const enc of peer.client.searchAll('Encounter', params)) {
    try {
      const s = supervisionSessionFromFhir(enc as Encounter, q.namespace ? { namespace: q.namespace } : {});
      if (s.date >= q.from && s.date <= q.to) sessions.push(s);
    } catch (e) {
      if (!(e instanceof FhirMappingError || e instanceof PeerFhirValidationError)) throw e;
      unreadable++;
    }
  }
  return { sessions, unreadable };
}

/**
 * The agency's staff, the period's peer-support encounters of the agency, and the supervision sessions of the
 * period. CLI glue: a `loadWorkforcePeriod` in client would serve every integration (see the package report).
 */
export async function loadWorkforceRecords(peer: PeerClient, q: { from: string; to: string; organizationNpi: string; namespace: string | undefined }): Promise<WorkforceRecords> {
  const { organizations, specialists } = await loadStaff(peer, q.namespace);
  const encounters: PeerEncounter[] = [];
  for await (const e of peer.findEncounters({ from: q.from, to: q.to, organizationNpi: q.organizationNpi }, { pageSize: 200 })) {
    if (e.start.slice(0, 10) >= q.from && e.start.slice(0, 10) <= q.to) encounters.push(e);
  }
  const { sessions, unreadable } = await loadSupervisionSessions(peer, q);
  return { organizations, specialists, encounters, supervisionSessions: sessions, unreadableSupervision: unreadable };
}
