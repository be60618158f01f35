// Issue 13: the data folder's database carries a schema version (PRAGMA user_version) with a forward migration path and
// a refusal for a version this server does not know; the single-writer lock is not kept by a pid that was reused.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataFolder } from '../src/data-folder.js';
import { processIdentity } from '../src/process-identity.js';
import { DATABASE_FILE, LOCK_FILE, SCHEMA_VERSION, ServerLockedError, ServerSchemaVersionError } from '../src/index.js';
import { IndexedMemoryRepository } from '../src/indexed-repository.js';
import { legacyDatabase, writeLegacyFolder } from './legacy-store.js';

const folders: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-folder-'));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of folders) rmSync(d, { recursive: true, force: true });
});

const userVersion = (dir: string): number => {
  const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};

describe('database schema version', () => {
  it('records the current version in a new database', () => {
    const dir = folder();
    openDataFolder(dir).close();
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    expect(userVersion(dir)).toBe(SCHEMA_VERSION);
  });

  it('brings a database written before versions were recorded (user_version 0) forward, keeping its resources', async () => {
    const dir = folder();
    const patient = await new IndexedMemoryRepository().createResource({ resourceType: 'Patient', name: [{ family: 'Synthetic' }] });
    // Version 1's layout, from before the version was recorded.
    const db = legacyDatabase(join(dir, DATABASE_FILE), 1, [patient]);
    db.pragma('user_version = 0');
    db.close();
    expect(userVersion(dir)).toBe(0);
    const again = openDataFolder(dir);
    expect(again.loaded).toBe(1);
    again.close();
    expect(userVersion(dir)).toBe(SCHEMA_VERSION);
  });

  it('brings a version 1 database (no date index) forward: its stored resources are found by date and sorted by date', async () => {
    const dir = folder();
    const memory = new IndexedMemoryRepository();
    const encounters: (Resource & { id: string })[] = [];
    for (const start of ['2025-03-02T10:00:00Z', '2025-01-15T10:00:00Z', '2024-12-31T23:00:00-05:00']) {
      encounters.push(await memory.createResource({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, period: { start } } as never));
    }
    // What a version 1 server wrote: no date index at all.
    writeLegacyFolder(dir, 1, encounters);
    const again = openDataFolder(dir);
    try {
      expect(again.store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const { parseSearchRequest } = await import('@medplum/core');
      // 2024-12-31T23:00-05:00 is 2025-01-01T04:00Z: in January (FHIR R4 search 3.1.1.4.2, instants compared in UTC).
      const january = await again.repository.search(parseSearchRequest('Encounter?date=ge2025-01-01&date=lt2025-02-01&_sort=-date'));
      expect(january.entry?.map((e) => (e.resource as { period?: { start?: string } }).period?.start)).toEqual(['2025-01-15T10:00:00Z', '2024-12-31T23:00:00-05:00']);
    } finally {
      again.close();
    }
  });

  it('brings a version 3 database (no coded tokens) forward: its stored resources are found by status and type', async () => {
    const dir = folder();
    const memory = new IndexedMemoryRepository();
    const coding = { system: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', code: 'H0038' };
    const encounters = [
      await memory.createResource({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, type: [{ coding: [coding] }] } as never),
      await memory.createResource({ resourceType: 'Encounter', status: 'cancelled', class: { code: 'AMB' } } as never),
    ];
    // What a version 3 server wrote: identifier and _tag tokens only.
    writeLegacyFolder(dir, 3, encounters);
    const again = openDataFolder(dir);
    try {
      const { parseSearchRequest } = await import('@medplum/core');
      const found = async (q: string) => ((await again.repository.search(parseSearchRequest(q))).entry ?? []).map((e) => (e.resource as { status?: string }).status);
      expect(await found('Encounter?status=FINISHED')).toEqual(['finished']);
      expect(await found(`Encounter?type=${coding.system}|h0038`)).toEqual(['finished']);
      expect(await found('Encounter?status=finished,cancelled')).toHaveLength(2);
    } finally {
      again.close();
    }
  });

  it('refuses a database of a newer, unknown version with a typed error, leaves it untouched and gives the lock back', () => {
    const dir = folder();
    openDataFolder(dir).close();
    const db = new Database(join(dir, DATABASE_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 98}`);
    db.close();
    const err = (() => {
      try {
        openDataFolder(dir).close();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ServerSchemaVersionError);
    expect((err as ServerSchemaVersionError).code).toBe('server.schema-version');
    expect((err as ServerSchemaVersionError).details).toEqual({ found: SCHEMA_VERSION + 98, supported: SCHEMA_VERSION });
    expect(userVersion(dir)).toBe(SCHEMA_VERSION + 98);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});

describe.runIf(existsSync('/proc/self/stat'))('single-writer lock and reused pids', () => {
  let other: ChildProcess;
  beforeAll(async () => {
    other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => {
    other.kill();
  });
  const lockAs = (dir: string, identity: object) =>
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, host: hostname(), since: '2025-01-01T00:00:00.000Z', ...identity }));

  it('refuses the folder while the process that locked it runs', () => {
    const dir = folder();
    lockAs(dir, processIdentity(other.pid!));
    expect(() => openDataFolder(dir)).toThrow(ServerLockedError);
  });

  it('takes over a lock whose pid now names a process started at another time', () => {
    const dir = folder();
    const { boot } = processIdentity(other.pid!);
    lockAs(dir, { boot, started: '1' });
    const opened = openDataFolder(dir);
    opened.close();
  });

  it('takes over a lock taken in an earlier boot', () => {
    const dir = folder();
    lockAs(dir, { ...processIdentity(other.pid!), boot: '00000000-0000-0000-0000-000000000000' });
    openDataFolder(dir).close();
  });
});
