import { createReadStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { stringify, type Stringifier } from 'csv-stringify';
import { CliUsageError } from '../errors.js';
import { neutraliseFormula, restoreFormula } from '../internal/csv-safe.js';
import { createPrivateWriteStream } from '../internal/io.js';
import type { NumberedRow } from './assemble.js';
import { IMPORT_COLUMNS, REJECT_REASONS_COLUMN, type RawRow } from './columns.js';

/** Input formats the importer reads. */
export type ImportFormat = 'csv' | 'ndjson';

/** The format of a file from `--format` or its extension (`.csv`; `.ndjson`, `.jsonl`, `.json`). */
export function formatOf(file: string, explicit?: string): ImportFormat {
  if (explicit !== undefined) {
    if (explicit === 'csv' || explicit === 'ndjson') return explicit;
    throw new CliUsageError(`--format must be csv or ndjson`);
  }
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(ndjson|jsonl|json)$/i.test(file)) return 'ndjson';
  throw new CliUsageError(`cannot tell the format of ${file} from its extension; pass --format csv or --format ndjson`);
}

/** A row whose line could not be read at all (bad JSON, wrong column count). */
export interface UnreadableRow {
  row: number;
  values: RawRow;
  reason: string;
}

/** Longest NDJSON line or CSV record read, in bytes: a longer one is rejected without being held in memory. */
export const MAX_ROW_BYTES = 1024 * 1024;
/** Longest value of one column, in characters (a family name, a note). */
export const MAX_VALUE_CHARS = 10_000;
/** Deepest nesting of a JSON value in an NDJSON row: import rows are flat, arrays of strings at most. */
const MAX_DEPTH = 8;

/** Nesting depth of a JSON value, up to `limit + 1`, without recursion (a hostile row can nest 100 000 levels). */
function depthOf(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, d] = top;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    if (max > limit) return max;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
  return max;
}

type Values = { values: RawRow } | { reason: string; values: RawRow };

/**
 * A row's values as strings, or why the row cannot be read: a value nested too deeply, a value longer than
 * {@link MAX_VALUE_CHARS}. Reasons name columns (import column names, never a key from the file) and limits only.
 */
function stringValues(o: Record<string, unknown>, fromCsv: boolean, known: ReadonlySet<string> = KNOWN): Values {
  const out: RawRow = {};
  const tooLong: string[] = [];
  for (const [k, x] of Object.entries(o)) {
    if (k === REJECT_REASONS_COLUMN || x === null || x === undefined) continue;
    if (typeof x === 'object' && depthOf(x, MAX_DEPTH) > MAX_DEPTH) return { reason: `a value is nested more than ${MAX_DEPTH} levels deep; import rows are flat`, values: {} };
    let v = Array.isArray(x) ? x.map(String).join(';') : typeof x === 'object' ? JSON.stringify(x) : String(x);
    if (fromCsv) v = restoreFormula(v);
    if (v.length > MAX_VALUE_CHARS) {
      tooLong.push(k);
      continue; // the value is not kept: the rejects file gets the row without it
    }
    out[k] = v;
  }
  if (tooLong.length > 0) {
    const named = tooLong.filter((k) => known.has(k));
    const where = named.length === tooLong.length ? `column(s) ${named.join(', ')}` : `${tooLong.length} value(s)`;
    return { reason: `${where} longer than ${MAX_VALUE_CHARS} characters`, values: out };
  }
  return { values: out };
}

const KNOWN: ReadonlySet<string> = knownColumns(IMPORT_COLUMNS);

/** The keys a file of one record kind may use: its columns and the rejects column. */
function knownColumns(columns: readonly string[]): ReadonlySet<string> {
  return new Set<string>([...columns, REJECT_REASONS_COLUMN]);
}

/**
 * Lines of a byte stream, each at most `maxBytes`: a longer line is skipped up to its newline without being kept
 * (yielded as `undefined`), so memory stays flat whatever the line length. A trailing CR is dropped.
 */
