/**
 * `bill`'s month, chunk by chunk of participants: the period's participants are found once (the month's encounter
 * search, read for its subjects only); then each chunk's encounters, records and stored billing inputs are read,
 * evaluated, and its claims written before the next chunk is read, so the biller holds one chunk, not the month.
 * Every rule a pack states is per participant or per session (a chunk reads a group session whole), so the chunks
 * decide exactly what one evaluation of the month decides (packages/cli/test/bill-stream.test.ts).
 */
import { PeerClient, type PeerFhirClient } from '@peer-fhir/client';
import { identifierSystems } from '@peer-fhir/core';
import { activePriorClaims, evaluateByParticipant, mergeBillingResults, type BilledUnits, type BillingContext, type PriorClaim } from '@peer-fhir/billing';
import type { X12ClaimInput } from '@peer-fhir/x12';
import { loadAgencyStaff, type AgencyStaff } from '../../internal/agency-staff.js';
import { loadChunkRecords, periodParticipants, type ChunkSessions, type PeriodRecords } from '../../internal/billing-context.js';
import { eligibilityContext } from '../../internal/eligibility-checks.js';
import { correctionClaims } from './corrections.js';
import { loadBillingInputs, type BillingInputs } from './inputs.js';
import { onlyDuplicate } from './report.js';
import { ParticipantChunks } from './chunks.js';
import { lastChunkOf, type SessionSpool } from './sessions.js';
import type { BillTally } from './tally.js';
import type { BillWrite, ClaimWriter } from './write.js';

/** Participants read, evaluated and written together (their records are still read 50 to a search). */
export const PARTICIPANTS_PER_CHUNK = 500;

/**
 * Encounters (individual encounters and group sessions) read back together within a chunk: what a read holds as FHIR
 * (a group session brings every attendance, its notes, Conditions and Patients) is bounded by this count, not by the
 * chunk's participants. 50 measured best of 25, 50, 100 and 1,000 at 100k rows (docs/benchmarks.md, B9 round 7).
 */
export const ENCOUNTERS_PER_READ = 50;

/** What a run reads once for the whole month: the participants, the agency's staff and the stored 271 answers. */
export interface MonthRead {
  peer: PeerClient;
  /** Participants per chunk ({@link PARTICIPANTS_PER_CHUNK}). */
  chunkSize: number;
  /** Encounters per read within a chunk ({@link ENCOUNTERS_PER_READ}). */
  encountersPerRead: number;
  /** The month's participants in claim order, each with the encounters it attends, a chunk at a time (bill/chunks.ts). */
  chunks: ParticipantChunks;
  /** For each encounter attended in more than one chunk, the last chunk that attends it (bill/sessions.ts). */
  lastChunk: Map<string, number>;
  staff: AgencyStaff;
  shared: Pick<BillingContext, 'pack' | 'billedAt' | 'namespace' | 'eligibility'>;
}

/** The month's participants written to a file a chunk at a time, and the encounters attended in several chunks; the list itself is not kept. */
async function participantChunks(peer: PeerClient, q: { from: string; to: string; scope: BillWrite['scope']; chunkFile: string }, chunkSize: number) {
  const participants = await periodParticipants(peer, q);
  return { chunks: await ParticipantChunks.write(q.chunkFile, participants, chunkSize), lastChunk: lastChunkOf(participants, chunkSize) };
}

/** The month's run-wide reads; its participants written to `chunkFile` (private, the caller removes it). */
export async function readMonth(client: PeerFhirClient, w: BillWrite, q: { from: string; to: string; chunkSize: number; encountersPerRead: number; chunkFile: string }): Promise<MonthRead> {
  const peer = new PeerClient(client, w.scope);
  const atLeastOne = (n: number) => Math.max(1, Math.floor(n));
  const chunkSize = atLeastOne(q.chunkSize);
  const { chunks, lastChunk } = await participantChunks(peer, { ...q, scope: w.scope }, chunkSize);
  // The agency's staff only: its Organization, PractitionerRoles and their Practitioners.
  const staff = await loadAgencyStaff(peer, w.scope);
  const shared = {
    pack: w.pack,
    // The billing run is the disclosure to the payer: Part 2 consent is decided at it and on the date of service.
    billedAt: w.date.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(w.config.namespace ? { namespace: w.config.namespace } : {}),
    // 271 answers stored by `peer-fhir eligibility --read` (PB-ELIGIBILITY, PB-ELIGIBILITY-STALE).
    ...(await eligibilityContext(client, w.scope)),
  };
  return { peer, chunkSize, encountersPerRead: atLeastOne(q.encountersPerRead), chunks, lastChunk, staff, shared };
}

