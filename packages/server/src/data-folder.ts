import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Resource } from 'fhir/r4.js';
import { ServerDataError, ServerLockedError } from './errors.js';
import { IndexedMemoryRepository } from './indexed-repository.js';
import { randomId } from './random-id.js';
import { openSqliteDatabase, SqliteStore } from './sqlite-store.js';
import { isSameProcess, processIdentity } from './process-identity.js';

/**
 * The database file inside a data folder.
 * @category Data folder
 */
export const DATABASE_FILE = 'fhir.sqlite';
/**
 * The single-writer lock inside a data folder: who holds it (pid, host, since when), as JSON.
 * @category Data folder
 */
export const LOCK_FILE = 'server.lock';
/**
 * The NDJSON snapshot older versions kept; imported once into the database, then renamed to `.migrated`.
 * @category Data folder
 */
export const LEGACY_SNAPSHOT_FILE = 'resources.ndjson';

/**
 * Who holds a data folder.
 * @category Data folder
 */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  /** Linux boot id when the lock was taken: a lock from an earlier boot is stale whatever its pid. */
  boot?: string;
  /** The holder's start time (clock ticks since boot, Linux): a live process with the same pid but another start time is not the holder. */
  started?: string;
}

/** An open data folder: the database, its repository, and the lock to give back. */
export interface OpenDataFolder {
  readonly dir: string;
  readonly store: SqliteStore;
  readonly repository: IndexedMemoryRepository;
  /** Resources found in the database when it was opened (after a migration, those migrated). */
  readonly loaded: number;
  /** Resources imported from a legacy `resources.ndjson` on this open (0 when there was none). */
  readonly migrated: number;
  /** Close the database and give back the lock. */
  close(): void;
}

// Data files hold PHI: readable by the owner only (42 CFR 2.16, HIPAA 164.312(a)).
const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Open a data folder for writing: create it (0700) when missing, take its single-writer lock, open (or create) its
 * SQLite database (0600, write-ahead log), and import a legacy `resources.ndjson` snapshot once.
 *
 * @throws ServerLockedError when another live process holds the folder
 * @throws ServerDataError when the legacy snapshot cannot be read
 */
export function openDataFolder(dir: string): OpenDataFolder {
  mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  chmodSync(dir, FOLDER_MODE);
  const releaseLock = takeLock(dir);
  let store: SqliteStore | undefined;
  let db: ReturnType<typeof openSqliteDatabase> | undefined;
  try {
    const dbPath = join(dir, DATABASE_FILE);
    // SQLite creates its -wal and -shm files with the permissions of the database file: create that one 0600 first.
    closeSync(openSync(dbPath, 'a', FILE_MODE));
    chmodSync(dbPath, FILE_MODE);
    db = openSqliteDatabase({ path: dbPath });
    store = SqliteStore.open(db); // a refused schema version throws here: the catch below closes the database
    for (const suffix of ['-wal', '-shm']) if (existsSync(dbPath + suffix)) chmodSync(dbPath + suffix, FILE_MODE);
    const repository = new IndexedMemoryRepository(store);
    const migrated = migrateLegacySnapshot(dir, store);
    const loaded = store.count();
    const opened = store;
    return {
      dir,
      store: opened,
      repository,
      loaded,
      migrated,
      close: () => {
        try {
          if (opened.db.open) opened.db.close();
        } finally {
          releaseLock();
        }
      },
    };
  } catch (err) {
    if (db?.open) db.close();
    releaseLock();
    throw err;
  }
}

/**
 * The holder recorded in a data folder's lock file (pid, host, since when), or undefined when there is none (or it
 * is unreadable): who is serving the folder.
 *
 * @param dir - the data folder
 * @returns who holds the folder's lock (PID, host, since), or undefined when it is not locked or unreadable
 * @example
 * ```ts
 * const holder = lockHolder('.peer-fhir/data');
 * if (holder) console.log(`served by process ${holder.pid} on ${holder.host}`);
 * ```
 * @category Data folder
 */
