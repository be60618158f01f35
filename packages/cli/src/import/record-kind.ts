import type { ValidationIssue } from '@peer-fhir/core';
import type { CliConfig } from '../config.js';
import type { NumberedRow, RejectedRow } from './assemble.js';
import { cell } from './cells.js';
import type { RawRow } from './columns.js';

/**
 * The record kinds `peer-fhir import` reads, one file format each (docs/import-format.md).
 *
 * @example
 * ```ts
 * const kind: ImportKindName = 'consents';
 * ```
 * @category Import
 */
export type ImportKindName = 'encounters' | 'consents' | 'plans' | 'outcomes' | 'supervision' | 'continuing-education' | 'service-orders' | 'prior-authorizations';

/** What the cells of a record's rows give: the domain input (unvalidated) and problems found reading the cells. */
export interface BuiltInput {
  input: unknown;
  /** Problems of one row (by row number) or of the whole record (`common`), each `column: rule`. */
  rowReasons: Map<number, string[]>;
  common: string[];
}

/** Where a domain path comes from: a column, and the index of the row it sits on when one row is to blame. */
export interface Blame {
  column: string;
  rowIndex?: number | undefined;
}

/** Parsing result of a kind's schema: the record, or issues by domain path. */
export type KindParse<R> = { ok: true; value: R } | { ok: false; issues: readonly ValidationIssue[] };

/**
 * One record kind other than encounters: its columns, how rows make a record, and how a record is validated.
 * Reasons name columns and rules; never a value from the file.
 */
export interface RecordKind<R> {
  readonly name: ImportKindName;
  /** The column holding the record's id; its presence in a header tells the kind. */
  readonly idColumn: string;
  /** Every column, in template order. */
  readonly columns: readonly string[];
  readonly required: readonly string[];
  /** Several adjacent rows with one id make one record (a plan: one row per goal); otherwise one row is one record. */
  readonly multiRow: boolean;
  /** Columns every row of a multi-row record must agree on. */
  readonly shared: readonly string[];
  build(rows: readonly NumberedRow[], config: CliConfig): BuiltInput;
  parse(input: unknown): KindParse<R>;
  blame(path: string): Blame;
}

/**
 * A record kind from its columns (the first is the id column) and its steps; single-row unless `multiRow` names the
 * columns every row of a record shares.
 */
export function defineKind<R>(
  name: ImportKindName,
  /** The kind's columns, its id column first. */
  columns: readonly [string, ...string[]],
  required: readonly string[],
  steps: Pick<RecordKind<R>, 'build' | 'parse' | 'blame'> & { shared?: readonly string[] },
): RecordKind<R> {
  const { shared, ...rest } = steps;
  return { name, idColumn: columns[0], columns, required, multiRow: shared !== undefined, shared: shared ?? [], ...rest };
}

/** The rows of one record, as a domain record or as rejected rows. */
export type AssembledRecord<R> = { ok: true; value: R; rows: NumberedRow[] } | { ok: false; rejected: RejectedRow[] };

/**
 * The input of a record whose fields all come from its first row: `make` reads the cells, adding a reason for a cell
 * it cannot read (those are the record's reasons).
 */
export function fromFirstRow(rows: readonly NumberedRow[], make: (r: RawRow, reasons: string[]) => unknown): BuiltInput {
  const common: string[] = [];
  const input = make(rows[0]?.values ?? {}, common);
  return builtInput(rows, input, common);
}

/** A fresh {@link BuiltInput} for `rows`, with no reasons yet. */
export function builtInput(rows: readonly NumberedRow[], input: unknown, common: string[] = []): BuiltInput {
  return { input, rowReasons: new Map(rows.map((r) => [r.row, []])), common };
}

function checkRequired<R>(kind: RecordKind<R>, rows: readonly NumberedRow[], built: BuiltInput): void {
  for (const { row, values } of rows) {
    for (const k of kind.required) if (!cell(values, k)) built.rowReasons.get(row)?.push(`${k}: required`);
  }
}

function checkShared<R>(kind: RecordKind<R>, rows: readonly NumberedRow[], built: BuiltInput): void {
  const [head] = rows;
  if (head === undefined) return;
  for (const k of kind.shared) {
    const at = rows.find((r) => (cell(r.values, k) ?? '') !== (cell(head.values, k) ?? ''));
    if (at) built.rowReasons.get(at.row)?.push(`${k}: differs from the first row of this ${kind.name} record (row ${head.row})`);
  }
}

function blameIssues<R>(kind: RecordKind<R>, rows: readonly NumberedRow[], issues: readonly ValidationIssue[], built: BuiltInput): void {
  for (const issue of issues) {
    const { column, rowIndex } = kind.blame(issue.path);
    const reason = `${column}: ${issue.message}`;
    const row = rowIndex === undefined ? undefined : rows[rowIndex];
    if (row && rows.length > 1) built.rowReasons.get(row.row)?.push(reason);
    else built.common.push(reason);
  }
}

/**
 * Reject every row of a record: a row at fault carries its own reasons; the others say which rows were at fault, so
 * an error never blames a row that has none (a record lands whole or not at all).
 */
export function rejectTogether(rows: readonly NumberedRow[], rowReasons: ReadonlyMap<number, string[]>, common: readonly string[], what = 'record'): RejectedRow[] {
  const atFault = rows.filter((r) => (rowReasons.get(r.row)?.length ?? 0) > 0).map((r) => r.row);
  return rows.map(({ row, values }) => {
    const reasons = [...new Set([...common, ...(rowReasons.get(row) ?? [])])];
    if (reasons.length === 0) reasons.push(`rejected with its ${what} (row ${atFault.join(', ')})`);
    return { row, values, reasons };
  });
}

/** Turn the rows of one record into a validated domain record, or reject every row with its reasons. */
export function assembleRecord<R>(kind: RecordKind<R>, rows: readonly NumberedRow[], config: CliConfig): AssembledRecord<R> {
  const built = kind.build(rows, config);
  checkRequired(kind, rows, built);
  if (rows.length > 1) checkShared(kind, rows, built);
  const parsed = kind.parse(built.input);
  if (!parsed.ok) blameIssues(kind, rows, parsed.issues, built);
  const anyRow = [...built.rowReasons.values()].some((r) => r.length > 0);
  if (parsed.ok && !anyRow && built.common.length === 0) return { ok: true, value: parsed.value, rows: [...rows] };
  return { ok: false, rejected: rejectTogether(rows, built.rowReasons, built.common) };
}
