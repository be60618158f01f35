// Stores as older versions of the server wrote them, for the migration tests: the database is brought to `version` by
// the real forward steps (schema.ts), then each resource is written in that version's layout with the same row
// values the server of that version wrote (the token, reference and date values come from search-params.ts and
// date-index.ts, which those versions used too). Only what a version stored differs: version 1 had no date index,
// versions below 4 no coded tokens, below 5 a full copy of the current version in history, below 6 references without
// their path, and below 7 every index row keyed by the resource's type and id.
import Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4.js';
import { join } from 'node:path';
import { DATABASE_FILE } from '../src/index.js';
import { forEachDateRow } from '../src/date-index.js';
import { migrateSchema } from '../src/schema.js';
import { forEachReference, forEachToken } from '../src/search-params.js';
import { referencesIn } from '../src/sqlite-store.js';

/** Rows of one stored resource in the layout of `version` (1–6). */
function writeLegacyRows(db: Database.Database, version: number, resource: Resource & { id: string }): void {
  const { resourceType: type, id } = resource;
  const json = JSON.stringify(resource);
  db.prepare('INSERT INTO resources (type, id, json) VALUES (?, ?, ?)').run(type, id, json);
  db.prepare('INSERT INTO history (type, id, version, json) VALUES (?, ?, 0, ?)').run(type, id, version >= 5 ? '' : json);
  const addToken = db.prepare('INSERT INTO tokens (type, kind, system, value, id) VALUES (?, ?, ?, ?, ?)');
  forEachToken(resource, (kind, system, value) => {
    if (version >= 4 || kind === 'identifier' || kind === '_tag') addToken.run(type, kind, system, value, id);
  });
  if (version >= 6) {
    const addRef = db.prepare('INSERT INTO refs (type, id, path, reference) VALUES (?, ?, ?, ?)');
    forEachReference(resource, (path, reference) => addRef.run(type, id, path, reference));
  } else {
    const addRef = db.prepare('INSERT INTO refs (type, reference, id) VALUES (?, ?, ?)');
    for (const reference of new Set(referencesIn(resource))) addRef.run(type, reference, id);
  }
  if (version >= 2) {
    const addDate = db.prepare('INSERT INTO dates (type, id, code, n, lo, hi) VALUES (?, ?, ?, ?, ?, ?)');
    forEachDateRow(type, resource, (code, n, lo, hi) => addDate.run(type, id, code, n, lo, hi));
  }
}

/**
 * Write `resources` (each with its id and meta, as a server stored them) into a new database of schema `version`
 * (1–6) at `path` (a data folder's database file, or ':memory:'), and answer the open database.
 */
export function legacyDatabase(path: string, version: number, resources: readonly (Resource & { id: string })[]): Database.Database {
  const db = new Database(path);
  migrateSchema(db, version);
  db.transaction(() => {
    for (const r of resources) writeLegacyRows(db, version, r);
  })();
  return db;
}

/** {@link legacyDatabase} as the database of data folder `dir`, closed again (the folder is then opened by the test). */
export function writeLegacyFolder(dir: string, version: number, resources: readonly (Resource & { id: string })[]): void {
  legacyDatabase(join(dir, DATABASE_FILE), version, resources).close();
}
