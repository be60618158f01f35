// Issue 13: the SQLite store answers date, sorted, reference and identifier searches from index tables, never by reading
// every resource of the type; and it answers them exactly as the in-memory store does: same matches, same order, same
// pages, same totals; and which resources match a date or reference filter is what Medplum's own matcher says.
// Issue 18: the same holds when the reference's path is checked in SQL (a reference at another path of the resource
// does not match), when the date range of the sort parameter drives the query, and when a search is read page after
// page (the SQLite store starts a page after the last key of the one before, until anything is written).
import { parseSearchRequest } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Claim, Encounter, Resource } from 'fhir/r4.js';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handleFhirRequest, loadFhirDefinitions } from '../src/index.js';
import { wrapRepository } from '../src/repository.js';
import { IndexedMemoryRepository } from '../src/indexed-repository.js';
import { planSearch } from '../src/search-plan.js';
import { rowsQuery, searchSql } from '../src/sqlite-search.js';
import { openSqliteDatabase, SqliteStore } from '../src/sqlite-store.js';

beforeAll(() => {
  loadFhirDefinitions();
});
afterEach(() => {
  vi.useRealTimers();
});

const SYSTEMS = ['urn:test:a', 'urn:test:b'];

// Dates at every precision FHIR allows (https://hl7.org/fhir/R4/datatypes.html#dateTime), with and without offsets.
const day = fc.record({ y: fc.constantFrom(2024, 2025), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) });
const pad = (n: number) => String(n).padStart(2, '0');
const dateText = fc
  .tuple(day, fc.constantFrom('year', 'month', 'day', 'utc', 'offset', 'negative'), fc.integer({ min: 0, max: 23 }))
  .map(([{ y, m, d }, precision, h]) => {
    const date = `${y}-${pad(m)}-${pad(d)}`;
    switch (precision) {
      case 'year':
        return String(y);
      case 'month':
        return `${y}-${pad(m)}`;
      case 'day':
        return date;
      case 'utc':
        return `${date}T${pad(h)}:30:00Z`;
      case 'offset':
        return `${date}T${pad(h)}:00:00+05:00`;
      default:
        return `${date}T${pad(h)}:15:00-08:00`;
    }
  });
// A few instants only, so that many resources share one (ties must page the same way in both stores).
const instant = fc.constantFrom('2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.001Z', '2025-03-10T12:00:00.000Z', '2025-06-30T23:59:59.999Z');

const identifiers = fc.array(fc.record({ system: fc.constantFrom(...SYSTEMS), value: fc.constantFrom('v1', 'v2', 'V1', 'v3') }), { maxLength: 2 });
const patientRef = fc.integer({ min: 0, max: 3 }).map((n) => ({ reference: `Patient/p${n}` }));
const period = fc.oneof(
  fc.record({ start: dateText, end: dateText }),
  fc.record({ start: dateText }),
  fc.record({ end: dateText }),
  fc.constant(undefined),
);

