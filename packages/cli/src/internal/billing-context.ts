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

/** Group sessions kept between the chunks of a run (`bill`'s SessionSpool). */
export interface SessionStore {
  wanted(reference: string, chunk: number): boolean;
  put(reference: string, encounter: PeerEncounter): Promise<void>;
  take(reference: string, chunk: number): Promise<PeerEncounter | undefined>;
}

/** The sessions kept between chunks, and the chunk being read. */
export interface ChunkSessions {
  store: SessionStore;
  chunk: number;
}

/**
 * The encounters of `refs` in their order (each read once), `encountersPerRead` to a read; with `sessions`, a group
 * session kept by an earlier chunk is taken from there, and one a later chunk attends is kept. A read that found an
 * encounter besides those asked for keeps nothing, so a later chunk reads it (and that encounter) again, as before.
 */
async function readChunkEncounters(peer: PeerClient, refs: readonly string[], encountersPerRead: number, sessions: ChunkSessions | undefined): Promise<PeerEncounter[]> {
  const byRef = new Map<string, PeerEncounter>();
  const extra: PeerEncounter[] = [];
  const toRead: string[] = [];
  for (const ref of refs) {
    const kept = sessions ? await sessions.store.take(ref, sessions.chunk) : undefined;
    if (kept) byRef.set(ref, kept);
    else toRead.push(ref);
  }
  // A read holds its encounters' FHIR resources (group sessions with every attendance, notes, Conditions, Patients)
  // until they are read back: bounded by a count of encounters, not by the chunk's participants.
  for (let i = 0; i < toRead.length; i += encountersPerRead) {
    const entries = await peer.readEncounterEntries(toRead.slice(i, i + encountersPerRead));
    const complete = entries.every((e) => e.reference !== undefined);
    for (const { reference, encounter } of entries) {
      if (reference === undefined || byRef.has(reference)) extra.push(encounter);
      else byRef.set(reference, encounter);
      if (sessions && complete && reference !== undefined && encounter.mode === 'group' && sessions.store.wanted(reference, sessions.chunk)) await sessions.store.put(reference, encounter);
    }
  }
  return [...refs.flatMap((r) => byRef.get(r) ?? []), ...extra];
}

/**
 * The encounters of `[from, to]` some participants attend (a group session whole, with every attendee), read by id,
 * plus those participants (with coverage), their current plans and consents, read back with the client's domain
 * readers and core's `fromFhir`, with the agency's staff read once for the run. A few requests per `encountersPerRead`
 * encounters (`PeerClient.readEncounterEntries`, each encounter read once) and per chunk of participants
 * (`PeerClient.getParticipantRecords`), not per participant; with `sessions`, a group session once per run.
 */
export async function loadChunkRecords(
  peer: PeerClient,
  q: PeriodQuery & { participants: readonly [string, readonly string[]][]; staff: AgencyStaff; encountersPerRead: number; sessions?: ChunkSessions | undefined },
): Promise<PeriodRecords> {
  const refs = [...new Set(q.participants.flatMap(([, r]) => r))];
  const read = await readChunkEncounters(peer, refs, q.encountersPerRead, q.sessions);
  const encounters = read.filter((e) => e.start.slice(0, 10) >= q.from && e.start.slice(0, 10) <= q.to);
  const { participants, plans, consents, patients } = await peer.getParticipantRecords(q.participants.map(([id]) => id));
  return { encounters, participants, specialists: q.staff.specialists, organizations: q.staff.organizations, plans, consents, patients };
}
