// Issue 18 (B2: fewer B-tree inserts per write): schema 7 keys every index row by its resource's integer row key and
// records the longest date rows in `date_spans` instead of an expression index. A store written by schema 6 is
// brought forward in SQL, and must then hold exactly the index rows the schema 7 write path writes for the same
// resources, and answer every search as the in-memory store does (the reference behaviour), before and after new
// writes.
import { parseSearchRequest } from '@medplum/core';
import type { Claim, Encounter, Resource } from 'fhir/r4.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFhirDefinitions, SCHEMA_VERSION } from '../src/index.js';
import { IndexedMemoryRepository } from '../src/indexed-repository.js';
import { OWNER_COPIES } from '../src/schema.js';
import { openSqliteDatabase, SqliteStore } from '../src/sqlite-store.js';
import { legacyDatabase } from './legacy-store.js';

beforeAll(() => {
  loadFhirDefinitions();
});

// Periods of every length the bound of a range filter depends on: an instant, a day, a month, a year, years, and open
// ends (FHIR R4 Period: either end may be missing).
const when = fc.constantFrom('2025-01-05', '2025-01-05T10:00:00Z', '2025-02', '2024', '2025-03-10T23:30:00-05:00', '2019-06-01');
const period = fc.oneof(fc.record({ start: when, end: when }), fc.record({ start: when }), fc.record({ end: when }), fc.constant(undefined));
const patient = fc.integer({ min: 0, max: 2 }).map((n) => ({ reference: `Patient/p${n}` }));
const coding = fc.record({ system: fc.constantFrom('urn:t:a', 'urn:t:b'), code: fc.constantFrom('H0038', 'h0038', 'X1'), display: fc.constantFrom('Peer', 'peer support', undefined) });
const encounter = fc.record({
  identifier: fc.array(fc.record({ system: fc.constant('urn:test:enc'), value: fc.constantFrom('v1', 'v2', 'v3') }), { maxLength: 2 }),
  status: fc.constantFrom('finished', 'planned'),
  type: fc.array(fc.record({ coding: fc.array(coding, { minLength: 1, maxLength: 2 }), text: fc.constantFrom('peer', undefined) }), { maxLength: 2 }),
  subject: patient,
  participant: fc.array(fc.record({ individual: patient }), { maxLength: 2 }),
  period,
});
const claim = fc.record({ patient, created: fc.option(when, { nil: undefined }), status: fc.constantFrom('active', 'cancelled') });
const resources = fc
  .array(fc.oneof(encounter.map((e) => ({ resourceType: 'Encounter', class: { code: 'AMB' }, ...e }) as Encounter), claim.map((c) => ({ resourceType: 'Claim', ...c }) as Claim)), { minLength: 1, maxLength: 12 })
  // JSON drops the undefined members, as a stored resource has none.
  .map((list) => list.map((r, i) => JSON.parse(JSON.stringify({ ...r, id: `r${i}` })) as Resource & { id: string }));

const QUERIES = [
  'Encounter?date=ge2025-01-05',
  'Encounter?date=ge2025-02-01&date=lt2025-03-01&_sort=date',
  'Encounter?date=le2024-12-31&_sort=-date&_count=3',
  'Encounter?subject=Patient/p1&date=ge2025-01-01',
  'Encounter?participant=Patient/p0,Patient/p2',
  'Encounter?identifier=urn:test:enc|v1',
  'Encounter?status=finished&type=peer',
  'Encounter?type=urn:t:a|h0038',
  'Encounter?type=PEER SUPPORT',
  'Encounter?_lastUpdated=ge2000-01-01&_sort=_lastUpdated',
  'Encounter?_id=r0,r3',
  'Claim?created=ge2024-06-01&_sort=-created',
  'Claim?patient=Patient/p0&status=active',
];

async function answers(repo: IndexedMemoryRepository): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const q of QUERIES) {
    const bundle = await repo.search(parseSearchRequest(q));
    out.push({ q, ids: (bundle.entry ?? []).map((e) => e.resource?.id), total: bundle.total });
  }
  return out;
}