// Coded values (status, type): case varies, a code appears under two systems and as text or a display.
const encounterTypeValues = [
  { coding: [{ system: 'urn:t:a', code: 'H0038', display: 'Peer' }] },
  { coding: [{ system: 'urn:t:b', code: 'h0038' }, { code: 'local' }] },
  { text: 'peer support' },
  { coding: [{ system: 'urn:t:a' }] },
];
const encounterType = fc.constantFrom(...encounterTypeValues);
// The same references at other paths: a Patient as a participant, an Organization or Encounter in an extension.
const orgRef = fc.integer({ min: 0, max: 2 }).map((n) => ({ reference: `Organization/o${n}` }));
const encounterRef = fc.integer({ min: 0, max: 4 }).map((n) => ({ reference: `Encounter/e${n}` }));
const participants = fc.array(fc.record({ individual: fc.oneof(patientRef, fc.constant({ reference: 'Practitioner/x' })) }), { maxLength: 2 });
const refExtension = fc.option(fc.oneof(orgRef, encounterRef, patientRef), { nil: undefined }).map((valueReference) => (valueReference ? [{ url: 'urn:test:ref', valueReference }] : []));
const encounter = fc
  .record({
    identifier: identifiers,
    subject: patientRef,
    period,
    status: fc.constantFrom('finished', 'planned', 'FINISHED'),
    type: fc.array(encounterType, { maxLength: 2 }),
    serviceProvider: fc.option(orgRef, { nil: undefined }),
    partOf: fc.option(encounterRef, { nil: undefined }),
    participant: participants,
    extension: refExtension,
    // A date parameter with many values per resource (Encounter.location.period): conditions hold on any one of them.
    locations: fc.array(fc.record({ start: dateText, end: dateText }), { maxLength: 2 }),
  })
  .map(
    (e) =>
      ({
        resourceType: 'Encounter',
        status: e.status,
        class: { code: 'AMB' },
        ...(e.extension.length ? { extension: e.extension } : {}),
        ...(e.type.length ? { type: e.type } : {}),
        ...(e.identifier.length ? { identifier: e.identifier } : {}),
        subject: e.subject,
        ...(e.participant.length ? { participant: e.participant } : {}),
        ...(e.period ? { period: e.period } : {}),
        ...(e.serviceProvider ? { serviceProvider: e.serviceProvider } : {}),
        ...(e.partOf ? { partOf: e.partOf } : {}),
        ...(e.locations.length ? { location: e.locations.map((p) => ({ location: { reference: 'Location/l1' }, period: p })) } : {}),
      }) as Encounter,
  );
const claim = fc
  .record({ identifier: identifiers, patient: patientRef, created: fc.option(dateText, { nil: undefined }), status: fc.constantFrom('active', 'cancelled', 'Active'), encounters: fc.array(fc.array(encounterRef, { maxLength: 2 }), { maxLength: 2 }) })
  .map(
    (c) =>
      ({
        resourceType: 'Claim',
        status: c.status,
        ...(c.identifier.length ? { identifier: c.identifier } : {}),
        patient: c.patient,
        ...(c.created ? { created: c.created } : {}),
        ...(c.encounters.length ? { item: c.encounters.map((encounter, i) => ({ sequence: i + 1, ...(encounter.length ? { encounter } : {}) })) } : {}),
      }) as Claim,
  );

/** A write: the resource (with its id), the instant it is written at; or the deletion of an earlier one. */
type Op = { kind: 'put'; resource: Resource; at: string } | { kind: 'delete'; index: number };
const ops = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), resource: fc.oneof(encounter, claim), id: fc.integer({ min: 0, max: 14 }), at: instant }).map(({ kind, resource, id, at }) => ({ kind, resource: { ...resource, id: `${resource.resourceType === 'Claim' ? 'c' : 'e'}${id}` }, at })) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), index: fc.nat() }) },
  ),
  { minLength: 4, maxLength: 40 },
);

/** A filter present in one query of three: several filters together mostly match nothing. */
const sometimes = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });

