// The write side of the encounters kind of `peer-fhir import`: one batch of assembled encounters written with
// `PeerClient.recordEncounters`, every row counted under the outcome its encounter got, and the pipeline that lets the
// next batch be read and mapped while the server stores this one. The reader is import-encounters.ts.
import { PeerFhirValidationError, type Participant, type PeerSpecialist } from '@peer-fhir/core';
import { FhirConnectionError, isFhirError, type PeerClient, type RecordConflict, type RecordEncountersSummary, type RecordOutcome } from '@peer-fhir/client';
import type { AssembledEncounter, RejectedRow } from './assemble.js';
import type { EncounterFileContext, WrittenRoster } from './import-encounters.js';
import { updateChangedParticipants, updateChangedRows } from './update-rows.js';

/**
 * Attempts at writing a batch: after the mapping rejected some of its encounters (those are left out), and after
 * encounters or the whole batch got no answer through all of the client's retries (a lost connection, a timeout,
 * 408/429/5xx): every write is a conditional create, so another attempt finds what an unanswered one stored.
 */
const WRITE_ATTEMPTS = 3;

/** The encounters read into one batch, and the rows rejected while reading them (settled with the batch, in order). */
export interface EncounterBatch {
  encounters: AssembledEncounter[];
  /** Rows refused by the reader (unreadable, invalid, an id used again), in file order. */
  rejected: RejectedRow[];
  /** Rows the batch holds: its encounters' rows and the rejected ones. */
  rows: number;
}

/** The roster records a batch brings that no earlier batch wrote, each once. */
type BatchRoster = { participants: Map<string, Participant>; specialists: Map<string, PeerSpecialist>; organization: boolean };

/** What a batch sends once its roster is stored: nothing. */
const STORED_ROSTER: BatchRoster = { participants: new Map(), specialists: new Map(), organization: false };

/** A failure a later attempt may get past: no answer (a lost connection, a timeout) or 408, 429 or 5xx. */
function isTransient(err: unknown): boolean {
  return err instanceof FhirConnectionError || (isFhirError(err) && err.status !== undefined && (err.status === 408 || err.status === 429 || err.status >= 500));
}

/**
 * The roster records a batch brings that no earlier batch sent, each once; they are marked sent at once, so the next
 * batch (started only once this one's roster is stored) names them instead of sending them again.
 */
function takeRoster(batch: readonly AssembledEncounter[], written: WrittenRoster): BatchRoster {
  const participants = new Map<string, Participant>();
  const specialists = new Map<string, PeerSpecialist>();
  for (const a of batch) {
    for (const p of a.participants) if (!written.participants.has(p.id) && !participants.has(p.id)) participants.set(p.id, p);
    if (!written.specialists.has(a.specialist.npi) && !specialists.has(a.specialist.npi)) specialists.set(a.specialist.npi, a.specialist);
  }
  const organization = !written.organization;
  written.organization = true;
  for (const id of participants.keys()) written.participants.add(id);
  for (const npi of specialists.keys()) written.specialists.add(npi);
  return { participants, specialists, organization };
}

/**
 * Why an encounter was not written. A refusal names the server's reason; a write that got no answer on any attempt
 * says so, and that it may have landed unseen (a lost answer): the row can be imported again, nothing is doubled.
 */
function rejectionOf(outcome: RecordOutcome): string {
  const reason = outcome.reason ?? 'unknown reason';
  if (!outcome.transient) return `FHIR server refused the encounter: ${reason}`;
  return `not written: no answer from the FHIR server on ${WRITE_ATTEMPTS} attempts (last: ${reason}); the encounter may or may not be stored, and importing this row again is safe`;
}

/**
 * Count one encounter's rows under the outcome the server gave it. A conflict with `update` is returned to be amended
 * (update-rows.ts counts it then); rejected rows are counted by `reject`.
 */
async function countOutcome(ctx: EncounterFileContext, a: AssembledEncounter, outcome: RecordOutcome): Promise<AssembledEncounter | undefined> {
  const t = ctx.tally;
  if (outcome.status === 'rejected') {
    await rejectEncounter(ctx, a, [rejectionOf(outcome)]);
  } else if (outcome.status === 'created') {
    t.encounters.created++;
    t.created += a.rows.length;
  } else if (outcome.status === 'conflict' && ctx.update) {
    return a;
  } else if (outcome.status === 'conflict') {
    t.encounters.conflict++;
    t.encounters.alreadyPresent++;
    t.conflict += a.rows.length;
    t.alreadyPresent += a.rows.length;
    const conflicts = (outcome.conflicts ?? []).map((c) => `${c.resourceType} differs at ${c.paths.join(', ')}`);
    for (const r of a.rows) t.conflictRows.push({ file: ctx.file, row: r.row, conflicts });
  } else {
    t.encounters.unchanged++;
    t.encounters.alreadyPresent++;
    t.unchanged += a.rows.length;
    t.alreadyPresent += a.rows.length;
  }
  return undefined;
}

