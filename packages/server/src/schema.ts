import type Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4.js';
import { ServerSchemaVersionError } from './errors.js';
import { forEachDateRow } from './date-index.js';
import { CODED_PARAMS, DATE_SPAN_DAYS, forEachReference, forEachToken } from './search-params.js';

/**
 * The database layout of the embedded server, versioned with SQLite's `PRAGMA user_version`. A database is brought
 * forward one step at a time, in one transaction; one written by a newer server (a version this code does not know) is
 * refused, never opened and half-understood.
 */

/** Version 1: resources, history, the identifier/tag index, the reference index, and meta. */
const SCHEMA_1 = `
CREATE TABLE IF NOT EXISTS resources (
  seq INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  json TEXT NOT NULL,
  UNIQUE (type, id)
);
CREATE INDEX IF NOT EXISTS resources_by_type ON resources (type, seq);
CREATE TABLE IF NOT EXISTS history (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (type, id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (
  type TEXT NOT NULL,
  kind TEXT NOT NULL,
  system TEXT NOT NULL,
  value TEXT NOT NULL,
  id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_lookup ON tokens (type, kind, system, value);
CREATE INDEX IF NOT EXISTS tokens_owner ON tokens (type, id);
CREATE TABLE IF NOT EXISTS refs (
  type TEXT NOT NULL,
  reference TEXT NOT NULL,
  id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refs_lookup ON refs (type, reference);
CREATE INDEX IF NOT EXISTS refs_owner ON refs (type, id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/**
 * Version 2: the date index. One row per resource, plain-path date search parameter of its type (`_lastUpdated`
 * included) and searchable period: `lo`/`hi` are the period as Medplum's date matcher compares it (ISO instants in UTC;
 * an open end is '0000'/'9999'); row `n = 0`'s `lo` is the sort key. Date filters (`date=ge…`, `_lastUpdated=gt…`,
 * `created=…`) and date sorts (`_sort=-date`) are answered from its indexes instead of reading every resource of the
 * type (sqlite-search.ts). Two indexes only (each one more B-tree written per value): `dates_lo` serves `lo`
 * comparisons and sorts, `dates_hi` serves `hi` comparisons; the key (type, id, …) finds a resource's rows.
 */
const SCHEMA_2 = `
CREATE TABLE IF NOT EXISTS dates (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  code TEXT NOT NULL,
  n INTEGER NOT NULL,
  lo TEXT NOT NULL,
  hi TEXT NOT NULL,
  PRIMARY KEY (type, id, code, n)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dates_lo ON dates (type, code, lo, id);
CREATE INDEX IF NOT EXISTS dates_hi ON dates (type, code, hi);
`;

/**
 * Calls `fn` with every stored resource, oldest first, read 512 rows at a time: inserting while a statement iterates
 * the same database is refused by better-sqlite3, so a step that writes index rows cannot iterate one statement.
 */
function forEachStored(db: Database.Database, fn: (type: string, id: string, resource: Resource) => void): void {
  const batch = db.prepare('SELECT seq, type, id, json FROM resources WHERE seq > ? ORDER BY seq LIMIT 512');
  let after = 0;
  for (;;) {
    const rows = batch.all(after) as { seq: number; type: string; id: string; json: string }[];
    for (const row of rows) fn(row.type, row.id, JSON.parse(row.json) as Resource);
    const last = rows.at(-1);
    if (rows.length < 512 || !last) return;
    after = last.seq;
  }
}

/** 1 -> 2: create the date index and fill it from the stored resources (in version 2's layout). */
function addDateIndex(db: Database.Database): void {
  db.exec(SCHEMA_2);
  const removeDates = db.prepare('DELETE FROM dates WHERE type = ? AND id = ?');
  const addDate = db.prepare('INSERT INTO dates (type, id, code, n, lo, hi) VALUES (?, ?, ?, ?, ?, ?)');
  forEachStored(db, (type, id, resource) => {
    removeDates.run(type, id);
    forEachDateRow(type, resource, (code, n, lo, hi) => addDate.run(type, id, code, n, lo, hi));
  });
}

/** A forward step: SQL, or a function for a step that computes rows from the stored resources. */
type Migration = string | ((db: Database.Database) => void);

/** Version 3: the deletion log a `_since` Bulk Data export reports deletions from (deletions.ts). */
const SCHEMA_3 = `
CREATE TABLE IF NOT EXISTS deletions (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  deleted_ms INTEGER NOT NULL,
  patients TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deletions_since ON deletions (deleted_ms);
`;

/** The forward steps: `MIGRATIONS[n - 1]` takes a database from version n - 1 to n. */
const CODED_KINDS: ReadonlySet<string> = new Set(CODED_PARAMS);

/**
 * 3 -> 4: the token index also holds the coded parameters (`status`, `type`, `code`, `category` where one plain
 * element, lower-cased; search-params.ts): their rows for the resources already stored.
 */
function addCodedTokens(db: Database.Database): void {
  // Idempotent, like every step (a user_version 0 database may already hold these rows).
  db.prepare(`DELETE FROM tokens WHERE kind IN (${CODED_PARAMS.map(() => '?').join(', ')})`).run(...CODED_PARAMS);
  const addToken = db.prepare('INSERT INTO tokens (type, kind, system, value, id) VALUES (?, ?, ?, ?, ?)');
  forEachStored(db, (type, id, resource) =>
    forEachToken(resource, (kind, system, value) => {
      if (CODED_KINDS.has(kind)) addToken.run(type, kind, system, value, id);
    }),
  );
}

/**
 * Version 5: a version's content is stored once. The history row of a resource's current version holds '' instead of
 * a second copy of the JSON in `resources` (history was about half of a store's bytes, and its WITHOUT ROWID rows of
 * several KB left much of each page unused); before `resources` loses that content — an update or a delete — these
 * triggers move it into the history row, in the same statement and transaction, so no version is ever lost. Readers
 * take '' as "the current content" (sqlite-store.ts `versions`). Versions written by version 4 keep their full copy:
 * nothing is rewritten, so the step is instant on any size.
 */
const SCHEMA_5 = `
CREATE TRIGGER IF NOT EXISTS history_keeps_updated BEFORE UPDATE OF json ON resources BEGIN
  UPDATE history SET json = OLD.json WHERE type = OLD.type AND id = OLD.id AND json = '';
END;
CREATE TRIGGER IF NOT EXISTS history_keeps_deleted BEFORE DELETE ON resources BEGIN
  UPDATE history SET json = OLD.json WHERE type = OLD.type AND id = OLD.id AND json = '';
END;
`;

/**
 * Version 6 (issue 18, searches at 100k–1M rows): the reference index records where each reference sits (`path`, the
 * property names from the resource down to the Reference, e.g. `serviceProvider`, `participant.individual`), so a
 * reference filter is checked in SQL on the parameter's own path instead of parsing each candidate in JavaScript;
 * the table is keyed by its owner (`type, id, path, reference`: one B-tree serves a per-row `EXISTS`, and
 * `refs_lookup` holds the key, so a lookup by reference never reads the table). The token lookup index holds the id
 * (a conditional create's `identifier=system|value` is answered from that one index). `dates_span` keeps each date
 * row's length in days (open or unparseable: 1e9), so the longest of a parameter is one index probe: a range filter
 * `date=ge…` then reads the date index from the filter's start minus that length, not from the beginning of time.
 * `type_changes` counts the writes to each type's resources (triggers, so no write path can miss one): a search's
 * total and page keys are remembered while its type's count stands (sqlite-search.ts), so writing Claims between
 * the pages of the month's Encounters does not make each page count and walk the month again.
 */
const SCHEMA_6 = `
DROP TABLE IF EXISTS refs;
CREATE TABLE refs (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  path TEXT NOT NULL,
  reference TEXT NOT NULL,
  PRIMARY KEY (type, id, path, reference)
) WITHOUT ROWID;
CREATE INDEX refs_lookup ON refs (type, reference, path);
DROP INDEX IF EXISTS tokens_lookup;
CREATE INDEX tokens_lookup ON tokens (type, kind, system, value, id);
CREATE INDEX IF NOT EXISTS dates_span ON dates (type, code, ${DATE_SPAN_DAYS});
CREATE TABLE IF NOT EXISTS type_changes (type TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS type_changes_insert AFTER INSERT ON resources BEGIN
  INSERT INTO type_changes (type, n) VALUES (NEW.type, 1) ON CONFLICT (type) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS type_changes_update AFTER UPDATE ON resources BEGIN
  INSERT INTO type_changes (type, n) VALUES (NEW.type, 1) ON CONFLICT (type) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS type_changes_delete AFTER DELETE ON resources BEGIN
  INSERT INTO type_changes (type, n) VALUES (OLD.type, 1) ON CONFLICT (type) DO UPDATE SET n = n + 1;
END;
`;

/** 5 -> 6: the reference index rebuilt with paths, from the stored resources; the covering and span indexes. */
function addReferencePathsAndCoveringIndexes(db: Database.Database): void {
  db.exec(SCHEMA_6);
  const addRef = db.prepare('INSERT INTO refs (type, id, path, reference) VALUES (?, ?, ?, ?)');
  forEachStored(db, (type, id, resource) => forEachReference(resource, (path, reference) => addRef.run(type, id, path, reference)));
}

/**
 * Version 7 (issue 18, B2: fewer B-tree inserts per write): the index rows are owned by the resource's integer row key
 * (`resources.seq`) instead of its type and 36-character id. Each index table is keyed by its owner WITHOUT ROWID
 * (`owner` first: a new resource's rows are appended at the end of that B-tree, and a resource's rows, for a per-row
 * `EXISTS` or an update's removal, are one key range), so the token table loses its owner index (3 B-trees per token
 * row -> 2), and every lookup index carries a small integer instead of a string key. A coded token without a system
 * (a coding's display, a concept's text, a plain code) rides in the `text` column of the resource's next row of the
 * same parameter that has a system (a coding's `system|code`), indexed by `tokens_text` for those rows only: 30% of
 * the token rows of a recorded encounter were such displays, each a row of its own and two B-tree inserts. A date row keeps its resource's
 * id for the sort order of ties (`dates_lo`: both stores break ties by id). The `dates_span` expression index (two
 * `julianday` per row written) gives way to `date_spans`: per type and parameter, the longest row written (in days;
 * 1e9 when open-ended), recorded only for rows longer than a day, so instants and single days (every `_lastUpdated`)
 * write nothing there; it only grows (a deleted long row leaves a wider bound, never a wrong one). The step copies the
 * version 6 rows in SQL (no JSON parsed; {@link OWNER_COPIES}) and computes the spans from them. The write counts of `type_changes` (three
 * triggers on `resources`: one more B-tree write per stored resource) are kept in the process instead
 * (write-counts.ts: the database is open in one process only).
 */
/**
 * 6 -> 7: the SELECTs that copy a version 6 index table's rows under their owner's row key, in row key order (each
 * new table is then written at its end). Each resource's rows are found by its (type, id) key (`CROSS JOIN` keeps
 * `resources` outside, `INDEXED BY`: with no statistics SQLite chose the token lookup index on `type` alone, a walk of
 * every token of the type per resource, which did not finish on a 100k-row store).
 */
export const OWNER_COPIES = {
  tokens: 'SELECT r.seq, t.kind, t.system, t.value, t.type FROM resources r CROSS JOIN tokens t INDEXED BY tokens_owner ON t.type = r.type AND t.id = r.id ORDER BY r.seq',
  refs: 'SELECT r.seq, f.path, f.reference, f.type FROM resources r CROSS JOIN refs f ON f.type = r.type AND f.id = r.id ORDER BY r.seq',
  dates: 'SELECT r.seq, d.code, d.n, d.lo, d.hi, d.type, d.id FROM resources r CROSS JOIN dates d ON d.type = r.type AND d.id = r.id ORDER BY r.seq',
};

const SCHEMA_7 = `
CREATE TABLE tokens_7 (
  owner INTEGER NOT NULL,
  kind TEXT NOT NULL,
  system TEXT NOT NULL,
  value TEXT NOT NULL,
  type TEXT NOT NULL,
  text TEXT,
  PRIMARY KEY (owner, kind, system, value)
) WITHOUT ROWID;
INSERT OR IGNORE INTO tokens_7 (owner, kind, system, value, type) ${OWNER_COPIES.tokens};
DROP TABLE tokens;
ALTER TABLE tokens_7 RENAME TO tokens;
CREATE INDEX tokens_lookup ON tokens (type, kind, system, value);
CREATE INDEX tokens_text ON tokens (type, kind, text) WHERE text IS NOT NULL;
CREATE TABLE refs_7 (
  owner INTEGER NOT NULL,
  path TEXT NOT NULL,
  reference TEXT NOT NULL,
  type TEXT NOT NULL,
  PRIMARY KEY (owner, path, reference)
) WITHOUT ROWID;
INSERT OR IGNORE INTO refs_7 (owner, path, reference, type) ${OWNER_COPIES.refs};
DROP TABLE refs;
ALTER TABLE refs_7 RENAME TO refs;
CREATE INDEX refs_lookup ON refs (type, reference, path);
CREATE TABLE dates_7 (
  owner INTEGER NOT NULL,
  code TEXT NOT NULL,
  n INTEGER NOT NULL,
  lo TEXT NOT NULL,
  hi TEXT NOT NULL,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  PRIMARY KEY (owner, code, n)
) WITHOUT ROWID;
INSERT OR IGNORE INTO dates_7 (owner, code, n, lo, hi, type, id) ${OWNER_COPIES.dates};
CREATE TABLE date_spans (type TEXT NOT NULL, code TEXT NOT NULL, days REAL NOT NULL, PRIMARY KEY (type, code)) WITHOUT ROWID;
INSERT INTO date_spans (type, code, days) SELECT type, code, max(${DATE_SPAN_DAYS}) FROM dates_7 GROUP BY type, code;
DROP TABLE dates;
ALTER TABLE dates_7 RENAME TO dates;
CREATE INDEX dates_lo ON dates (type, code, lo, id);
CREATE INDEX dates_hi ON dates (type, code, hi);
DROP TRIGGER type_changes_insert;
DROP TRIGGER type_changes_update;
DROP TRIGGER type_changes_delete;
DROP TABLE type_changes;
`;

const MIGRATIONS: readonly Migration[] = [
  // 0 -> 1. Databases written before the version was recorded (user_version 0) already have this layout: every
  // statement is CREATE ... IF NOT EXISTS, so the step is the same for them and for a new, empty database.
  SCHEMA_1,
  addDateIndex,
  // 2 -> 3.
  SCHEMA_3,
  addCodedTokens,
  SCHEMA_5,
  addReferencePathsAndCoveringIndexes,
  SCHEMA_7,
];

/**
 * The schema version this server writes.
 * @example
 * ```ts
 * import { SCHEMA_VERSION } from '@peer-fhir/server';
 * console.log(SCHEMA_VERSION); // 7
 * ```
 * @category Data folder
 */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Bring a database to {@link SCHEMA_VERSION}: run each missing forward step and record the version, all in one
 * transaction (a crash in between leaves the old version, and the next open runs the steps again). `target` stops at
 * an older version: the layout an older server wrote (tests build such stores to migrate them).
 *
 * @throws ServerSchemaVersionError when the database has a version this server does not know (written by a newer one)
 */
export function migrateSchema(db: Database.Database, target: number = SCHEMA_VERSION): void {
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > SCHEMA_VERSION || found < 0) throw new ServerSchemaVersionError(found, SCHEMA_VERSION);
  if (found >= target) return;
  db.transaction(() => {
    for (const step of MIGRATIONS.slice(found, target)) {
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    db.pragma(`user_version = ${target}`);
  })();
}