const dateParams = { Encounter: ['date', '_lastUpdated', 'location-period'], Claim: ['created', '_lastUpdated'] } as const;
// Reference parameters and the references they are given: each path (subject, participant.individual, serviceProvider,
// partOf; Claim's patient and item.encounter) against values that also sit at other paths of the same resources.
const refParams = {
  Encounter: [
    ['subject', 'Patient/p'],
    ['patient', 'Patient/p'],
    ['participant', 'Patient/p'],
    ['service-provider', 'Organization/o'],
    ['part-of', 'Encounter/e'],
  ],
  Claim: [
    ['patient', 'Patient/p'],
    ['encounter', 'Encounter/e'],
  ],
} as const;
const statuses = { Encounter: ['finished', 'FINISHED,planned', '|finished', 'urn:x|finished', ''], Claim: ['active', 'cancelled,ACTIVE', '|active'] } as const;
const types = ['H0038', 'urn:t:a|h0038', 'urn:t:b|', '|local', 'peer support', '|Peer support', 'PEER', 'urn:t:a|H0038,urn:t:b|x', '|'];
const query = fc.constantFrom('Encounter' as const, 'Claim' as const).chain((type) =>
  fc
    .record({
      dates: fc.oneof(fc.constant([]), fc.array(fc.tuple(fc.constantFrom(...dateParams[type]), fc.constantFrom('', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'), dateText), { minLength: 1, maxLength: 2 })),
      refs: sometimes(fc.tuple(fc.constantFrom(...refParams[type]), fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 2 }))),
      identifier: sometimes(fc.constantFrom(`${SYSTEMS[0]}|`, `${SYSTEMS[1]}|v1`, `${SYSTEMS[0]}|v1,${SYSTEMS[1]}|v2`, `${SYSTEMS[0]}|V1`)),
      status: sometimes(fc.constantFrom(...statuses[type])),
      type: type === 'Encounter' ? sometimes(fc.constantFrom(...types)) : fc.constant(undefined),
      sort: fc.constantFrom(undefined, ...dateParams[type], ...dateParams[type].map((c) => `-${c}`), `${dateParams[type][0]},-_lastUpdated`, 'status'),
      count: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined, freq: 3 }),
      offset: sometimes(fc.integer({ min: 1, max: 6 })),
    })
    .map((q) => {
      const params = new URLSearchParams();
      for (const [code, op, value] of q.dates) params.append(code, `${op}${value}`);
      if (q.refs) params.set(q.refs[0][0], q.refs[1].map((n) => `${q.refs?.[0][1]}${n}`).join(','));
      if (q.identifier) params.set('identifier', q.identifier);
      if (q.status !== undefined) params.set('status', q.status);
      if (q.type !== undefined) params.set('type', q.type);
      if (q.sort) params.set('_sort', q.sort);
      if (q.count !== undefined) params.set('_count', String(q.count));
      if (q.offset !== undefined) params.set('_offset', String(q.offset));
      return `${type}?${params.toString()}`;
    }),
);

const stores = () => [new IndexedMemoryRepository(), new IndexedMemoryRepository(SqliteStore.open(openSqliteDatabase({ path: ':memory:' })))] as const;

async function apply(repo: IndexedMemoryRepository, list: readonly Op[]): Promise<void> {
  const written: Resource[] = [];
  for (const op of list) {
    if (op.kind === 'put') {
      vi.setSystemTime(new Date(op.at));
      await repo.updateResource(structuredClone(op.resource) as never);
      written.push(op.resource);
    } else if (written.length > 0) {
      const r = written[op.index % written.length]!;
      await repo.deleteResource(r.resourceType, r.id!).catch(() => undefined);
    }
  }
}

async function answer(repo: IndexedMemoryRepository, q: string): Promise<{ ids: string[]; total: number | undefined } | { error: string }> {
  try {
    const bundle = await repo.search(parseSearchRequest(q));
    return { ids: (bundle.entry ?? []).map((e) => e.resource?.id ?? ''), total: bundle.total };
  } catch (e) {
    return { error: (e as Error).constructor.name };
  }
}

/** The ids matching a query's filters (no sort, no paging), by the store's search or by Medplum 4.5.2's own. */
async function matchingIds(repo: IndexedMemoryRepository, q: string, by?: 'medplum'): Promise<string[] | string> {
  const { resourceType, filters } = parseSearchRequest(q);
  try {
    const request = { resourceType, filters };
    const bundle = by ? await MemoryRepository.prototype.search.call(repo, request) : await repo.search(request);
    return (bundle.entry ?? []).map((e) => e.resource?.id ?? '').sort();
  } catch (e) {
    return (e as Error).constructor.name;
  }
}