/**
 * A participant stored under the same id with other content is corrected from the rows (with `update`); a specialist
 * or agency stored with other content is named, never overwritten.
 */
async function rosterOutcome(ctx: EncounterFileContext, peer: PeerClient, conflicts: readonly RecordConflict[], participants: readonly Participant[]): Promise<void> {
  const ofParticipants = (c: RecordConflict): boolean => c.resourceType === 'Patient' || c.resourceType === 'Coverage';
  const rest = ctx.update ? conflicts.filter((c) => !ofParticipants(c)) : conflicts;
  for (const c of rest) ctx.tally.rosterConflicts.push(`${c.resourceType} ${c.location} differs at ${c.paths.join(', ')}`);
  if (!ctx.update || rest.length === conflicts.length) return;
  const { updated, conflicts: left } = await updateChangedParticipants(peer, participants);
  ctx.tally.participantsUpdated += updated;
  ctx.tally.rosterConflicts.push(...left);
}

/** Write the encounters (with the roster they bring) in transaction bundles; `beforeWrite` is recordEncounters' hook. */
function recordBatch(ctx: EncounterFileContext, peer: PeerClient, todo: readonly AssembledEncounter[], roster: BatchRoster, beforeWrite: () => Promise<void>): Promise<RecordEncountersSummary> {
  return peer.recordEncounters(
    todo.map((a) => a.encounter),
    {
      participants: [...roster.participants.values()],
      specialists: [...roster.specialists.values()],
      organizations: roster.organization ? [ctx.config.organization] : [],
      bundleSize: ctx.bundleSize,
      concurrency: ctx.concurrency,
      beforeWrite,
    },
  );
}

/**
 * Count every row of a written batch under its encounter's outcome; amend the changed encounters and participants.
 * Returns the encounters that got no answer, to be written again, unless `last`: then they are counted rejected.
 */
async function countBatch(ctx: EncounterFileContext, peer: PeerClient, todo: readonly AssembledEncounter[], roster: BatchRoster, result: RecordEncountersSummary, last: boolean): Promise<AssembledEncounter[]> {
  const changed: AssembledEncounter[] = [];
  const unanswered: AssembledEncounter[] = [];
  for (const outcome of result.records) {
    const a = todo[outcome.index];
    if (a === undefined) throw new RangeError(`an outcome names encounter ${outcome.index} of a batch of ${todo.length}`);
    if (outcome.transient && !last) {
      unanswered.push(a);
      continue;
    }
    const again = await countOutcome(ctx, a, outcome);
    if (again) changed.push(again);
  }
  await updateChangedRows(peer, changed, ctx.file, ctx.tally, ctx.reject);
  await rosterOutcome(ctx, peer, result.roster.conflicts, [...roster.participants.values()]);
  return unanswered;
}

/** Reject every row of `a` with `reasons`, counting its encounter rejected. */
async function rejectEncounter(ctx: EncounterFileContext, a: AssembledEncounter, reasons: string[]): Promise<void> {
  ctx.tally.encounters.rejected++;
  for (const r of a.rows) await ctx.reject({ ...r, reasons });
}

/**
 * After the mapping refused a batch: reject the encounters its issues name (paths only, `encounters[i]…`) and return
 * the rest to write again; an issue that names no encounter rejects the whole batch.
 */
async function rejectInvalid(ctx: EncounterFileContext, err: PeerFhirValidationError, todo: readonly AssembledEncounter[]): Promise<AssembledEncounter[]> {
  const bad = new Map<number, string[]>();
  for (const issue of err.issues) {
    const m = /^encounters\[(\d+)\]\.?(.*)$/.exec(issue.path);
    const i = m ? Number(m[1]) : -1;
    bad.set(i, [...(bad.get(i) ?? []), `${m?.[2] || issue.path}: ${issue.message}`]);
  }
  if (bad.has(-1)) bad.clear();
  const rejectAll = bad.size === 0;
  const keep: AssembledEncounter[] = [];
  for (const [i, a] of todo.entries()) {
    const reasons = rejectAll ? err.issues.map((x) => `${x.path}: ${x.message}`) : bad.get(i);
    if (reasons) await rejectEncounter(ctx, a, reasons);
    else keep.push(a);
  }
  return keep;
}

/** The rows the reader refused, counted and written to the rejects file: the first outcomes of a batch, in file order. */
async function settleRead(ctx: EncounterFileContext, batch: EncounterBatch): Promise<void> {
  for (const r of batch.rejected) await ctx.reject(r);
}