/**
 * Every index entry, its owner named by the type and id of its resource (row keys differ between two stores); a
 * token row's `text` is a token without a system of its own (the migrated rows keep each as a row).
 */
function indexRows(store: SqliteStore): string[] {
  const rowsOf = (table: string) =>
    store.db.prepare(`SELECT r.type AS ownerType, r.id AS ownerId, i.* FROM ${table} i LEFT JOIN resources r ON r.seq = i.owner`).all() as { owner?: number; text?: string | null }[];
  const tokens = rowsOf('tokens').flatMap(({ owner: _owner, text, ...row }) => [row, ...(text == null ? [] : [{ ...row, system: '', value: text }])]);
  const entries = [...new Set(tokens.map((row) => `tokens ${JSON.stringify(row)}`))];
  for (const t of ['refs', 'dates']) entries.push(...rowsOf(t).map(({ owner: _owner, ...row }) => `${t} ${JSON.stringify(row)}`));
  return entries.sort();
}

/** The length a range bound assumes for each (type, parameter): the recorded longest row, at least a day. */
function spans(store: SqliteStore): Map<string, number> {
  const rows = store.db.prepare('SELECT type, code, days FROM date_spans').all() as { type: string; code: string; days: number }[];
  return new Map(rows.filter((r) => r.days > 1).map((r) => [`${r.type} ${r.code}`, r.days]));
}

describe('schema 7: index rows owned by the row key', () => {
  it.each(Object.entries(OWNER_COPIES))('migrates the %s of a schema 6 store reading each resource once and its rows by its key, never a walk of its type', (_table, select) => {
    const db = legacyDatabase(':memory:', 6, []);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${select}`).all() as { detail: string }[]).map((r) => r.detail);
    expect(plan[0], plan.join('\n')).toBe('SCAN r');
    expect(plan.slice(1), plan.join('\n')).toHaveLength(1);
    expect(plan[1], plan.join('\n')).toMatch(/^SEARCH \w USING (PRIMARY KEY|(COVERING )?INDEX \w+) \(type=\? AND id=\?\)$/);
  });

  it('brings any schema 6 store forward to the rows the schema 7 write path writes, answering every search as the in-memory store does, before and after new writes', async () => {
    await fc.assert(
      fc.asyncProperty(resources, async (list) => {
        const memory = new IndexedMemoryRepository();
        const stored: (Resource & { id: string })[] = [];
        for (const r of list) stored.push((await memory.updateResource(structuredClone(r) as never)) as Resource & { id: string });
        const migrated = SqliteStore.open(legacyDatabase(':memory:', 6, stored));
        expect(migrated.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        const fresh = SqliteStore.open(openSqliteDatabase({ path: ':memory:' }));
        for (const r of stored) fresh.get(r.resourceType).set(r.id, r);
        expect(indexRows(migrated)).toEqual(indexRows(fresh));
        // The spans computed in SQL from the version 6 rows are the ones the write path computes in JavaScript.
        const [a, b] = [spans(migrated), spans(fresh)];
        expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
        for (const [key, days] of a) expect(days, key).toBeCloseTo(b.get(key) ?? 0, 6);
        const repo = new IndexedMemoryRepository(migrated);
        expect(await answers(repo)).toEqual(await answers(memory));
        // Written after the migration: an update moves a resource's rows, a delete removes them.
        const first = stored[0]!;
        const changed = { ...first, meta: undefined, ...(first.resourceType === 'Encounter' ? { period: { start: '2025-02-02' }, status: 'finished' } : { created: '2025-02-02' }) };
        for (const r of [repo, memory]) await r.updateResource(structuredClone(changed) as never);
        const last = stored.at(-1)!;
        if (last !== first) for (const r of [repo, memory]) await r.deleteResource(last.resourceType, last.id);
        expect(await answers(repo)).toEqual(await answers(memory));
      }),
      { numRuns: 60 },
    );
  });
});
