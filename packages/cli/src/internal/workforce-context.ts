import type { PeerClient } from '@peer-fhir/client';
import { loadAgencyStaff } from './agency-staff.js';
import { FhirMappingError, PeerFhirValidationError, WorkforceSystems, continuingEducationFromFhir, supervisionSessionFromFhir, type ContinuingEducation, type IdentityScope, type Organization, type PeerEncounter, type PeerSpecialist, type SupervisionSession } from '@peer-fhir/core';

/** What a workforce compliance report needs from a FHIR server, for one period. */
export interface WorkforceRecords {
  organizations: Organization[];
  specialists: PeerSpecialist[];
  encounters: PeerEncounter[];
  supervisionSessions: SupervisionSession[];
  /** Supervision Encounters that could not be read (another identifier namespace, no supervisor NPI…). */
  unreadableSupervision: number;
  /** Continuing-education records (Basic, `workforce-activity#continuing-education`) dated within the period. */
  continuingEducation: ContinuingEducation[];
  /** Continuing-education Basics that could not be read (another identifier namespace, invalid values). */
  unreadableContinuingEducation: number;
}

/** Whether an error is a record that cannot be read in this namespace (skipped and counted, not fatal). */
function unreadable(e: unknown): boolean {
  return e instanceof FhirMappingError || e instanceof PeerFhirValidationError;
}

/**
 * The records a search reads that this namespace can map, dated within `[from, to]`; a resource that is not readable
 * as such a record here is skipped and counted, never fatal.
 */
async function readInRange<F, T extends { date: string }>(found: AsyncIterable<F>, map: (resource: F) => T, q: { from: string; to: string }): Promise<{ items: T[]; unreadable: number }> {
  const items: T[] = [];
  let skipped = 0;
  for await (const resource of found) {
    try {
      const item = map(resource);
      if (item.date >= q.from && item.date <= q.to) items.push(item);
    } catch (e) {
      if (!unreadable(e)) throw e;
      skipped++;
    }
  }
  return { items, unreadable: skipped };
}

/** Continuing-education records (Basic coded `workforce-activity#continuing-education`) created within `[from, to]`. */
export async function loadContinuingEducationRecords(peer: PeerClient, q: { from: string; to: string; scope: IdentityScope }): Promise<{ records: ContinuingEducation[]; unreadable: number }> {
  const params = new URLSearchParams({ code: `${WorkforceSystems.ACTIVITY}|continuing-education`, _count: '500' });
  params.append('created', `ge${q.from}`);
  params.append('created', `le${q.to}`);
  const read = await readInRange(peer.client.searchAll('Basic', params), (basic) => continuingEducationFromFhir(basic, { agency: q.scope.agency, namespace: q.scope.namespace }), q);
  return { records: read.items, unreadable: read.unreadable };
}

/** Supervision sessions (Encounters typed `workforce-activity#supervision-*`) dated within `[from, to]`. */
export async function loadSupervisionSessions(peer: PeerClient, q: { from: string; to: string; scope: IdentityScope }): Promise<{ sessions: SupervisionSession[]; unreadable: number }> {
  const type = ['supervision-individual', 'supervision-group'].map((c) => `${WorkforceSystems.ACTIVITY}|${c}`).join(',');
  const params = new URLSearchParams({ type, _count: '500' });
  params.append('date', `ge${q.from}`);
  params.append('date', `le${q.to}`);
  const read = await readInRange(peer.client.searchAll('Encounter', params), (enc) => supervisionSessionFromFhir(enc, { agency: q.scope.agency, namespace: q.scope.namespace }), q);
  return { sessions: read.items, unreadable: read.unreadable };
}

/**
 * The agency's staff, the period's peer-support encounters of the agency, and the supervision sessions and
 * continuing-education records of the period. CLI glue: a `loadWorkforcePeriod` in client would serve every integration (see the package report).
 */
export async function loadWorkforceRecords(peer: PeerClient, q: { from: string; to: string; scope: IdentityScope }): Promise<WorkforceRecords> {
  const { organizations, specialists } = await loadAgencyStaff(peer, q.scope);
  const encounters: PeerEncounter[] = [];
  for await (const e of peer.findEncounters({ from: q.from, to: q.to, organizationNpi: q.scope.agency }, { pageSize: 200 })) {
    if (e.start.slice(0, 10) >= q.from && e.start.slice(0, 10) <= q.to) encounters.push(e);
  }
  const supervision = await loadSupervisionSessions(peer, q);
  const ce = await loadContinuingEducationRecords(peer, q);
  return {
    organizations,
    specialists,
    encounters,
    supervisionSessions: supervision.sessions,
    unreadableSupervision: supervision.unreadable,
    continuingEducation: ce.records,
    unreadableContinuingEducation: ce.unreadable,
  };
}