/** Where a batch stands in the pipeline: `previous` settles when the batch before it has been counted. */
interface BatchTurn {
  previous: Promise<void>;
  /** Called once this batch's roster is stored (or the batch is over): the next batch may start. */
  started(): void;
}

/**
 * Write one batch and count its rows, in turn: its roster and mapping may run while the batch before it is written,
 * but its encounters are sent, and its rows counted, only once that batch is counted (so outcomes, rejects and
 * shared entries such as a peer group follow the file's order). A few attempts: the encounters the mapping refuses
 * are rejected and the rest written again; encounters that got no answer through all of the client's retries are
 * written again, and the whole batch when a request it needs did (its roster, say) once the server has answered
 * this import (stored a roster: before that, a server that does not answer is down or misnamed, and the import stops
 * at once, exit 2); after the last attempt such encounters are rejected and such an error thrown. Every row is
 * counted once, never dropped.
 */
async function writeBatch(ctx: EncounterFileContext, peer: PeerClient, batch: EncounterBatch, turn: BatchTurn): Promise<void> {
  // A batch of rejected rows only sends nothing: its roster (the agency on a first batch) waits for a batch to write.
  if (batch.encounters.length === 0) return checkBatch(ctx, batch, turn);
  let roster = takeRoster(batch.encounters, ctx.written);
  let opened: Promise<void> | undefined;
  const open = (): Promise<void> => (opened ??= turn.previous.then(() => settleRead(ctx, batch)));
  const beforeWrite = (): Promise<void> => {
    ctx.written.stored = true;
    turn.started();
    return open();
  };
  let todo: readonly AssembledEncounter[] = batch.encounters;
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS && todo.length > 0; attempt++) {
    try {
      const result = await recordBatch(ctx, peer, todo, roster, beforeWrite);
      await open();
      todo = await countBatch(ctx, peer, todo, roster, result, attempt === WRITE_ATTEMPTS);
      // The encounters are written only once the roster is stored: an attempt again sends none of it.
      roster = STORED_ROSTER;
    } catch (err) {
      if (err instanceof PeerFhirValidationError) {
        await open();
        todo = await rejectInvalid(ctx, err, todo);
      } else if (attempt === WRITE_ATTEMPTS || !isTransient(err) || ctx.written.stored !== true) throw err;
    }
  }
  await open();
  for (const a of todo) await rejectEncounter(ctx, a, [`not written: its batch was still refused by the mapping after ${WRITE_ATTEMPTS} attempts`]);
}

/** A dry run's batch: the reader's rejects, then every encounter's rows counted valid (nothing is written). */
async function checkBatch(ctx: EncounterFileContext, batch: EncounterBatch, turn: BatchTurn): Promise<void> {
  turn.started();
  await turn.previous;
  await settleRead(ctx, batch);
  ctx.tally.valid += batch.encounters.reduce((n, a) => n + a.rows.length, 0);
}

/**
 * The batches of one file, written in an overlapping pipeline: the reader fills the next batch while the server
 * stores this one, and a batch's roster and mapping go out as soon as the roster before it is stored. At most two
 * batches are unsettled at once (one being written, one mapped and waiting), plus the one being read, so memory stays
 * flat. Outcomes are counted batch by batch in file order. The first error stops the pipeline and is thrown by the
 * next `submit` or by `finish`.
 */
export function encounterPipeline(ctx: EncounterFileContext): { submit(batch: EncounterBatch): Promise<void>; finish(): Promise<void> } {
  let started: Promise<void> = Promise.resolve();
  let settled: Promise<void> = Promise.resolve();
  let settledBefore: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  const submit = async (batch: EncounterBatch): Promise<void> => {
    // The roster before is stored (this batch may name it), and at most one other batch is unsettled.
    await Promise.all([started, settledBefore.catch(() => undefined)]);
    if (failure) throw failure.error;
    let release: () => void = () => undefined;
    started = new Promise<void>((resolve) => (release = resolve));
    const turn: BatchTurn = { previous: settled, started: release };
    const run = ctx.peer ? writeBatch(ctx, ctx.peer, batch, turn) : checkBatch(ctx, batch, turn);
    settledBefore = settled;
    settled = run.then(
      () => {
        release();
        ctx.report();
      },
      (error: unknown) => {
        failure ??= { error };
        release();
        throw error;
      },
    );
    // Awaited by the next submit or by finish: handled now so that a failure meanwhile is not an unhandled rejection.
    settled.catch(() => undefined);
  };
  const finish = async (): Promise<void> => {
    await settled.catch(() => undefined);
    if (failure) throw failure.error;
  };
  return { submit, finish };
}
