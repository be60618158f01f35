// Issue 18: the SQLite store's write path. A version's content is stored once (schema 5: the history row of the current
// version holds no second copy, and an update or a delete moves the old content into it first), and a create writes no
// index-row deletions; neither may change what the store answers. Checked against the in-memory store (the reference
// behaviour: Medplum's MemoryRepository over JavaScript maps) for any sequence of creates, updates and deletes.
import type { Encounter } from '@medplum/fhirtypes';
import type { Encounter as R4Encounter } from 'fhir/r4.js';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataFolder } from '../src/data-folder.js';
import { loadFhirDefinitions, SCHEMA_VERSION } from '../src/index.js';
import { IndexedMemoryRepository } from '../src/indexed-repository.js';
import { storeOwned, versionsOf } from '../src/medplum/index.js';
import { openSqliteDatabase, SqliteStore } from '../src/sqlite-store.js';
import { writeLegacyFolder } from './legacy-store.js';

beforeAll(() => {
  loadFhirDefinitions();
});
const folders: string[] = [];
afterAll(() => {
  for (const d of folders) rmSync(d, { recursive: true, force: true });
});

const sqliteRepository = (): { repo: IndexedMemoryRepository; store: SqliteStore } => {
  const store = SqliteStore.open(openSqliteDatabase({ path: ':memory:' }));
  return { repo: new IndexedMemoryRepository(store), store };
};

const IDS = ['a', 'b', 'c'];
type EncounterShape = { status: string; value: string; patient: string; start: string | undefined };
const encounter: fc.Arbitrary<EncounterShape> = fc.record({
  status: fc.constantFrom('finished', 'cancelled', 'in-progress'),
  value: fc.constantFrom('e1', 'e2', 'e3'),
  patient: fc.constantFrom('Patient/p1', 'Patient/p2'),
  start: fc.constantFrom('2025-01-03', '2025-02-10T10:00:00Z', undefined),
});
type Op = { kind: 'put' | 'create'; id: string; e: EncounterShape } | { kind: 'delete'; id: string };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('put' as const, 'create' as const), id: fc.constantFrom(...IDS), e: encounter }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.constantFrom(...IDS) }),
);

function resourceOf(id: string, e: EncounterShape): Encounter {
  return {
    resourceType: 'Encounter',
    id,
    status: e.status as Encounter['status'],
    class: { code: 'AMB' },
    identifier: [{ system: 'urn:test:enc', value: e.value }],
    subject: { reference: e.patient },
    ...(e.start ? { period: { start: e.start } } : {}),
  };
}

/**
 * Apply one operation (an update of an absent id creates it, FHIR R4 3.1.0.4.2; a create is the batch path's
 * `storeOwned`, for an id not stored now, which may have versions from before a delete); answers false for a delete
 * or a create that does nothing.
 */
async function apply(repo: IndexedMemoryRepository, o: Op): Promise<boolean> {
  if (o.kind === 'create') {
    if (await repo.readResource('Encounter', o.id).catch(() => undefined)) return false;
    // A parsed request body: an object the server owns.
    storeOwned(repo, JSON.parse(JSON.stringify(resourceOf(o.id, o.e))) as R4Encounter & { id: string });
    return true;
  }
  if (o.kind === 'put') {
    await repo.updateResource(resourceOf(o.id, o.e));
    return true;
  }
  try {
    await repo.deleteResource('Encounter', o.id);
    return true;
  } catch {
    return false;
  }
}

/** A resource without the server-assigned `meta.versionId` and `meta.lastUpdated` (which differ between any two writes). */
const content = ({ meta: _meta, ...rest }: { meta?: unknown }): object => rest;

/**
 * What a reader sees of a resource: its current content (or none) and every version, oldest first; each version's
 * versionId is its own, and the current one is the last version.
 */