export function lockHolder(dir: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    const text = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9-]{1,64}$/.test(v) ? v : undefined);
    const [boot, started] = [text(parsed.boot), text(parsed.started)];
    return { pid: parsed.pid, host: parsed.host, since: typeof parsed.since === 'string' ? parsed.since : '', ...(boot ? { boot } : {}), ...(started ? { started } : {}) };
  } catch {
    return undefined;
  }
}

/** Folders this process holds (a second server in the same process is refused too). */
const openHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lock's process still runs: its pid is alive and (where /proc tells) it is the same process — same boot, same
 * start time. A pid reused by another process after a crash does not keep the folder locked.
 */
function stillHolding(holder: LockHolder): boolean {
  return alive(holder.pid) && isSameProcess(holder.pid, holder);
}

/**
 * Create the lock file exclusively (O_EXCL: of two processes racing, exactly one succeeds). A lock left by a process
 * of this host that no longer runs (SIGKILL, power loss, or its pid now names another process) is taken over; a live
 * one, or one from another host sharing the folder, is refused with an error naming it.
 */
function takeLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), ...processIdentity(process.pid) };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(dir);
      const ours = holder?.pid === process.pid && holder.host === me.host;
      if (holder && (ours ? openHere.has(resolve(dir)) : holder.host !== me.host || stillHolding(holder))) {
        throw new ServerLockedError(holder);
      }
      if (!holder && Date.now() - statSync(path).mtimeMs < 2000) {
        // Being written by a process that has just created it: give it a moment, then read again.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        continue;
      }
      // Stale (its process is gone) or unreadable and old: remove and try again.
      unlinkSync(path);
      continue;
    }
    writeSync(fd, JSON.stringify(me));
    closeSync(fd);
    openHere.add(resolve(dir));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      openHere.delete(resolve(dir));
      if (lockHolder(dir)?.pid === me.pid) unlinkSync(path);
    };
  }
  const holder = lockHolder(dir);
  throw new ServerLockedError(holder ?? { pid: 0, host: 'unknown', since: '' });
}

/** Import `resources.ndjson` (written by earlier versions) in one transaction, then rename it to `.migrated`. */
function migrateLegacySnapshot(dir: string, store: SqliteStore): number {
  const legacy = join(dir, LEGACY_SNAPSHOT_FILE);
  if (!existsSync(legacy) || store.metaValue('legacy-snapshot-migrated') !== undefined) return 0;
  const resources = store;
  let n = 0;
  const migrate = store.db.transaction(() => {
    let i = -1;
    for (const raw of linesOf(legacy)) {
      i++;
      const line = raw.trim();
      if (!line) continue;
      let resource: Resource;
      try {
        resource = JSON.parse(line) as Resource;
      } catch (cause) {
        throw new ServerDataError('the legacy snapshot resources.ndjson is damaged', { line: i + 1 }, cause);
      }
      if (typeof resource !== 'object' || resource === null || typeof resource.resourceType !== 'string' || typeof resource.id !== 'string') {
        throw new ServerDataError('the legacy snapshot resources.ndjson holds a line that is not a resource with an id', { line: i + 1 });
      }
      // As the snapshot's loader did: the resource as it was, under its own id; its version becomes version 1.
      const meta = (resource.meta ??= {});
      meta.versionId ||= randomId();
      meta.lastUpdated ||= new Date().toISOString();
      resources.get(resource.resourceType).set(resource.id, resource);
      resources.history.get(resource.resourceType).get(resource.id).push(resource);
      n++;
    }
    store.setMetaValue('legacy-snapshot-migrated', new Date().toISOString());
  });
  migrate();
  renameSync(legacy, `${legacy}.migrated`);
  chmodSync(`${legacy}.migrated`, FILE_MODE);
  return n;
}

/** The lines of a file, read 1 MiB at a time (a snapshot can be larger than the memory we want to use). */
function* linesOf(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const decoder = new TextDecoder();
    let pending = '';
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      pending += decoder.decode(buffer.subarray(0, read), { stream: read > 0 });
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        yield pending.slice(0, nl);
        pending = pending.slice(nl + 1);
      }
      if (read === 0) break;
    }
    if (pending) yield pending;
  } finally {
    closeSync(fd);
  }
}
