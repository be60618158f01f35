import Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4.js';
import { migrateSchema } from './schema.js';
import { loadFhirDefinitions } from './definitions.js';
import { forEachDateRow, spanDays } from './date-index.js';
import { ServerDataError } from './errors.js';
import { countWrite } from './write-counts.js';
import { CODED_PARAMS, forEachReference, forEachToken, type StoreToken } from './search-params.js';

export { forEachToken, type StoreToken } from './search-params.js';

// The embedded server's repository is Medplum 4.5.2's MemoryRepository (for its FHIR semantics), whose two private
// maps (`resources`: type -> id -> resource, `history`: type -> id -> versions) are replaced here by Map-shaped views of
// a SQLite database. They answer the calls MemoryRepository makes on its maps (MEDPLUM_MAP_CALLS; what this relies on
// is listed and tested in medplum/index.ts, A2-A3); every such call becomes a statement, so
// nothing but the SQLite page cache is held in memory and every write lands in the database. The request handler wraps
// each write request in one SQLite transaction and answers only after COMMIT returned (handle-request.ts).

/** Every `reference` string in a resource (Reference.reference, at any depth). */
export function* referencesIn(value: unknown): Generator<string> {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) yield* referencesIn(v);
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'reference' && typeof v === 'string') yield v;
    else if (typeof v === 'object') yield* referencesIn(v);
  }
}


const CODED_KINDS: ReadonlySet<string> = new Set(CODED_PARAMS);

/** Rows read per step of a scan: a scan never keeps a statement open across the caller's code. */
const SCAN_BATCH = 256;

type Statement = Database.Statement<unknown[], unknown>;

/** The resource a {@link SqliteTypeMap.set} stored last: its history row can then stand for its content (schema 5). */
interface Current {
  type: string;
  id: string;
  resource: Resource;
}

/** The database and its prepared statements. */
class Tables {
  readonly read: Statement;
  readonly has: Statement;
  readonly insert: Statement;
  readonly update: Statement;
  readonly remove: Statement;
  readonly scan: Statement;
  readonly count: Statement;
  readonly versions: Statement;
  readonly addVersion: Statement;
  readonly tokenHolders: Statement;
  readonly removeTokens: Statement;
  readonly removeRefs: Statement;
  readonly removeDates: Statement;
  readonly addToken: Statement;
  readonly addCoded: Statement;
  readonly addRef: Statement;
  readonly addDate: Statement;
  readonly addSpan: Statement;
  current: Current | undefined;