async function seen(repo: IndexedMemoryRepository, id: string): Promise<{ current: object | undefined; versions: object[]; currentIsLast: boolean }> {
  const current = await repo.readResource('Encounter', id).catch(() => undefined);
  const versions = versionsOf(repo, 'Encounter', id);
  expect(new Set(versions.map((v) => v.meta?.versionId)).size).toBe(versions.length);
  const currentIsLast = current === undefined || current.meta?.versionId === versions.at(-1)?.meta?.versionId;
  return { current: current && content(current), versions: versions.map(content), currentIsLast };
}

/**
 * Every row of the token, reference and date indexes, its owner (a row key: schema 7) named by the type and id of the
 * resource it belongs to (none: a row left behind), sorted (the order rows were written in does not matter).
 */
function indexRows(store: SqliteStore): string[] {
  const rowsOf = (table: string) =>
    store.db.prepare(`SELECT r.type AS ownerType, r.id AS ownerId, i.* FROM ${table} i LEFT JOIN resources r ON r.seq = i.owner`).all() as { owner?: number }[];
  const rows = ['tokens', 'refs', 'dates'].flatMap((t) => rowsOf(t).map(({ owner: _owner, ...row }) => `${t} ${JSON.stringify(row)}`));
  return rows.sort();
}

describe('the SQLite write path', () => {
  it('answers every sequence of creates (batch and update-as-create), updates and deletes as the in-memory store does: current content, every version, and index rows of the current content only', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const memory = new IndexedMemoryRepository();
        const { repo: sqlite, store } = sqliteRepository();
        for (const o of ops) expect(await apply(sqlite, o)).toBe(await apply(memory, o));
        for (const id of IDS) expect(await seen(sqlite, id)).toEqual(await seen(memory, id));
        // The indexes hold the rows of the current resources and nothing else: those of a store they were written to once.
        const { store: freshStore } = sqliteRepository();
        for (const id of IDS) {
          const current = store.get('Encounter').get(id);
          if (current) freshStore.get('Encounter').set(id, current);
        }
        expect(indexRows(store)).toEqual(indexRows(freshStore));
      }),
      { numRuns: 60 },
    );
  });

  it("stores a version's content once: the current version's history row holds no copy, an older version its own", async () => {
    const { repo, store } = sqliteRepository();
    const first = await repo.createResource<Encounter>({ resourceType: 'Encounter', status: 'in-progress', class: { code: 'AMB' } });
    await repo.updateResource<Encounter>({ ...first, status: 'finished' });
    const rows = store.db.prepare("SELECT version, json = '' AS shared FROM history WHERE type = 'Encounter' ORDER BY version").all();
    expect(rows).toEqual([
      { version: 0, shared: 0 },
      { version: 1, shared: 1 },
    ]);
    const versions = versionsOf(repo, 'Encounter', first.id);
    expect(versions.map((v) => (v as Encounter).status)).toEqual(['in-progress', 'finished']);
    await repo.deleteResource('Encounter', first.id);
    // A delete keeps every version (FHIR R4 3.1.0.7.1: history is kept); the current content moved into its row.
    expect(store.db.prepare("SELECT count(*) FROM history WHERE json = ''").pluck().get()).toBe(0);
    expect(versionsOf(repo, 'Encounter', first.id).map((v) => (v as Encounter).status)).toEqual(['in-progress', 'finished']);
  });

  it('opens a version 4 data folder (every version a full copy) and keeps its versions when they are updated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-write-'));
    folders.push(dir);
    const created = await new IndexedMemoryRepository().createResource<Encounter>({ resourceType: 'Encounter', status: 'planned', class: { code: 'AMB' } });
    // What a version 4 server wrote: no triggers, and the current version's JSON in its history row too.
    writeLegacyFolder(dir, 4, [created as never]);
    const again = openDataFolder(dir);
    try {
      expect(again.store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const updated = await again.repository.updateResource<Encounter>({ ...created, status: 'finished' });
      const history = await again.repository.readHistory<Encounter>('Encounter', created.id);
      expect(history.entry?.map((e) => [e.resource?.status, e.resource?.meta?.versionId])).toEqual([
        ['finished', updated.meta?.versionId],
        ['planned', created.meta?.versionId],
      ]);
    } finally {
      again.close();
    }
  });
});
