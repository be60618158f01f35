// The encounters kind of `peer-fhir import`, as ordered steps: read a file's rows, group the rows of one encounter
// (adjacent rows with one encounter_id), assemble and validate each group, batch the groups, write a batch with
// `PeerClient.recordEncounters`, and count every row under the outcome its encounter got. The other record kinds take
// the same road in import-records.ts.
import { PeerFhirValidationError, type Participant, type PeerSpecialist } from '@peer-fhir/core';
import type { PeerClient, RecordConflict, RecordOutcome } from '@peer-fhir/client';
import type { CliConfig } from '../config.js';
import { assembleEncounter, type AssembledEncounter, type NumberedRow, type RejectedRow } from './assemble.js';
import { cell } from './cells.js';
import type { RowTally } from './import-records.js';
import { readRows, type ImportFormat } from './read-rows.js';
import { updateChangedParticipants, updateChangedRows, type UpdateTally } from './update-rows.js';

/** Rows read before the encounters assembled from them are written (a batch ends at the group that reaches it). */
const BATCH_ROWS = 1000;

/** Times a batch is written again after the mapping rejected some of its encounters (those are left out). */
const WRITE_ATTEMPTS = 3;

/** The counters the encounters of an import add to (a slice of the import summary). */
export interface EncounterTally extends RowTally, UpdateTally {
  encounters: { created: number; unchanged: number; updated: number; conflict: number; alreadyPresent: number; rejected: number };
  participantsUpdated: number;
  rosterConflicts: string[];
}

/** Participants, specialists and the agency written by earlier batches of this import: not sent again. */
export interface WrittenRoster {
  participants: Set<string>;
  specialists: Set<string>;
  organization: boolean;
}

/** What the import of one encounters file needs. */
export interface EncounterFileContext {
  file: string;
  format: ImportFormat;
  config: CliConfig;
  /** Where to write; `undefined` for a dry run (same checks, nothing written). */
  peer: PeerClient | undefined;
  bundleSize: number;
  concurrency: number;
  /** Amend encounters stored with other content (`--no-update` makes them conflicts). */
  update: boolean;
  written: WrittenRoster;
  tally: EncounterTally;
  reject(r: RejectedRow): Promise<void>;
  /** Called after rows changed state (for a progress line). */
  report(): void;
}

/** The roster records a batch brings that no earlier batch wrote, each once. */
function newRoster(batch: readonly AssembledEncounter[], written: WrittenRoster): { participants: Map<string, Participant>; specialists: Map<string, PeerSpecialist> } {
  const participants = new Map<string, Participant>();
  const specialists = new Map<string, PeerSpecialist>();
  for (const a of batch) {
    for (const p of a.participants) if (!written.participants.has(p.id) && !participants.has(p.id)) participants.set(p.id, p);
    if (!written.specialists.has(a.specialist.npi) && !specialists.has(a.specialist.npi)) specialists.set(a.specialist.npi, a.specialist);
  }
  return { participants, specialists };
}

/**
 * Count one encounter's rows under the outcome the server gave it. A conflict with `update` is returned to be amended
 * (update-rows.ts counts it then); rejected rows are counted by `reject`.
 */
