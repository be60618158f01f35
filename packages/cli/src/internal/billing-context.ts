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

const shiftDay = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const dayBefore = (date: string): string => shiftDay(date, -1);
const dayAfter = (date: string): string => shiftDay(date, 1);

/**
 * Encounters of `[from, to]` of one agency, plus the participants (with coverage), their current plans and consents,
 * and the peer specialists, read back with the client's domain readers and core's `fromFhir`. The participants'
 * records are read in chunks (a few searches per chunk, `PeerClient.getParticipantRecords`), not per participant.
 */
export async function loadPeriodRecords(peer: PeerClient, q: { from: string; to: string; scope: IdentityScope }): Promise<PeriodRecords> {
  const encounters: PeerEncounter[] = [];
  // An encounter belongs to the day its own timestamp names (`2025-03-31T20:00-05:00` is March 31). A server compares a
  // date without a zone as a UTC day (FHIR R4 search 3.1.1.5.3 leaves the zone to the server), where that encounter is
  // April 1: searched by the month alone it would be billed in neither month. So the search is a day wider on each
  // side (UTC offsets are -12:00 to +14:00) and the encounter's own date decides.
  for await (const e of peer.findEncounters({ from: dayBefore(q.from), to: dayAfter(q.to), organizationNpi: q.scope.agency }, { pageSize: 1000 })) {
    if (e.start.slice(0, 10) >= q.from && e.start.slice(0, 10) <= q.to) encounters.push(e);
  }
  const ids = [...new Set(encounters.flatMap((e) => e.attendees.map((a) => a.participantId)))];
  const { participants, plans, consents, patients } = await peer.getParticipantRecords(ids);
  // The agency's staff only: its Organization, PractitionerRoles and their Practitioners.
  const staff = await loadAgencyStaff(peer, q.scope);
  return { encounters, participants, specialists: staff.specialists, organizations: staff.organizations, plans, consents, patients };
}
