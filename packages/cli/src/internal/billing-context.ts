import type { PeerClient } from '@peer-fhir/client';
import type { AgencyStaff } from './agency-staff.js';
import { type ConsentDirective, type IdentityScope, type Organization, type Participant, type PeerEncounter, type PeerSpecialist, type RecoveryPlan } from '@peer-fhir/core';

/** The clinical records of one billing period (or of one chunk of its participants), read from a FHIR server. */
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

type PeriodQuery = { from: string; to: string; scope: IdentityScope };

const shiftDay = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The agency's encounter search of `[from, to]`. An encounter belongs to the day its own timestamp names
 * (`2025-03-31T20:00-05:00` is March 31). A server compares a date without a zone as a UTC day (FHIR R4 search
 * 3.1.1.5.3 leaves the zone to the server), where that encounter is April 1: searched by the month alone it would be
 * billed in neither month. So the search is a day wider on each side (UTC offsets are -12:00 to +14:00) and the
 * encounter's own date decides.
 */
const periodSearch = (q: PeriodQuery) => ({ from: shiftDay(q.from, -1), to: shiftDay(q.to, 1), organizationNpi: q.scope.agency });

/**
 * The period's participants (domain ids), each with the encounters it attends (`Encounter/{id}`), in the order their
 * claims are written: billing orders a claim by `agency|participant|…` (code-unit order), so participants ordered by
 * `id|` and billed chunk by chunk write their claims in the order one run over the whole period would.
 */
export async function periodParticipants(peer: PeerClient, q: PeriodQuery): Promise<[string, string[]][]> {
  const found = await peer.findEncounterParticipants(periodSearch(q), { pageSize: 1000, startsIn: { from: q.from, to: q.to } });
  const key = ([id]: [string, string[]]) => `${id}|`;
  return [...found.entries()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The encounters of `[from, to]` some participants attend (a group session whole, with every attendee), read by id,
 * plus those participants (with coverage), their current plans and consents, read back with the client's domain
 * readers and core's `fromFhir`, with the agency's staff read once for the run. A few requests per `encountersPerRead`
 * encounters (`PeerClient.readEncounters`, each encounter read once) and per chunk of participants
 * (`PeerClient.getParticipantRecords`), not per participant.
 */
export async function loadChunkRecords(peer: PeerClient, q: PeriodQuery & { participants: readonly [string, readonly string[]][]; staff: AgencyStaff; encountersPerRead: number }): Promise<PeriodRecords> {
  const refs = [...new Set(q.participants.flatMap(([, r]) => r))];
  const read: PeerEncounter[] = [];
  // A read holds its encounters' FHIR resources (group sessions with every attendance, notes, Conditions, Patients)
  // until they are read back: bounded by a count of encounters, not by the chunk's participants.
  for (let i = 0; i < refs.length; i += q.encountersPerRead) read.push(...(await peer.readEncounters(refs.slice(i, i + q.encountersPerRead))));
  const encounters = read.filter((e) => e.start.slice(0, 10) >= q.from && e.start.slice(0, 10) <= q.to);
  const { participants, plans, consents, patients } = await peer.getParticipantRecords(q.participants.map(([id]) => id));
  return { encounters, participants, specialists: q.staff.specialists, organizations: q.staff.organizations, plans, consents, patients };
}