async function countOutcome(ctx: EncounterFileContext, a: AssembledEncounter, outcome: RecordOutcome): Promise<AssembledEncounter | undefined> {
  const t = ctx.tally;
  if (outcome.status === 'rejected') {
    t.encounters.rejected++;
    for (const r of a.rows) await ctx.reject({ ...r, reasons: [`FHIR server refused the encounter: ${outcome.reason ?? 'unknown reason'}`] });
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

/** Write the encounters (with the roster they bring) in transaction bundles; count every row; amend the changed ones. */
async function recordBatch(ctx: EncounterFileContext, peer: PeerClient, todo: readonly AssembledEncounter[], roster: ReturnType<typeof newRoster>): Promise<void> {
  const { written } = ctx;
  const result = await peer.recordEncounters(
    todo.map((a) => a.encounter),
    {
      participants: [...roster.participants.values()],
      specialists: [...roster.specialists.values()],
      organizations: written.organization ? [] : [ctx.config.organization],
      bundleSize: ctx.bundleSize,
      concurrency: ctx.concurrency,
    },
  );
  written.organization = true;
  for (const id of roster.participants.keys()) written.participants.add(id);
  for (const npi of roster.specialists.keys()) written.specialists.add(npi);
  const changed: AssembledEncounter[] = [];
  for (const outcome of result.records) {
    const again = await countOutcome(ctx, todo[outcome.index]!, outcome);
    if (again) changed.push(again);
  }
  await updateChangedRows(peer, changed, ctx.file, ctx.tally, ctx.reject);
  await rosterOutcome(ctx, peer, result.roster.conflicts, [...roster.participants.values()]);
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
    if (!reasons) {
      keep.push(a);
      continue;
    }
    ctx.tally.encounters.rejected++;
    for (const r of a.rows) await ctx.reject({ ...r, reasons });
  }
  return keep;
}

/** Write one batch: the encounters the mapping refuses are rejected and the rest written again (a few attempts). */
async function writeBatch(ctx: EncounterFileContext, peer: PeerClient, batch: readonly AssembledEncounter[]): Promise<void> {
  const roster = newRoster(batch, ctx.written);
  let todo = batch;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS && todo.length > 0; attempt++) {
    try {
      await recordBatch(ctx, peer, todo, roster);
      return;
    } catch (err) {
      if (!(err instanceof PeerFhirValidationError)) throw err;
      todo = await rejectInvalid(ctx, err, todo);
    }
  }
}

/** The assembled encounters waiting to be written: written (or, in a dry run, counted valid) once they hold BATCH_ROWS rows. */
function encounterBatcher(ctx: EncounterFileContext): { add(a: AssembledEncounter): Promise<void>; flush(): Promise<void> } {
  let batch: AssembledEncounter[] = [];
  let rows = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const current = batch;
    batch = [];
    rows = 0;
    if (ctx.peer) await writeBatch(ctx, ctx.peer, current);
    else ctx.tally.valid += current.reduce((n, a) => n + a.rows.length, 0);
    ctx.report();
  };
  const add = async (a: AssembledEncounter): Promise<void> => {
    batch.push(a);
    rows += a.rows.length;
    if (rows >= BATCH_ROWS) await flush();
  };
  return { add, flush };
}

/**
 * One encounter's rows, closed: an id seen on an earlier group is rejected (the rows of a group encounter must be
 * adjacent); otherwise the rows are assembled and validated, and the encounter joins the batch or every row is rejected.
 */
async function settleGroup(ctx: EncounterFileContext, rows: readonly NumberedRow[], seenIds: Set<string>, batcher: ReturnType<typeof encounterBatcher>): Promise<void> {
  const id = cell(rows[0]?.values ?? {}, 'encounter_id') ?? '';
  if (id && seenIds.has(id)) {
    ctx.tally.encounters.rejected++;
    for (const r of rows) await ctx.reject({ ...r, reasons: ['encounter_id: used again on a later row (rows of one group encounter must be adjacent; ids must be unique)'] });
    return;
  }
  if (id) seenIds.add(id);
  const result = assembleEncounter(rows, ctx.config);
  if (!result.ok) {
    ctx.tally.encounters.rejected++;
    for (const r of result.rejected) await ctx.reject(r);
    return;
  }
  await batcher.add(result.value);
}

/**
 * Import one encounters file: stream its rows, close a group when the encounter_id changes (a row without one is an
 * encounter of its own), settle each group, and write in batches; every row ends created, updated, unchanged,
 * conflict or rejected (or valid in a dry run), and is counted when it does.
 */
export async function importEncounterFile(ctx: EncounterFileContext): Promise<void> {
  const batcher = encounterBatcher(ctx);
  const seenIds = new Set<string>();
  let group: NumberedRow[] = [];
  const close = async (): Promise<void> => {
    if (group.length === 0) return;
    const rows = group;
    group = [];
    await settleGroup(ctx, rows, seenIds, batcher);
  };
  for await (const item of readRows(ctx.file, ctx.format)) {
    ctx.tally.rowsRead++;
    if ('unreadable' in item) {
      await close();
      await ctx.reject({ row: item.unreadable.row, values: item.unreadable.values, reasons: [item.unreadable.reason] });
      continue;
    }
    const id = cell(item.values, 'encounter_id') ?? '';
    const open = group[0] ? cell(group[0].values, 'encounter_id') : undefined;
    if (group.length > 0 && (id === '' || id !== open)) await close();
    group.push(item);
    if (ctx.tally.rowsRead % 200 === 0) ctx.report();
  }
  await close();
  await batcher.flush();
}
