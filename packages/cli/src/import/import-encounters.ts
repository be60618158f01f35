// The encounters kind of `peer-fhir import`, as ordered steps: read a file's rows, group the rows of one encounter
// (adjacent rows with one encounter_id), assemble and validate each group, batch the groups, write a batch with
// `PeerClient.recordEncounters` while the next one is read (write-encounters.ts), and count every row under the
// outcome its encounter got. The other record kinds take the same road in import-records.ts.
import type { PeerClient } from '@peer-fhir/client';
import type { CliConfig } from '../config.js';
import { assembleEncounter, type AssembledEncounter, type NumberedRow, type RejectedRow } from './assemble.js';
import { cell } from './cells.js';
import type { RowTally } from './import-records.js';
import { readRows, type ImportFormat } from './read-rows.js';
import type { UpdateTally } from './update-rows.js';
import { encounterPipeline, type EncounterBatch } from './write-encounters.js';

/** Rows (written or rejected) a batch holds before it is written (a batch ends at the group that reaches it). */
const BATCH_ROWS = 1000;

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
  /**
   * A roster of this import is stored (the server has answered it): from then on a write that got no answer through
   * all of the client's retries is attempted again, before that it stops the import.
   */
  stored?: boolean;
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
  /** Rows per batch (default 1,000); tests make it small to write many overlapping batches. */
  batchRows?: number | undefined;
  tally: EncounterTally;
  reject(r: RejectedRow): Promise<void>;
  /** Called after rows changed state (for a progress line). */
  report(): void;
}

/** The batch being filled by the reader, handed to the pipeline once it holds `batchRows` rows. */
class BatchFiller {
  #batch: EncounterBatch = { encounters: [], rejected: [], rows: 0 };
  readonly #limit: number;
  readonly #pipeline: ReturnType<typeof encounterPipeline>;

  constructor(ctx: EncounterFileContext) {
    this.#limit = ctx.batchRows ?? BATCH_ROWS;
    this.#pipeline = encounterPipeline(ctx);
  }

  /** An encounter assembled from its rows joins the batch. */
  add(a: AssembledEncounter): Promise<void> {
    this.#batch.encounters.push(a);
    this.#batch.rows += a.rows.length;
    return this.#submitIfFull();
  }

  /** Rows the reader refused: counted and written to the rejects file with the batch, in file order. */
  reject(rows: readonly RejectedRow[]): Promise<void> {
    this.#batch.rejected.push(...rows);
    this.#batch.rows += rows.length;
    return this.#submitIfFull();
  }

  /** The last batch handed over, and every batch written and counted. */
  async finish(): Promise<void> {
    await this.#submit();
    await this.#pipeline.finish();
  }

  /** After the reader failed: the batches already handed over are let finish (none is left writing), the rest dropped. */
  async abandon(): Promise<void> {
    await this.#pipeline.finish().catch(() => undefined);
  }

  #submitIfFull(): Promise<void> {
    return this.#batch.rows >= this.#limit ? this.#submit() : Promise.resolve();
  }

  #submit(): Promise<void> {
    const batch = this.#batch;
    if (batch.rows === 0) return Promise.resolve();
    this.#batch = { encounters: [], rejected: [], rows: 0 };
    return this.#pipeline.submit(batch);
  }
}

/**
 * One encounter's rows, closed: an id seen on an earlier group is rejected (the rows of a group encounter must be
 * adjacent); otherwise the rows are assembled and validated, and the encounter joins the batch or every row is rejected.
 */
async function settleGroup(ctx: EncounterFileContext, rows: readonly NumberedRow[], seenIds: Set<string>, batches: BatchFiller): Promise<void> {
  const id = cell(rows[0]?.values ?? {}, 'encounter_id') ?? '';
  if (id && seenIds.has(id)) {
    ctx.tally.encounters.rejected++;
    await batches.reject(rows.map((r) => ({ ...r, reasons: ['encounter_id: used again on a later row (rows of one group encounter must be adjacent; ids must be unique)'] })));
    return;
  }
  if (id) seenIds.add(id);
  const result = assembleEncounter(rows, ctx.config);
  if (!result.ok) {
    ctx.tally.encounters.rejected++;
    await batches.reject(result.rejected);
    return;
  }
  await batches.add(result.value);
}

/**
 * Import one encounters file: stream its rows, close a group when the encounter_id changes (a row without one is an
 * encounter of its own), settle each group, and write in batches, the next read while one is written; every row ends
 * created, updated, unchanged, conflict or rejected (or valid in a dry run), and is counted when it does.
 */
export async function importEncounterFile(ctx: EncounterFileContext): Promise<void> {
  const batches = new BatchFiller(ctx);
  const seenIds = new Set<string>();
  let group: NumberedRow[] = [];
  const close = async (): Promise<void> => {
    if (group.length === 0) return;
    const rows = group;
    group = [];
    await settleGroup(ctx, rows, seenIds, batches);
  };
  try {
    for await (const item of readRows(ctx.file, ctx.format)) {
      ctx.tally.rowsRead++;
      if ('unreadable' in item) {
        await close();
        await batches.reject([{ row: item.unreadable.row, values: item.unreadable.values, reasons: [item.unreadable.reason] }]);
        continue;
      }
      const id = cell(item.values, 'encounter_id') ?? '';
      const open = group[0] ? cell(group[0].values, 'encounter_id') : undefined;
      if (group.length > 0 && (id === '' || id !== open)) await close();
      group.push(item);
      if (ctx.tally.rowsRead % 200 === 0) ctx.report();
    }
    await close();
  } catch (err) {
    // The file could not be read on: no batch may still be writing when the command ends with the error.
    await batches.abandon();
    throw err;
  }
  await batches.finish();
}
