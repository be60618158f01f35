import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CliUsageError } from '../errors.js';
import { IMPORT_COLUMNS } from './columns.js';
import { consentKind } from './consents.js';
import { continuingEducationKind } from './continuing-education.js';
import { outcomeKind } from './outcomes.js';
import { planKind } from './plans.js';
import { priorAuthorizationKind, writePriorAuthorizations } from './prior-authorizations.js';
import type { ImportFormat } from './read-rows.js';
import type { ImportKindName, RecordKind } from './record-kind.js';
import { serviceOrderKind, writeServiceOrders } from './service-orders.js';
import { supervisionKind } from './supervision.js';
import { writeConsents, writeContinuingEducation, writeOutcomes, writePlans, writeSupervision, type WriteOutcome, type WriteTarget } from './write-records.js';

/** A record kind with its writer: how its records are stored. */
export interface KindWithWriter<R> {
  kind: RecordKind<R>;
  write(target: WriteTarget, records: readonly R[]): Promise<WriteOutcome[]>;
}

/** Wraps a kind and its writer, keeping their record type together. */
function pair<R>(kind: RecordKind<R>, write: (t: WriteTarget, records: readonly R[]) => Promise<WriteOutcome[]>): KindWithWriter<unknown> {
  return { kind, write };
}

/** Every record kind but encounters (their path is `commands/import.ts`), in the order the docs list them. */
export const RECORD_KINDS: readonly KindWithWriter<unknown>[] = [
  pair(consentKind, writeConsents),
  pair(planKind, writePlans),
  pair(outcomeKind, writeOutcomes),
  pair(supervisionKind, writeSupervision),
  pair(continuingEducationKind, writeContinuingEducation),
  pair(serviceOrderKind, writeServiceOrders),
  pair(priorAuthorizationKind, writePriorAuthorizations),
];

/** The import kind names `--kind` accepts. */
export const IMPORT_KINDS: readonly ImportKindName[] = ['encounters', ...RECORD_KINDS.map((k) => k.kind.name)];

/** The id column of each kind: its presence in a header or first NDJSON object tells the kind. */
const ID_COLUMNS: readonly (readonly [ImportKindName, string])[] = [['encounters', IMPORT_COLUMNS[0]], ...RECORD_KINDS.map((k) => [k.kind.name, k.kind.idColumn] as const)];

/** The kind named by `--kind`, checked. */
export function kindNamed(name: string): ImportKindName {
  const k = IMPORT_KINDS.find((x) => x === name);
  if (!k) throw new CliUsageError(`--kind must be one of ${IMPORT_KINDS.join(', ')}`);
  return k;
}

/** The first non-empty line of a file (the CSV header or the first NDJSON object), or `undefined`. */
async function firstLine(file: string): Promise<string | undefined> {
  const lines = createInterface({ input: createReadStream(file, { end: 64 * 1024 }), crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line.trim() !== '') return line;
  } catch {
    throw new CliUsageError(`cannot read ${file}`);
  } finally {
    lines.close();
  }
  return undefined;
}

/** The names in a first line: CSV header cells, or the keys of an NDJSON object. */
function namesIn(line: string, format: ImportFormat): string[] {
  if (format === 'csv') return line.replace(/^\uFEFF/, '').split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  try {
    const o: unknown = JSON.parse(line);
    return o !== null && typeof o === 'object' ? Object.keys(o) : [];
  } catch {
    return [];
  }
}

/**
 * The kind of a file, from `--kind` or from the id column its header (CSV) or first object (NDJSON) has. A file
 * with several kinds' id columns is a usage error (it says which columns tell the kinds apart); one with none is read
 * as encounters.
 */
export async function detectKind(file: string, format: ImportFormat, explicit?: string): Promise<ImportKindName> {
  if (explicit !== undefined) return kindNamed(explicit);
  const line = await firstLine(file);
  if (line === undefined) return 'encounters';
  const names = new Set(namesIn(line, format));
  const all = ID_COLUMNS.filter(([, column]) => names.has(column)).map(([k]) => k);
  // Other kinds may name an encounter (an outcome's `encounter_id`): their own id column tells them apart.
  const others = all.filter((k) => k !== 'encounters');
  const matches = others.length > 0 ? others : all;
  const [only] = matches;
  if (matches.length === 1 && only !== undefined) return only;
  // No id column at all: read it as encounters, whose reader names the unknown columns by position.
  if (matches.length === 0) return 'encounters';
  const how = ID_COLUMNS.map(([k, c]) => `${c} (${k})`).join(', ');
  throw new CliUsageError(`${file}: cannot tell the record kind: the ${format === 'csv' ? 'header' : 'first object'} has several of ${how}, or pass --kind`);
}

/** The kind and writer of a name other than `encounters`. */
export function recordKindOf(name: ImportKindName): KindWithWriter<unknown> | undefined {
  return RECORD_KINDS.find((k) => k.kind.name === name);
}