async function* cappedLines(input: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<string | undefined> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  const finish = (): string => {
    const text = Buffer.concat(parts, size).toString('utf8');
    parts = [];
    size = 0;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  for await (const chunk of input) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const end = nl < 0 ? chunk.length : nl;
      if (!skipping) {
        if (size + (end - start) > maxBytes) {
          skipping = true;
          parts = [];
          size = 0;
        } else if (end > start) {
          parts.push(chunk.subarray(start, end));
          size += end - start;
        }
      }
      if (nl < 0) break;
      if (skipping) {
        skipping = false;
        yield undefined;
      } else yield finish();
      start = nl + 1;
    }
  }
  if (skipping) yield undefined;
  else if (size > 0) yield finish();
}

/**
 * Stream the rows of one file, one at a time, each numbered by the file line it starts on (a CSV header is line 1; a
 * quoted value with line breaks makes a row span lines) (memory stays flat, whatever the row length: lines and CSV records are
 * capped at {@link MAX_ROW_BYTES}). CSV headers must be import columns; unknown columns are a usage error, named by
 * position. A row that cannot be read is yielded as `{ unreadable }` with a reason that holds no value from the file.
 * A CSV that breaks off (bad quoting, a record over the cap) ends with one unreadable row saying where and that the
 * rest was not read: the rows before it are yielded and imported, and the counts say so.
 */
export async function* readRows(
  file: string,
  format: ImportFormat,
  columns: readonly string[] = IMPORT_COLUMNS,
): AsyncGenerator<NumberedRow | { unreadable: UnreadableRow }> {
  const known = columns === IMPORT_COLUMNS ? KNOWN : knownColumns(columns);
  const input = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch {
    throw new CliUsageError(`cannot read ${file}`);
  }
  if (format === 'csv') yield* csvRows(input, file, columns, known);
  else yield* ndjsonRows(input, known);
}

/** Counts the file lines of CSV records from csv-parse's `info` (see {@link CsvLines.startOf}); the `--ce` loader uses it too. */
export class CsvLines {
  /** CRs seen inside quoted fields so far: csv-parse 7 counts each as a line of its own. */
  #quotedCrs = 0;
  /** File line on which the last record ended. */
  last = 1;

  /**
   * The file line a record starts on (the header is line 1; a blank line between records counts). csv-parse 7.0's
   * `info.lines` is the line a record ends on, except that it counts a CR inside a quoted field as a line as well, for
   * this record and every one after it; a newline inside a quoted field makes the record span lines. Pinned by
   * cli/test/row-lines.property.test.ts, which fails if csv-parse changes how it counts.
   */
  startOf(record: Record<string, string>, linesInfo: number): number {
    let crs = 0;
    let newlines = 0;
    for (const v of Object.values(record)) {
      for (const ch of v) {
        if (ch === '\r') crs++;
        else if (ch === '\n') newlines++;
      }
    }
    this.#quotedCrs += crs;
    this.last = linesInfo - this.#quotedCrs;
    return this.last - newlines;
  }
}

/** The import columns of a CSV header, or a usage error naming unknown columns by position. */
function headerOf(header: string[], file: string, columns: readonly string[], known: ReadonlySet<string>): string[] {
  const cols = header.map((h) => h.trim());
  // Name the unknown columns by position only: a file without its header row would otherwise echo the first
  // data row (names, dates, member ids) as "column names".
  const unknown = cols.flatMap((c, i) => (known.has(c) ? [] : [i + 1]));
  if (unknown.length) {
    throw new CliUsageError(
      `${file}: ${unknown.length} unknown column(s) at position(s) ${unknown.join(', ')}; the first line must be the header row with the import columns of one record kind, such as ${columns.slice(0, 2).join(' and ')} (see docs/import-format.md)`,
    );
  }
  return cols;
}

/** The rows of a CSV stream, each numbered by the file line it starts on. */
async function* csvRows(input: ReturnType<typeof createReadStream>, file: string, columns: readonly string[], known: ReadonlySet<string>): AsyncGenerator<NumberedRow | { unreadable: UnreadableRow }> {
  const parser = input.pipe(
    parse({
      columns: (header: string[]) => headerOf(header, file, columns, known),
      info: true,
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      max_record_size: MAX_ROW_BYTES,
    }),
  );
  const lines = new CsvLines();
  let n = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      n++;
      yield csvRow(record, lines.startOf(record, info.lines), known);
    }
  } catch (err) {
    if (err instanceof CliUsageError) throw err;
    input.destroy();
    // csv-parse cannot go on after a broken quote or an oversized record; its line number is a position, not a value.
    const line = (err as { lines?: number }).lines;
    const what = (err as { code?: string }).code === 'CSV_MAX_RECORD_SIZE' ? `a record longer than ${MAX_ROW_BYTES} bytes` : 'malformed CSV (quoting)';
    yield {
      unreadable: {
        row: lines.last + 1,
        values: {},
        reason: `${what}${line ? ` near line ${line}` : ''}: ${n} row(s) before it were read; this row and the rest of the file were not read`,
      },
    };
  }
}

