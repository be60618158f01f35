import type { Encounter } from 'fhir/r4.js';
import type { PeerClient } from '@peer-fhir/client';
import { loadAgencyStaff } from './agency-staff.js';
import { FhirMappingError, PeerFhirValidationError, WorkforceSystems, supervisionSessionFromFhir, type IdentityScope, type Organization, type PeerEncounter, type PeerSpecialist, type SupervisionSession } from '@peer-fhir/core';

/** What a workforce compliance report needs from a FHIR server, for one period. */
export interface WorkforceRecords {
  organizations: Organization[];
  specialists: PeerSpecialist[];
  encounters: PeerEncounter[];
  supervisionSessions: SupervisionSession[];
  /** Supervision Encounters that could not be read (another identifier namespace, no supervisor NPI…). */
  unreadableSupervision: number;
}


/** Supervision sessions (Encounters typed `workforce-activity#supervision-*`) dated within `[from, to]`. */
export async function loadSupervisionSessions(peer: PeerClient, q: { from: string; to: string; scope: IdentityScope }): Promise<{ sessions: SupervisionSession[]; unreadable: number }> {
  const type = ['supervision-individual', 'supervision-group'].map((c) => `${WorkforceSystems.ACTIVITY}|${c}`).join(',');
  const params = new URLSearchParams({ type, _count: '500' });
  params.append('date', `ge${q.from}`);
  params.append('date', `le${q.to}`);
  const sessions: SupervisionSession[] = [];
  let unreadable = 0;
  for await (const enc of peer.client.searchAll('Encounter', params)) {
    try {
      const s = supervisionSessionFromFhir(enc as Encounter, { agency: q.scope.agency, namespace: q.scope.namespace });
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
export async function loadWorkforceRecords(peer: PeerClient, q: { from: string; to: string; scope: IdentityScope }): Promise<WorkforceRecords> {
  const { organizations, specialists } = await loadAgencyStaff(peer, q.scope);
  const encounters: PeerEncounter[] = [];
  for await (const e of peer.findEncounters({ from: q.from, to: q.to, organizationNpi: q.scope.agency }, { pageSize: 200 })) {
    if (e.start.slice(0, 10) >= q.from && e.start.slice(0, 10) <= q.to) encounters.push(e);
  }
  const { sessions, unreadable } = await loadSupervisionSessions(peer, q);
  return { organizations, specialists, encounters, supervisionSessions: sessions, unreadableSupervision: unreadable };
}
