import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { stringify, type Stringifier } from 'csv-stringify';
import { CliUsageError } from '../errors.js';
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

const stringValues = (o: Record<string, unknown>): RawRow => {
  const out: RawRow = {};
  for (const [k, x] of Object.entries(o)) {
    if (k === REJECT_REASONS_COLUMN || x === null || x === undefined) continue;
    out[k] = Array.isArray(x) ? x.map(String).join(';') : typeof x === 'object' ? JSON.stringify(x) : String(x);
  }
  return out;
};

/**
 * Stream the rows of one file, one at a time (memory stays flat). CSV headers must be import columns; unknown columns
 * are a usage error, listed by name. A row that cannot be read is yielded as `{ unreadable }`.
 */
export async function* readRows(file: string, format: ImportFormat): AsyncGenerator<NumberedRow | { unreadable: UnreadableRow }> {
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
  const known = new Set<string>([...IMPORT_COLUMNS, REJECT_REASONS_COLUMN]);
  let n = 0;
  if (format === 'csv') {
    const parser = input.pipe(
      parse({
        columns: (header: string[]) => {
          const cols = header.map((h) => h.trim());
          // Name the unknown columns by position only: a file without its header row would otherwise echo the first
          // data row (names, dates, member ids) as "column names".
          const unknown = cols.flatMap((c, i) => (known.has(c) ? [] : [i + 1]));
          if (unknown.length) {
            throw new CliUsageError(
              `${file}: ${unknown.length} unknown column(s) at position(s) ${unknown.join(', ')}; the first line must be the header row with import columns such as encounter_id and participant_id (see docs/import-format.md)`,
            );
          }
          return cols;
        },
        bom: true,
        skip_empty_lines: true,
        trim: true,
        relax_column_count: true,
      }),
    );
    try {
      for await (const record of parser as AsyncIterable<Record<string, string>>) {
        n++;
        yield { row: n, values: stringValues(record) };
      }
    } catch (err) {
      if (err instanceof CliUsageError) throw err;
      // csv-parse stops at a malformed quote; its message names a line number, not values.
      const line = (err as { lines?: number }).lines;
      throw new CliUsageError(`${file}: CSV is malformed${line ? ` near line ${line}` : ''}; rows before it were processed`);
    }
    return;
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    n++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      yield { unreadable: { row: n, values: {}, reason: 'line is not valid JSON' } };
      continue;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      yield { unreadable: { row: n, values: {}, reason: 'line is not a JSON object' } };
      continue;
    }
    const values = stringValues(parsed as Record<string, unknown>);
    const unknown = Object.keys(values).filter((k) => !known.has(k));
    if (unknown.length) {
      yield { unreadable: { row: n, values, reason: `unknown key(s): ${unknown.join(', ')}` } };
      continue;
    }
    yield { row: n, values };
  }
}

/** Writes rejected rows in the input's format with a `reject_reasons` column/key, ready to fix and import again. */
export class RejectsWriter {
  #out: WriteStream | undefined;
  #csv: Stringifier | undefined;
  count = 0;

  constructor(
    readonly path: string,
    readonly format: ImportFormat,
  ) {}

  async write(values: RawRow, reasons: readonly string[]): Promise<void> {
    this.count++;
    if (!this.#out) {
      this.#out = createWriteStream(this.path);
      if (this.format === 'csv') {
        // Every import column, so a fix can fill a column the original file left out.
        this.#csv = stringify({ header: true, columns: [...IMPORT_COLUMNS, REJECT_REASONS_COLUMN] });
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