/** The rows of an NDJSON stream, each numbered by its file line (blank lines count, and are skipped). */
async function* ndjsonRows(input: AsyncIterable<Buffer>, known: ReadonlySet<string>): AsyncGenerator<NumberedRow | { unreadable: UnreadableRow }> {
  let line = 0;
  for await (const text of cappedLines(input, MAX_ROW_BYTES)) {
    line++;
    if (text !== undefined && text.trim() === '') continue;
    if (text === undefined) {
      yield { unreadable: { row: line, values: {}, reason: `line is longer than ${MAX_ROW_BYTES} bytes` } };
      continue;
    }
    yield ndjsonRow(text, line, known);
  }
}

/**
 * One NDJSON line as a row, or as an unreadable row whose reason holds no text from the line (unknown keys are named
 * by position and length: a value in key position, or an escape sequence, must not be echoed).
 */
export function ndjsonRow(line: string, n: number, known: ReadonlySet<string> = KNOWN): NumberedRow | { unreadable: UnreadableRow } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { unreadable: { row: n, values: {}, reason: 'line is not valid JSON' } };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { unreadable: { row: n, values: {}, reason: 'line is not a JSON object' } };
  }
  const v = stringValues(parsed as Record<string, unknown>, false, known);
  if ('reason' in v) return { unreadable: { row: n, values: v.values, reason: v.reason } };
  const keys = Object.keys(parsed as Record<string, unknown>);
  const unknown = keys.flatMap((k, i) => (known.has(k) ? [] : [`#${i + 1} (${k.length} chars)`]));
  if (unknown.length) {
    return { unreadable: { row: n, values: v.values, reason: `unknown key(s) at position(s) ${unknown.join(', ')}; keys must be import columns (docs/import-format.md)` } };
  }
  return { row: n, values: v.values };
}

/** One CSV record (header-keyed) as a row, or as an unreadable row (a value over the length limit). */
export function csvRow(record: Record<string, string>, n: number, known: ReadonlySet<string> = KNOWN): NumberedRow | { unreadable: UnreadableRow } {
  const v = stringValues(record, true, known);
  return 'reason' in v ? { unreadable: { row: n, values: v.values, reason: v.reason } } : { row: n, values: v.values };
}

/** Writes rejected rows in the input's format with a `reject_reasons` column/key, ready to fix and import again. */
export class RejectsWriter {
  #out: WriteStream | undefined;
  #csv: Stringifier | undefined;
  count = 0;

  constructor(
    readonly path: string,
    readonly format: ImportFormat,
    /** The columns of the record kind (a CSV rejects file has all of them, so a fix can fill any). */
    readonly columns: readonly string[] = IMPORT_COLUMNS,
  ) {}

  async write(values: RawRow, reasons: readonly string[]): Promise<void> {
    this.count++;
    if (!this.#out) {
      // Rejected rows are PHI: the file is readable by its owner only.
      this.#out = createPrivateWriteStream(this.path);
      if (this.format === 'csv') {
        // Every import column, so a fix can fill a column the original file left out. Cells that a spreadsheet would
        // run as a formula get a leading apostrophe, which the importer removes again (docs/import-format.md).
        this.#csv = stringify({ header: true, columns: [...this.columns, REJECT_REASONS_COLUMN], cast: { string: neutraliseFormula } });
        this.#csv.pipe(this.#out);
      }
    }
    const row = { ...values, [REJECT_REASONS_COLUMN]: reasons.join('; ') };
    if (this.#csv) {
      if (!this.#csv.write(row)) await once(this.#csv, 'drain');
    } else if (!this.#out.write(`${JSON.stringify(row)}\n`)) await once(this.#out, 'drain');
  }

  async close(): Promise<void> {
    if (!this.#out) return;
    const finished = once(this.#out, 'finish');
    if (this.#csv) this.#csv.end();
    else this.#out.end();
    await finished;
  }
}
