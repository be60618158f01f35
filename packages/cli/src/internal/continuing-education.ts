import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { ContinuingEducation, parseRecord } from '@peer-fhir/core';
import { CliUsageError } from '../errors.js';
import { CsvLines } from '../import/read-rows.js';

/** CSV headers accepted besides the schema's own field names: those of the import template (`ce_id`, …) too. */
const ALIASES: Record<string, string> = { ce_id: 'id', peer_npi: 'peerNpi', credential_number: 'credentialNumber' };
const NUMERIC = new Set(['hours']);

function fromCsvRow(row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const key = ALIASES[k.trim()] ?? k.trim();
    if (v.trim() === '') continue;
    out[key] = NUMERIC.has(key) && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v.trim();
  }
  return out;
}

/**
 * The records of a CSV text, each numbered by the file line it starts on (the header is line 1; a quoted value with
 * line breaks makes a row span lines; blank lines count).
 */
function csvRecords(text: string, file: string): { row: number; value: unknown }[] {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, bom: true, info: true }) as typeof rows;
  } catch {
    throw new CliUsageError(`CE file ${file} is not readable CSV`);
  }
  const lines = new CsvLines();
  return rows.map(({ record, info }) => ({ row: lines.startOf(record, info.lines), value: fromCsvRow(record) }));
}

/**
 * Read continuing-education records (`--ce FILE`): NDJSON objects or CSV with the fields of core's
 * `ContinuingEducation` (`id, peerNpi, date, hours, topic, credentialNumber, provider`; `peer_npi` and
 * `credential_number` also work as CSV headers, so the continuing-education import template does). Every record is validated; problems are listed by row and field,
 * never by value. Records imported with `peer-fhir import` are read from the server; this file adds to them.
 */
export async function loadContinuingEducation(file: string): Promise<ContinuingEducation[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliUsageError(`cannot read CE file ${file}`);
  }
  const raw: { row: number; value: unknown }[] = [];
  const problems: string[] = [];
  if (/\.csv$/i.test(file)) {
    raw.push(...csvRecords(text, file));
  } else if (/\.(ndjson|jsonl)$/i.test(file)) {
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      try {
        raw.push({ row: i + 1, value: JSON.parse(line) });
      } catch {
        problems.push(`line ${i + 1}: not valid JSON`);
      }
    });
  } else {
    throw new CliUsageError(`CE file ${file} must be .csv or .ndjson`);
  }
  const out: ContinuingEducation[] = [];
  const where = /\.csv$/i.test(file) ? 'row' : 'line';
  for (const { row, value } of raw) {
    const r = parseRecord(ContinuingEducation, value, 'ContinuingEducation');
    if (r.ok) out.push(r.value);
    else problems.push(...r.issues.map((i) => `${where} ${row}: ${i.path || '(record)'}: ${i.message}`));
  }
  if (problems.length > 0) throw new CliUsageError(`CE file ${file} has ${problems.length} problem(s)`, problems);
  return out;
}