/** Units on the period's standing prior claims, as billed-units history (one entry per line). */
function billedInPeriod(priorClaims: readonly PriorClaim[]): BilledUnits[] {
  return activePriorClaims(priorClaims).flatMap((c) => c.items.map((i) => ({ participantId: i.participantId, date: i.dateOfService, code: i.code, units: i.units, priorAuthUnits: 0 })));
}

/** A chunk's evaluation context: its records and stored inputs, with the month's shared parts. */
function contextOf(month: MonthRead, records: PeriodRecords, stored: BillingInputs): BillingContext {
  return {
    ...month.shared,
    encounters: records.encounters,
    participants: records.participants,
    specialists: records.specialists,
    plans: records.plans,
    consents: records.consents,
    serviceOrders: stored.serviceOrders,
    priorAuthorizations: stored.priorAuthorizations,
    // The month's own standing claims count against caps too: their encounters are not billed again.
    history: [...stored.history, ...billedInPeriod(stored.priorClaims)],
    priorClaims: stored.priorClaims,
  };
}

/** One chunk of participants read, evaluated (only its own participants decided), its corrections planned and tallied; what its write needs. */
async function billChunk(month: MonthRead, w: BillWrite, q: { from: string; to: string; sessions?: ChunkSessions | undefined }, chunk: readonly [string, string[]][], tally: BillTally) {
  const records = await loadChunkRecords(month.peer, { ...q, scope: w.scope, participants: chunk, staff: month.staff, encountersPerRead: month.encountersPerRead });
  const ids = chunk.map(([id]) => id);
  const stored = await loadBillingInputs(w.client, { scope: w.scope, patients: Object.values(records.patients), pack: w.pack, ...q });
  const context = contextOf(month, records, stored);
  // Step 3, evaluate: a group session brings attendees of other chunks along; they are decided in their own chunk.
  const result = mergeBillingResults([...evaluateByParticipant(context, { participants: ids })], context);
  // Step 4, corrections: replacements and voids of the claims sent before whose encounters changed.
  const organizations = [w.config.organization, ...records.organizations.filter((o) => o.npi !== w.config.organization.npi)];
  const claimRecords = { organizations, specialists: records.specialists, participants: records.participants };
  const corrections = correctionClaims(context, claimRecords, { pack: w.pack, created: w.date.toISOString().slice(0, 10), scope: w.scope, alreadyBilled: result.decisions.filter(onlyDuplicate).length, supervisorTaxonomies: w.supervisorTaxonomies });
  await tally.add({ result, encounters: records.encounters, corrections: corrections.summary, stored });
  return { result, corrections, context, records: claimRecords, patients: { system: identifierSystems(w.scope).participant, byParticipant: records.patients } };
}

/**
 * Step 5's input: the 837P claims of the month, chunk by chunk (each chunk read, evaluated, its disclosures stored and
 * its claims written by `writer` before the next is read), then the corrections of every chunk. With `sessions`, a
 * group session attended in several chunks is read from the server once (bill/sessions.ts).
 */
export async function* monthInputs(month: MonthRead, w: BillWrite, q: { from: string; to: string }, writer: ClaimWriter, tally: BillTally, sessions?: SessionSpool): AsyncGenerator<X12ClaimInput> {
  for (let i = 0; i < month.chunks.count; i++) {
    const chunk = await billChunk(month, w, { ...q, sessions: sessions && { store: sessions, chunk: i } }, await month.chunks.read(i), tally);
    yield* await writer.chunk(chunk);
  }
  yield* await writer.corrections();
}
