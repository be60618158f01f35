import type { CliConfig } from '../config.js';
import type { NumberedRow, RejectedRow } from './assemble.js';
import { cell } from './cells.js';
import type { KindWithWriter } from './kinds.js';
import { readRows, type ImportFormat } from './read-rows.js';
import { assembleRecord } from './record-kind.js';
import type { WriteOutcome, WriteTarget } from './write-records.js';

/** Row counts of an import, true at every moment (each row is counted once, when its outcome is known). */
export interface RowTally {
  rowsRead: number;
  created: number;
  updated: number;
  unchanged: number;
  conflict: number;
  alreadyPresent: number;
  rejected: number;
  /** Rows valid and not written: a dry run (`validate`) stops before writing. */
  valid: number;
  conflictRows: { file: string; row: number; conflicts: string[] }[];
}

/**
 * Record counts of one kind (a plan of three goals is three rows and one record).
 *
 * @example
 * ```ts
 * const written = (c: RecordCounts) => c.created + c.updated;
 * ```
 * @category Import
 */
export interface RecordCounts {
  created: number;
  updated: number;
  unchanged: number;
  conflict: number;
  rejected: number;
  valid: number;
}

/** What the import of one file of a record kind needs. */
export interface RecordFileContext {
  file: string;
  format: ImportFormat;
  config: CliConfig;
  /** Where to write; `undefined` for a dry run (same checks, nothing written). */
  target: WriteTarget | undefined;
  tally: RowTally;
  counts: RecordCounts;
  reject(r: RejectedRow): Promise<void>;
  /** Called after rows changed state (for a progress line). */
  report(): void;
}

const BATCH_RECORDS = 200;

interface Pending<R> {
  value: R;
  rows: NumberedRow[];
}

/** Count one record's rows under its outcome (rejected rows are counted by `reject`). */
async function settle(ctx: RecordFileContext, p: Pending<unknown>, o: WriteOutcome): Promise<void> {
  if (o.status === 'rejected') {
    ctx.counts.rejected++;
    for (const r of p.rows) await ctx.reject({ ...r, reasons: [o.reason ?? 'rejected'] });
    return;
  }
  ctx.counts[o.status]++;
  ctx.tally[o.status] += p.rows.length;
  if (o.status === 'unchanged' || o.status === 'conflict') ctx.tally.alreadyPresent += p.rows.length;
  if (o.status === 'conflict') for (const r of p.rows) ctx.tally.conflictRows.push({ file: ctx.file, row: r.row, conflicts: o.conflicts ?? [] });
}

/** Write a batch of assembled records (or, in a dry run, count them valid) and count every row. */
async function flushBatch(kind: KindWithWriter<unknown>, ctx: RecordFileContext, batch: Pending<unknown>[]): Promise<void> {
  if (batch.length === 0) return;
  if (!ctx.target) {
    ctx.counts.valid += batch.length;
    ctx.tally.valid += batch.reduce((n, p) => n + p.rows.length, 0);
  } else {
    const outcomes = await kind.write(ctx.target, batch.map((p) => p.value));
    for (const [i, p] of batch.entries()) await settle(ctx, p, outcomes[i] ?? { status: 'rejected', reason: 'no outcome' });
  }
  ctx.report();
}

/** Rows of one record: adjacent rows with the same id for a multi-row kind, else each row alone. */
function sameRecord(kind: KindWithWriter<unknown>, open: readonly NumberedRow[], next: NumberedRow): boolean {
  const [head] = open;
  if (!kind.kind.multiRow || head === undefined) return false;
  const id = cell(next.values, kind.kind.idColumn);
  return id !== undefined && id === cell(head.values, kind.kind.idColumn);
}

/**
 * Import one file of a record kind: stream its rows, group a record's rows, validate with the kind's core schema,
 * reject a repeated id, and write in batches; every row ends created, updated, unchanged, conflict or rejected (or
 * valid in a dry run), and is counted when it does.
 */
export async function importRecordFile(kind: KindWithWriter<unknown>, ctx: RecordFileContext): Promise<void> {
  const seen = new Set<string>();
  let batch: Pending<unknown>[] = [];
  let group: NumberedRow[] = [];
  const close = async (): Promise<void> => {
    const rows = group;
    group = [];
    const [head] = rows;
    if (head === undefined) return;
    const id = cell(head.values, kind.kind.idColumn);
    if (id !== undefined && seen.has(id)) {
      ctx.counts.rejected++;
      const why = `${kind.kind.idColumn}: used again on a later row (${kind.kind.multiRow ? 'rows of one record must be adjacent; ' : ''}ids must be unique)`;
      for (const r of rows) await ctx.reject({ ...r, reasons: [why] });
      return;
    }
    if (id !== undefined) seen.add(id);
    const a = assembleRecord(kind.kind, rows, ctx.config);
    if (!a.ok) {
      ctx.counts.rejected++;
      for (const r of a.rejected) await ctx.reject(r);
      return;
    }
    batch.push({ value: a.value, rows: a.rows });
    if (batch.length >= BATCH_RECORDS) {
      const full = batch;
      batch = [];
      await flushBatch(kind, ctx, full);
    }
  };
  for await (const item of readRows(ctx.file, ctx.format, kind.kind.columns)) {
    ctx.tally.rowsRead++;
    if ('unreadable' in item) {
      await close();
      await ctx.reject({ row: item.unreadable.row, values: item.unreadable.values, reasons: [item.unreadable.reason] });
      continue;
    }
    if (!sameRecord(kind, group, item)) await close();
    group.push(item);
  }
  await close();
  await flushBatch(kind, ctx, batch);
}