describe('SQLite search indexes', () => {
  it('answer every date, sort, reference, identifier and coded (status, type) search exactly as the in-memory store does: same matches, order, pages and totals', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    await fc.assert(
      fc.asyncProperty(ops, fc.array(query, { minLength: 1, maxLength: 6 }), async (list, queries) => {
        const [memory, sqlite] = stores();
        await apply(memory, list);
        await apply(sqlite, list);
        for (const q of queries) {
          expect(await answer(sqlite, q), q).toEqual(await answer(memory, q));
          // Which resources match a date or reference filter is what Medplum's own matcher says (identifier tokens
          // are matched exactly, case included, by both stores: Medplum ignores case).
          if (!q.includes('identifier=')) expect(await matchingIds(memory, q), q).toEqual(await matchingIds(memory, q, 'medplum'));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('page after page by _offset, with writes between some pages, give the same pages and totals as the in-memory store', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const pagedQuery = query.map((q) => q.replace(/&?_(count|offset)=\d+/g, '')).chain((q) => fc.integer({ min: 1, max: 4 }).map((count) => `${q}${q.endsWith('?') ? '' : '&'}_count=${count}`));
    await fc.assert(
      fc.asyncProperty(ops, pagedQuery, fc.array(fc.option(ops, { nil: undefined, freq: 3 }), { maxLength: 8 }), async (list, q, between) => {
        const [memory, sqlite] = stores();
        await apply(memory, list);
        await apply(sqlite, list);
        const count = Number(/_count=(\d+)/.exec(q)?.[1]);
        for (let page = 0; page <= between.length; page++) {
          const at = `${q}&_offset=${page * count}`;
          expect(await answer(sqlite, at), at).toEqual(await answer(memory, at));
          // Mostly updates of resources already stored (ids 0-2), which move them in or out of the matches.
          const write = between[page]?.slice(0, 2).map((op) => (op.kind === 'put' ? { ...op, resource: { ...op.resource, id: op.resource.id?.replace(/\d+$/, (d) => String(Number(d) % 3)) } } : op));
          if (write) {
            await apply(memory, write);
            await apply(sqlite, write);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('answer every search over HTTP with the same searchset as the in-memory store: the SQLite store copies its stored JSON texts into the Bundle (entries, fullUrls, totals, page links and errors the same)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const base = 'https://ehr.test/fhir';
    const get = async (repo: IndexedMemoryRepository, q: string) => {
      const res = await handleFhirRequest({ method: 'GET', url: `${base}/${q}`, headers: {} }, { baseUrl: base, repository: wrapRepository(repo), validate: false });
      // Version ids are random per store.
      return { status: res.status, body: JSON.parse(res.body.replace(/"versionId":"[^"]*"/g, '"versionId":"v"')) as unknown };
    };
    await fc.assert(
      fc.asyncProperty(ops, fc.array(query, { minLength: 1, maxLength: 6 }), async (list, queries) => {
        const [memory, sqlite] = stores();
        await apply(memory, list);
        await apply(sqlite, list);
        for (const q of queries) expect(await get(sqlite, q), q).toEqual(await get(memory, q));
      }),
      { numRuns: 60 },
    );
  });

  it('match two conditions on a date parameter with many values when each holds on a different value (FHIR R4 search: a repeated parameter is an AND, each matched on its own values)', async () => {
    const [memory, sqlite] = stores();
    const visited = { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, location: [{ location: { reference: 'Location/l1' }, period: { start: '2025-01-05', end: '2025-01-06' } }, { location: { reference: 'Location/l2' }, period: { start: '2025-12-05', end: '2025-12-06' } }] } as Encounter;
    for (const repo of [memory, sqlite]) await repo.updateResource(structuredClone(visited) as never);
    for (const q of ['Encounter?location-period=lt2025-02&location-period=gt2025-11', 'Encounter?location-period=lt2025-02&location-period=gt2025-11&_sort=location-period&_count=5']) {
      expect(await matchingIds(memory, q, 'medplum'), q).toEqual(['e1']);
      expect(await answer(sqlite, q), q).toEqual({ ids: ['e1'], total: 1 });
    }
  });

  it('match each condition on any stored value even where the element should hold one (a store that does not validate)', async () => {
    const [memory, sqlite] = stores();
    // Encounter.period is 0..1 (FHIR R4); stored as a list anyway, Medplum's matcher matches on either value.
    const listed = { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' }, period: [{ start: '2025-01-05', end: '2025-01-06' }, { start: '2025-12-05', end: '2025-12-06' }] } as unknown as Encounter;
    for (const repo of [memory, sqlite]) await repo.updateResource(structuredClone(listed) as never);
    for (const q of ['Encounter?date=lt2025-02&date=gt2025-11', 'Encounter?date=lt2025-02&date=gt2025-11&_sort=date&_count=5']) {
      expect(await matchingIds(memory, q, 'medplum'), q).toEqual(['e1']);
      expect(await answer(sqlite, q), q).toEqual({ ids: ['e1'], total: 1 });
    }
  });

  it('remember nothing seen inside a transaction that is rolled back', async () => {
    const store = SqliteStore.open(openSqliteDatabase({ path: ':memory:' }));
    const repo = new IndexedMemoryRepository(store);
    const visit = (id: string, start: string) => ({ resourceType: 'Encounter', id, status: 'finished', class: { code: 'AMB' }, period: { start } }) as never;
    const q = 'Encounter?date=ge2025-01-01&_sort=date&_count=1';
    await repo.updateResource(visit('e1', '2025-02-01'));
    store.db.exec('BEGIN');
    await repo.updateResource(visit('e0', '2025-01-15'));
    expect(await answer(repo, q)).toEqual({ ids: ['e0'], total: 2 });
    store.db.exec('ROLLBACK');
    // As many writes as the rolled-back one, committed: the same write count, other rows.
    await repo.updateResource(visit('e2', '2025-03-01'));
    expect(await answer(repo, `${q}&_offset=1`)).toEqual({ ids: ['e2'], total: 2 });
    expect(await answer(repo, q)).toEqual({ ids: ['e1'], total: 2 });
  });

  it("answer every coded filter (status, type) as Medplum 4.5.2's matcher does, on every kind of coded value", async () => {
    const [memory, sqlite] = stores();
    const variants = [...encounterTypeValues, undefined];
    const resources = variants.flatMap((type, i) =>
      ['finished', 'FINISHED', 'planned'].map((status, j) => ({ resourceType: 'Encounter', id: `e${i}-${j}`, status, class: { code: 'AMB' }, ...(type ? { type: [type] } : {}) }) as Encounter),
    );
    for (const repo of [memory, sqlite]) for (const r of resources) await repo.updateResource(structuredClone(r) as never);
    const queries = [...types.map((t) => `Encounter?type=${encodeURIComponent(t)}`), ...statuses.Encounter.map((v) => `Encounter?status=${encodeURIComponent(v)}`)];
    for (const q of queries) {
      const expected = await matchingIds(memory, q, 'medplum');
      expect(await matchingIds(memory, q), q).toEqual(expected);
      expect(await matchingIds(sqlite, q), q).toEqual(expected);
    }
  });

  it('pages of a sorted search never overlap and together list every match once, resources sharing a date included', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const [, sqlite] = stores();
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
    for (let i = 0; i < 12; i++) {
      await sqlite.updateResource({ resourceType: 'Encounter', id: `e${i}`, status: 'finished', class: { code: 'AMB' }, period: { start: i % 3 === 0 ? '2025-02' : '2025-01-15' } } as never);
    }
    for (const sort of ['date', '-date', '_lastUpdated']) {
      const seen: string[] = [];
      for (let offset = 0; offset < 12; offset += 5) {
        const page = await sqlite.search(parseSearchRequest(`Encounter?_sort=${sort}&_count=5&_offset=${offset}`));
        expect(page.total).toBe(12);
        seen.push(...(page.entry ?? []).map((e) => e.resource!.id!));
      }
      expect(new Set(seen).size, sort).toBe(12);
    }
  });
});

const fifty = (prefix: string) => Array.from({ length: 50 }, (_, i) => `${prefix}${i}`).join(',');
/** The month's Encounters as `peer-fhir bill` reads them (a day wider on each side), pages of 1,000. */
const MONTH = 'Encounter?service-provider=Organization/o1&date=ge2025-02-28&date=le2025-04-01&_sort=date&_count=1000&_offset=3000';
const billSearches = [
  MONTH,
  `Patient?identifier=${encodeURIComponent(fifty('urn:test:mrn|'))}&_count=500`,
  `Coverage?beneficiary=${fifty('Patient/p')}&_count=500`,
  `CarePlan?subject=${fifty('Patient/p')}&_count=500`,
  `Consent?patient=${fifty('Patient/p')}&_count=500`,
  `Provenance?target=${fifty('Patient/p')}&_count=500`,
  `Claim?patient=${fifty('Patient/p')}&_count=500`,
  `ServiceRequest?subject=${fifty('Patient/p')}&_count=500`,
  `Encounter?subject=${fifty('Patient/p')}&date=ge2025-02-28&date=le2025-04-01&_sort=date&_count=1000`,
  `Encounter?part-of=${fifty('Encounter/e')}&_count=500`,
  `DocumentReference?encounter=${fifty('Encounter/e')}&_count=500`,
  `Claim?encounter=${fifty('Encounter/e')}&_count=500`,
  `ClaimResponse?request=${fifty('Claim/c')}&_count=500`,
];

/** The lines of SQLite's plan for a search the SQLite store would run. */
function planOf(db: import('better-sqlite3').Database, q: string): string[] {
  const req = parseSearchRequest(q);
  const sql = searchSql(db, planSearch(req), req, true);
  const rows = rowsQuery(sql, req.count !== undefined ? { count: req.count, offset: req.offset ?? 0 } : undefined);
  return (db.prepare(`EXPLAIN QUERY PLAN ${rows.text}`).all(...rows.args) as { detail: string }[]).map((r) => r.detail);
}

describe('the searches billing and reports run are served from an index, never by reading every resource of the type', () => {
  const cases = [
    'Encounter?date=ge2025-01-01&date=le2025-01-31',
    'Encounter?date=ge2025-01-01&date=le2025-01-31&_sort=date&_count=50',
    'Encounter?_sort=-date&_count=50',
    'Encounter?_lastUpdated=gt2025-01-01',
    'Encounter?subject=Patient/p1&_sort=-date',
    // The reference drives; the dates are tested per row (each direction of comparison, each bound).
    'Encounter?subject=Patient/p1&date=ge2025-03-01',
    'Encounter?subject=Patient/p1&date=le2025-03-01&_count=50',
    'Encounter?subject=Patient/p1,Patient/p2&date=ge2025-03-01&date=lt2025-04-01&_count=1000',
    'Claim?patient=Patient/p1&created=gt2025-01-01&created=lt2025-02-01&_count=500',
    'Encounter?patient=Patient/p1,Patient/p2',
    'Encounter?part-of=Encounter/g1,Encounter/g2&_count=500',
    'Encounter?identifier=urn:test:a|v1,urn:test:a|v2',
    'Claim?created=ge2025-01&created=lt2025-02',
    'Claim?patient=Patient/p1&_count=500',
    'Claim?identifier=urn:test:claims|',
    'Observation?date=ge2025-01-01&_count=500',
    'Patient?identifier=urn:test:a|v1&_sort=birthdate',
    'Encounter?_id=e1,e2',
    'Encounter?status=finished&_count=50',
    'Encounter?type=https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets|H0038&_sort=-date',
    'Coverage?status=active&_count=500',
    'Claim?status=active&_count=500',
    'AuditEvent?type=http://terminology.hl7.org/CodeSystem/audit-event-type|rest&date=ge2025-01-01&_count=500',
    'Observation?category=survey&code=http://loinc.org|1234-5&_count=500',
    'Basic?code=urn:test:activity|continuing-education&_count=500',
    // What `peer-fhir bill` sends (issue 18): the month, and per chunk of participants.
    ...billSearches,
  ];
  it.each(cases)('%s', (q) => {
    const db = SqliteStore.open(openSqliteDatabase({ path: ':memory:' })).db;
    const plan = planOf(db, q);
    // SCAN = every row of a table (`page` is the page's ids, at most _count rows); a SEARCH of resources must be by
    // its (type, id) key, not a walk over the type.
    expect(plan.filter((line) => /^SCAN (?!json_each|page$)/.test(line)), plan.join("\n")).toEqual([]);
    // Matches are found and ordered without reading a resource's JSON: only the page's rows are read.
    if (/_count=/.test(q)) expect(plan.some((line) => line.startsWith('SCAN page')), plan.join('\n')).toBe(true);
    expect(plan.filter((line) => line.includes('resources_by_type')), plan.join('\n')).toEqual([]);
    expect(plan.some((line) => /USING (COVERING )?INDEX (dates_|tokens_|refs_)|USING PRIMARY KEY|json_each|sqlite_autoindex_resources_1/.test(line))).toBe(true);
    // One filter drives; the others are tested per row, never each materialised as a list of ids (issue 18).
    expect(plan.filter((line) => line.includes('LIST SUBQUERY')).length, plan.join('\n')).toBeLessThanOrEqual(1);
    // A filter tested per row finds that row's index entries by the row's id: a range of the filter's own values
    // (`hi>?` on dates_hi) walked per row made `Encounter?subject=<one patient>&date=ge…` take ~3 s at 100k rows.
    // Every index row is owned by its resource's integer key (schema 7): that key finds them.
    expect(plan.filter((line) => /^SEARCH \w+ EXISTS/.test(line) && !/\bowner=\?/.test(line)), plan.join('\n')).toEqual([]);
    // A driver's row keys are looked up by the resources' integer key, never tested against every resource of the type.
    expect(plan.filter((line) => /^SEARCH r USING (COVERING )?INDEX sqlite_autoindex_resources_1 \(type=\?\)$/.test(line)), plan.join('\n')).toEqual([]);
  });

  it("reads the month bill sends in the order of the date index: no sort, no list of the agency's encounters", () => {
    const db = SqliteStore.open(openSqliteDatabase({ path: ':memory:' })).db;
    const plan = planOf(db, MONTH);
    expect(plan.filter((line) => /TEMP B-TREE|LIST SUBQUERY|^SCAN (?!page$)/.test(line)), plan.join('\n')).toEqual([]);
    expect(plan.some((line) => /SEARCH d USING INDEX dates_lo \(type=\? AND code=\? AND lo>\? AND lo<\?\)/.test(line)), plan.join('\n')).toBe(true);
  });

  it("answers a conditional create's identifier=system|value from the token index alone, then the holders' rows by their key", () => {
    const store = SqliteStore.open(openSqliteDatabase({ path: ':memory:' }));
    const lookup = store.tables.tokenHolders.source;
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${lookup}`).all('Patient', 'identifier', 's', 'v') as { detail: string }[]).map((r) => r.detail);
    expect(plan).toEqual(['SEARCH t USING COVERING INDEX tokens_lookup (type=? AND kind=? AND system=? AND value=?)', 'SEARCH r USING INTEGER PRIMARY KEY (rowid=?)']);
  });
});