  constructor(readonly db: Database.Database) {
    this.read = db.prepare('SELECT json FROM resources WHERE type = ? AND id = ?').pluck();
    this.has = db.prepare('SELECT 1 FROM resources WHERE type = ? AND id = ?').pluck();
    this.insert = db.prepare('INSERT INTO resources (type, id, json) VALUES (?, ?, ?) ON CONFLICT (type, id) DO NOTHING');
    this.update = db.prepare('UPDATE resources SET json = ? WHERE type = ? AND id = ? RETURNING seq').pluck();
    this.remove = db.prepare('DELETE FROM resources WHERE type = ? AND id = ? RETURNING seq').pluck();
    this.scan = db.prepare('SELECT seq, json FROM resources WHERE type = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.count = db.prepare('SELECT count(*) FROM resources WHERE type = ?').pluck();
    // A history row of '' is the current version: its content is the resource's row (schema.ts, version 5).
    this.versions = db
      .prepare(
        "SELECT CASE h.json WHEN '' THEN r.json ELSE h.json END FROM history h LEFT JOIN resources r ON r.type = h.type AND r.id = h.id WHERE h.type = ? AND h.id = ? ORDER BY h.version",
      )
      .pluck();
    this.addVersion = db.prepare('INSERT INTO history (type, id, version, json) VALUES (?, ?, ?, ?)');
    // Index rows are owned by the resource's row key `seq` (schema.ts, version 7).
    this.tokenHolders = db.prepare('SELECT r.json FROM tokens t CROSS JOIN resources r ON r.seq = t.owner WHERE t.type = ? AND t.kind = ? AND t.system = ? AND t.value = ?').pluck();
    this.removeTokens = db.prepare('DELETE FROM tokens WHERE owner = ?');
    this.removeRefs = db.prepare('DELETE FROM refs WHERE owner = ?');
    this.removeDates = db.prepare('DELETE FROM dates WHERE owner = ?');
    // One statement per row: multi-row INSERTs (one statement per resource and index) measured 2.3x slower here.
    // A token a resource holds twice (the same code in two codings) is one row: the key is the owner's token.
    this.addToken = db.prepare('INSERT OR IGNORE INTO tokens (owner, kind, system, value, type) VALUES (?, ?, ?, ?, ?)');
    this.addCoded = db.prepare('INSERT INTO tokens (owner, kind, system, value, type, text) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    this.addRef = db.prepare('INSERT INTO refs (owner, path, reference, type) VALUES (?, ?, ?, ?)');
    this.addDate = db.prepare('INSERT INTO dates (owner, code, n, lo, hi, type, id) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.addSpan = db.prepare('INSERT INTO date_spans (type, code, days) VALUES (?, ?, ?) ON CONFLICT (type, code) DO UPDATE SET days = excluded.days WHERE excluded.days > days');
  }

  /** Remove a resource's rows from the token, reference and date indexes. */
  removeIndexRows(owner: number): void {
    this.removeTokens.run(owner);
    this.removeRefs.run(owner);
    this.removeDates.run(owner);
  }

  /**
   * Add a resource's token rows. A coded token without a system (a display, a text, a plain code: Medplum gives a
   * coding's display just before its `system|code`) waits for the next token of the same parameter that has one and
   * rides in that row's `text` (schema 7); one with no such row next, or whose row is already there (the same
   * `system|code` twice), gets a row of its own. A search finds a value without a system in `value` or `text`.
   */
  private addTokens(owner: number, type: string, resource: Resource): void {
    let pending: { kind: StoreToken['kind']; value: string } | undefined;
    const flush = (): void => {
      if (pending) this.addToken.run(owner, pending.kind, '', pending.value, type);
      pending = undefined;
    };
    forEachToken(resource, (kind, system, value) => {
      if (pending?.kind === kind && system !== '') {
        if (this.addCoded.run(owner, kind, system, value, type, pending.value).changes > 0) pending = undefined;
        else flush();
        return;
      }
      flush();
      if (system === '' && CODED_KINDS.has(kind)) pending = { kind, value };
      else this.addToken.run(owner, kind, system, value, type);
    });
    flush();
  }

  /** Add a resource's rows to the token, reference and date indexes; a row longer than a day to `date_spans`. */
  addIndexRows(owner: number, type: string, id: string, resource: Resource): void {
    this.addTokens(owner, type, resource);
    forEachReference(resource, (path, reference) => this.addRef.run(owner, path, reference, type));
    forEachDateRow(type, resource, (code, n, lo, hi) => {
      this.addDate.run(owner, code, n, lo, hi, type, id);
      // A search bounds a range by the longest row plus a day (search-sql.ts): a row of a day or less needs no record.
      const days = spanDays(lo, hi);
      if (days > 1) this.addSpan.run(type, code, days);
    });
  }
}

/** The resources of one type: a Map-shaped view of the `resources` table, with the token index kept in step. */
export class SqliteTypeMap extends Map<string, Resource> {
  declare readonly tables: Tables;
  declare readonly type: string;

  static of(tables: Tables, type: string): SqliteTypeMap {
    const map = new SqliteTypeMap();
    Object.defineProperties(map, { tables: { value: tables }, type: { value: type } });
    return map;
  }

  override get(id: string): Resource | undefined {
    const json = this.tables.read.get(this.type, id) as string | undefined;
    return json === undefined ? undefined : (JSON.parse(json) as Resource);
  }

  override has(id: string): boolean {
    return this.tables.has.get(this.type, id) !== undefined;
  }

  override set(id: string, resource: Resource): this {
    const t = this.tables;
    countWrite(t.db, this.type);
    const json = JSON.stringify(resource);
    // A new resource (the common case: every create) has no index rows to remove.
    const inserted = t.insert.run(this.type, id, json);
    let owner = Number(inserted.lastInsertRowid);
    if (inserted.changes === 0) {
      owner = t.update.get(json, this.type, id) as number;
      t.removeIndexRows(owner);
    }
    t.current = { type: this.type, id, resource };
    t.addIndexRows(owner, this.type, id, resource);
    return this;
  }

  override delete(id: string): boolean {
    countWrite(this.tables.db, this.type);
    const owner = this.tables.remove.get(this.type, id) as number | undefined;
    if (owner === undefined) return false;
    this.tables.removeIndexRows(owner);
    return true;
  }

  override get size(): number {
    return this.tables.count.get(this.type) as number;
  }

  override clear(): void {
    countWrite(this.tables.db, this.type);
    this.tables.db.prepare('DELETE FROM resources WHERE type = ?').run(this.type);
    this.tables.db.prepare('DELETE FROM tokens WHERE type = ?').run(this.type);
    this.tables.db.prepare('DELETE FROM refs WHERE type = ?').run(this.type);
    this.tables.db.prepare('DELETE FROM dates WHERE type = ?').run(this.type);
    this.tables.db.prepare('DELETE FROM date_spans WHERE type = ?').run(this.type);
  }

  /** Every resource of the type in the order first written (as a Map iterates), read a batch at a time. */
  override *values(): MapIterator<Resource> {
    let after = 0;
    for (;;) {
      const rows = this.tables.scan.all(this.type, after, SCAN_BATCH) as { seq: number; json: string }[];
      for (const row of rows) yield JSON.parse(row.json) as Resource;
      if (rows.length < SCAN_BATCH) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  override *entries(): MapIterator<[string, Resource]> {
    for (const r of this.values()) yield [r.id ?? '', r];
  }

  override *keys(): MapIterator<string> {
    for (const r of this.values()) yield r.id ?? '';
  }

  override [Symbol.iterator](): MapIterator<[string, Resource]> {
    return this.entries();
  }

  override forEach(fn: (value: Resource, key: string, map: Map<string, Resource>) => void): void {
    for (const [id, r] of this.entries()) fn(r, id, this);
  }

  /** The resources holding this token (each once: a resource holds a token in one row). */
  lookup(token: StoreToken): Resource[] {
    const texts = this.tables.tokenHolders.all(this.type, token.kind, token.system, token.value) as string[];
    return texts.map((json) => JSON.parse(json) as Resource);
  }
}

/** The stored versions of one resource, oldest first; `push` appends to the `history` table. */
class VersionList extends Array<Resource> {
  declare readonly tables: Tables;
  declare readonly type: string;
  declare readonly id: string;

  // map/filter/reverse copies are plain arrays.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  static load(tables: Tables, type: string, id: string): VersionList {
    const list = new VersionList();
    Object.defineProperties(list, { tables: { value: tables }, type: { value: type }, id: { value: id } });
    for (const json of tables.versions.all(type, id) as (string | null)[]) {
      // '' stands for the current content, which the triggers of schema 5 move here before it is overwritten.
      if (json === null) throw new ServerDataError('a stored version has no content', { type, version: list.length });
      Array.prototype.push.call(list, JSON.parse(json) as Resource);
    }
    return list;
  }

  override push(...items: Resource[]): number {
    const t = this.tables;
    for (const item of items) {
      // Medplum appends the object it has just stored (assumption A6): its content is not copied (schema 5).
      const current = t.current?.resource === item && t.current.type === this.type && t.current.id === this.id;
      t.addVersion.run(this.type, this.id, this.length, current ? '' : JSON.stringify(item));
      Array.prototype.push.call(this, item);
    }
    return this.length;
  }
}

/** The history of one type: `get(id)` is never undefined, so MemoryRepository always pushes to a persisted list. */
class SqliteHistoryTypeMap extends Map<string, Resource[]> {
  declare readonly tables: Tables;
  declare readonly type: string;

  static of(tables: Tables, type: string): SqliteHistoryTypeMap {
    const map = new SqliteHistoryTypeMap();
    Object.defineProperties(map, { tables: { value: tables }, type: { value: type } });
    return map;
  }

  override get(id: string): Resource[] {
    return VersionList.load(this.tables, this.type, id);
  }

  override set(_id: string, _versions: Resource[]): this {
    // MemoryRepository only sets a list it got from get() (never the case here) or a new empty one.
    return this;
  }
}

/** The `history` map: type -> SqliteHistoryTypeMap. */
class SqliteHistory extends Map<string, Map<string, Resource[]>> {
  declare readonly tables: Tables;

  override get(type: string): SqliteHistoryTypeMap {
    return SqliteHistoryTypeMap.of(this.tables, type);
  }

  override set(): this {
    return this;
  }

  override clear(): void {
    this.tables.db.exec('DELETE FROM history');
  }
}

/**
 * The `resources` map of a SQLite-backed MemoryRepository (type -> {@link SqliteTypeMap}), plus the database's
 * transactions: one per write request (`begin`/`commit`/`rollback`) and, inside it, the savepoint a FHIR transaction
 * rolls back to when an entry fails.
 */
export class SqliteStore extends Map<string, Map<string, Resource>> {
  declare readonly tables: Tables;
  declare readonly history: SqliteHistory;
  readonly #types = new Map<string, SqliteTypeMap>();

  static open(db: Database.Database): SqliteStore {
    // The date index holds the values of the search parameters the definitions name.
    loadFhirDefinitions();
    migrateSchema(db);
    const tables = new Tables(db);
    const store = new SqliteStore();
    const history = new SqliteHistory();
    Object.defineProperty(history, 'tables', { value: tables });
    Object.defineProperties(store, { tables: { value: tables }, history: { value: history } });
    return store;
  }

  get db(): Database.Database {
    return this.tables.db;
  }

  override get(type: string): SqliteTypeMap {
    let map = this.#types.get(type);
    if (!map) this.#types.set(type, (map = SqliteTypeMap.of(this.tables, type)));
    return map;
  }

  override set(): this {
    return this;
  }

  override has(): boolean {
    return true;
  }

  override clear(): void {
    countWrite(this.db);
    // History first: deleting a resource moves its current content into its history row (schema 5).
    this.db.exec('DELETE FROM history; DELETE FROM resources; DELETE FROM tokens; DELETE FROM refs; DELETE FROM dates; DELETE FROM date_spans;');
  }

  /** Resource types that have at least one stored resource. */
  types(): string[] {
    return this.db.prepare('SELECT DISTINCT type FROM resources ORDER BY type').pluck().all() as string[];
  }

  /** Every stored resource as its JSON text, in the order written, a batch at a time. */
  *jsonRows(): Generator<string> {
    let after = 0;
    const scan = this.db.prepare('SELECT seq, json FROM resources WHERE seq > ? ORDER BY seq LIMIT ?');
    for (;;) {
      const rows = scan.all(after, SCAN_BATCH) as { seq: number; json: string }[];
      for (const row of rows) yield row.json;
      if (rows.length < SCAN_BATCH) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  /** How many resources are stored (all types). */
  count(): number {
    return this.db.prepare('SELECT count(*) FROM resources').pluck().get() as number;
  }

  metaValue(key: string): string | undefined {
    return this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
  }

  setMetaValue(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Start the transaction of one write request. */
  begin(): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN IMMEDIATE');
  }

  /** Commit the write request's transaction; throws when SQLite could not commit (nothing is then acknowledged). */
  commit(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  /** Undo the write request's transaction. */
  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  /** One write request inside the (possibly shared, see request-line.ts) transaction: its undo point. */
  beginRequest(): void {
    this.db.exec('SAVEPOINT fhir_request');
  }

  /** Keep the request's writes in the transaction (they are durable once it commits). */
  endRequest(): void {
    this.db.exec('RELEASE fhir_request');
  }

  /** Undo the request's writes alone. */
  undoRequest(): void {
    this.db.exec('ROLLBACK TO fhir_request; RELEASE fhir_request');
  }

  /** A FHIR transaction inside the request: undo point. */
  beginWrites(): void {
    this.db.exec('SAVEPOINT fhir_transaction');
  }

  commitWrites(): void {
    this.db.exec('RELEASE fhir_transaction');
  }

  rollbackWrites(): void {
    this.db.exec('ROLLBACK TO fhir_transaction; RELEASE fhir_transaction');
  }
}

/** Options of {@link openSqliteDatabase}. */
export interface SqliteOpenOptions {
  /** File path, or `':memory:'`. */
  path: string;
}

/**
 * Open (creating when new) a database for the store. A file database uses the write-ahead log with
 * `synchronous=FULL` (a COMMIT returns once the WAL is on disk: an acknowledged write survives a crash of the process or
 * the machine), `locking_mode=EXCLUSIVE` (no other process can read or write it while it is open) and a checkpoint every
 * 10,000 WAL pages.
 */
export function openSqliteDatabase(options: SqliteOpenOptions): Database.Database {
  const db = new Database(options.path);
  if (options.path === ':memory:') {
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
  } else {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // A checkpoint copies the WAL into the database file and syncs it. SQLite's default runs one every 1,000 pages
    // (4 MiB): during a bulk write that was every few batches, and COMMIT + checkpoints were most of a batch's time
    // (bench/b7-server.mjs, profiled). Every 10,000 pages (~40 MiB of WAL) a page written by many batches is copied
    // once; durability is the same (each COMMIT still waits for the WAL on disk).
    db.pragma('wal_autocheckpoint = 10000');
  }
  return db;
}
