import type Database from 'better-sqlite3';
import { ServerSchemaVersionError } from './errors.js';

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

/** Version 2: the deletion log a `_since` Bulk Data export reports deletions from (deletions.ts). */
const SCHEMA_2 = `
CREATE TABLE IF NOT EXISTS deletions (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  deleted_ms INTEGER NOT NULL,
  patients TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deletions_since ON deletions (deleted_ms);
`;

/** The forward steps: `MIGRATIONS[n - 1]` takes a database from version n - 1 to n. */
const MIGRATIONS: readonly string[] = [
  // 0 -> 1. Databases written before the version was recorded (user_version 0) already have this layout: every
  // statement is CREATE ... IF NOT EXISTS, so the step is the same for them and for a new, empty database.
  SCHEMA_1,
  // 1 -> 2.
  SCHEMA_2,
];

/**
 * The schema version this server writes.
 * @example
 * ```ts
 * import { SCHEMA_VERSION } from '@peer-fhir/server';
 * console.log(SCHEMA_VERSION); // 2
 * ```
 * @category Data folder
 */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Bring a database to {@link SCHEMA_VERSION}: run each missing forward step and record the version, all in one
 * transaction (a crash in between leaves the old version, and the next open runs the steps again).
 *
 * @throws ServerSchemaVersionError when the database has a version this server does not know (written by a newer one)
 */
export function migrateSchema(db: Database.Database): void {
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > SCHEMA_VERSION || found < 0) throw new ServerSchemaVersionError(found, SCHEMA_VERSION);
  if (found === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let v = found; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
