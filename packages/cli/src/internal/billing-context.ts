import type { PeerClient } from '@peer-fhir/client';
import { loadAgencyStaff } from './agency-staff.js';
import { type ConsentDirective, type IdentityScope, type Organization, type Participant, type PeerEncounter, type PeerSpecialist, type RecoveryPlan } from '@peer-fhir/core';

/** The clinical records of one billing period, read from a FHIR server. */
export interface PeriodRecords {
  encounters: PeerEncounter[];
  participants: Participant[];
  specialists: PeerSpecialist[];
  organizations: Organization[];
  plans: RecoveryPlan[];
  consents: ConsentDirective[];
  /** Each participant's Patient on the server (`Patient/{id}`), by participant id. */
  patients: Record<string, string>;
}

/**
 * Encounters of `[from, to]` of one agency, plus the participants (with coverage), their current plans and consents,
 * and the peer specialists, read back with the client's domain readers and core's `fromFhir`. The participants'
 * records are read in chunks (a few searches per chunk, `PeerClient.getParticipantRecords`), not per participant.
 */
export async function loadPeriodRecords(peer: PeerClient, q: { from: string; to: string; scope: IdentityScope }): Promise<PeriodRecords> {
  const encounters: PeerEncounter[] = [];
  for await (const e of peer.findEncounters({ from: q.from, to: q.to, organizationNpi: q.scope.agency }, { pageSize: 200 })) {
    if (e.start.slice(0, 10) >= q.from && e.start.slice(0, 10) <= q.to) encounters.push(e);
  }
  const ids = [...new Set(encounters.flatMap((e) => e.attendees.map((a) => a.participantId)))];
  const { participants, plans, consents, patients } = await peer.getParticipantRecords(ids);
  // The agency's staff only: its Organization, PractitionerRoles and their Practitioners.
  const staff = await loadAgencyStaff(peer, q.scope);
  return { encounters, participants, specialists: staff.specialists, organizations: staff.organizations, plans, consents, patients };
}
