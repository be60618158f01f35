// What the embedded server relies on in Medplum beyond its public API: the assumptions A1-A8 listed in
// src/medplum/index.ts, one describe each, each failing when an upgrade breaks it. And the fence: no file outside
// src/medplum/ reaches into those internals.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSearchRequest } from '@medplum/core';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Patient as MedplumPatient } from '@medplum/fhirtypes';
import type { Bundle, Patient, Resource } from 'fhir/r4.js';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { medplumSortOrder, MEDPLUM_MAP_CALLS, searchRequestOf, StoreBackedRepository, storeMapsOf, storeOwned, versionsOf, type StoreMaps } from '../src/medplum/index.js';
import { LOCAL_REFERENCE } from '../src/medplum/batch-creates.js';
import { IndexedMemoryRepository } from '../src/indexed-repository.js';
import { loadFhirDefinitions } from '../src/definitions.js';

const require = createRequire(import.meta.url);
const SERVER = join(dirname(fileURLToPath(import.meta.url)), '..');

function packageDir(name: string): string {
  const dir = (require.resolve.paths(name) ?? []).map((p) => join(p, name)).find((d) => existsSync(join(d, 'package.json')));
  if (!dir) throw new Error(`${name} is not installed`);
  return dir;
}

function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;
}

/** A bare MemoryRepository's two private maps, as the server reads them. */
function mapsOf(repo: MemoryRepository): StoreMaps {
  return storeMapsOf(repo);
}

describe('A1 versions: the server was written against Medplum 4.5.2', () => {
  it('the installed @medplum/core and @medplum/fhir-router are 4.5.2, pinned exactly by the server', () => {
    const pinned = (JSON.parse(readFileSync(join(SERVER, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
    for (const name of ['@medplum/core', '@medplum/fhir-router']) {
      expect(pinned[name]).toBe('4.5.2');
      expect(installedVersion(name)).toBe('4.5.2');
    }
  });
});

describe('A2 private maps: a MemoryRepository keeps its data in two own Map fields', () => {
  it('resources and history are its only own fields, both Maps', () => {
    const repo = new MemoryRepository();
    expect(Object.keys(repo).sort()).toEqual(['history', 'resources']);
    expect(mapsOf(repo).resources).toBeInstanceOf(Map);
    expect(mapsOf(repo).history).toBeInstanceOf(Map);
  });

  it('they can be replaced: a created resource lands in the stand-ins', async () => {
    const maps: StoreMaps = { resources: new Map(), history: new Map() };
    const repo = new StoreBackedRepository(maps, () => Promise.reject(new Error('no search')));
    const created = await repo.createResource<MedplumPatient>({ resourceType: 'Patient', active: true });
    expect(maps.resources.get('Patient')?.get(created.id)).toMatchObject({ active: true });
    expect(maps.history.get('Patient')?.get(created.id)).toHaveLength(1);
  });
});

/**
 * Maps that record `level.method` for every method called on them. With `createOnGet` a missing type map or version
 * list is created (recorded too) on `get`, as the server's stores do; without it they are plain Maps, and only what
 * Medplum sets is recorded (it fills a new map through its own reference).
 */
function recording(calls: Set<string>, createOnGet: boolean): StoreMaps {
  const wrap = <T extends object>(target: T, level: string, created?: () => unknown): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value: unknown = Reflect.get(t, key, receiver);
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        return (...args: unknown[]) => {
          calls.add(`${level}.${key}`);
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(t, args);
          if (key !== 'get' || result !== undefined || !created) return result;
          const fresh = created();
          (t as Map<unknown, unknown>).set(args[0], fresh);
          return fresh;
        };
      },
    });
  const onGet = <T,>(make: () => T): (() => T) | undefined => (createOnGet ? make : undefined);
  const versions = (): Resource[] => wrap<Resource[]>([], 'versions');
  return {
    resources: wrap(new Map(), 'resources', onGet(() => wrap(new Map<string, Resource>(), 'resourcesOfType'))),
    history: wrap(new Map(), 'history', onGet(() => wrap(new Map<string, Resource[]>(), 'historyOfType', onGet(versions)))),
  };
}

/** Every operation of a MemoryRepository the router uses, on `repo`. */
async function exercise(repo: MemoryRepository): Promise<void> {
  const p = await repo.createResource<MedplumPatient>({ resourceType: 'Patient', name: [{ family: 'A' }] });
  await repo.updateResource({ ...p, active: true });
  await repo.updateResource({ ...p, active: false }, { ifMatch: (await repo.readResource<MedplumPatient>('Patient', p.id)).meta?.versionId ?? '' });
  await repo.patchResource('Patient', p.id, [{ op: 'add', path: '/gender', value: 'other' }]);
  await repo.readHistory('Patient', p.id);
  const version = (await repo.readResource<MedplumPatient>('Patient', p.id)).meta?.versionId ?? '';
  await repo.readVersion('Patient', p.id, version);
  await repo.readReference({ reference: `Patient/${p.id}` });
  await repo.search(parseSearchRequest('Patient?family=A&_sort=family'));
  await repo.conditionalCreate({ resourceType: 'Patient' }, parseSearchRequest('Patient?family=B'));
  await repo.conditionalUpdate({ resourceType: 'Patient', active: true }, parseSearchRequest('Patient?family=C'));
  await repo.deleteResource('Patient', p.id);
  repo.clear();
}

describe('A3 map protocol: MemoryRepository touches its maps only with the calls MEDPLUM_MAP_CALLS lists', () => {
  it('on maps whose get never answers undefined (the server\'s stores): exactly the listed calls', async () => {
    loadFhirDefinitions();
    const calls = new Set<string>();
    const repo = new MemoryRepository();
    Object.assign(repo, recording(calls, true));
    await exercise(repo);
    const listed = Object.entries(MEDPLUM_MAP_CALLS).flatMap(([level, methods]) => methods.map((m) => `${level}.${m}`));
    expect([...calls].sort()).toEqual([...listed].sort());
  });

  it('on plain Maps: only set(key, empty) more, on the outer maps', async () => {
    loadFhirDefinitions();
    const calls = new Set<string>();
    const repo = new MemoryRepository();
    Object.assign(repo, recording(calls, false));
    await exercise(repo);
    expect([...calls].sort()).toEqual(['history.clear', 'history.get', 'history.set', 'resources.clear', 'resources.get', 'resources.set']);
  });

  it('search reads nothing but this.resources: Medplum order from a stand-in holding only the matches', async () => {
    loadFhirDefinitions();
    const repo = new MemoryRepository();
    for (const family of ['Cole', 'Abel', 'Bird']) await repo.createResource<MedplumPatient>({ resourceType: 'Patient', name: [{ family }] });
    const req = parseSearchRequest('Patient?_sort=-family');
    const expected = ((await repo.search(req)).entry ?? []).map((e) => e.resource?.id);
    const matches = [...(mapsOf(repo).resources.get('Patient')?.values() ?? [])] as Resource[];
    expect((await medplumSortOrder(matches, req)).map((r) => r.id)).toEqual(expected);
  });
});

describe('A4 search: a prototype method every lookup goes through', () => {
  it('search is a prototype method taking the search request', () => {
    expect(Object.hasOwn(MemoryRepository.prototype, 'search')).toBe(true);
    expect(MemoryRepository.prototype.search.length).toBe(1);
  });

  it('searchResources, conditional create/update/delete call this.search (so the replaced search answers them)', async () => {
    const search = vi.fn(async () => ({ resourceType: 'Bundle', type: 'searchset', total: 0 }) as Awaited<ReturnType<MemoryRepository['search']>>);
    const repo = new StoreBackedRepository({ resources: new Map(), history: new Map() }, search);
    const req = parseSearchRequest('Patient?identifier=a|b');
    await repo.searchResources(req);
    await repo.conditionalCreate({ resourceType: 'Patient' }, req);
    await repo.conditionalUpdate({ resourceType: 'Patient' }, req);
    await repo.conditionalDelete(req);
    expect(search.mock.calls.length).toBeGreaterThanOrEqual(4);
  });
});

describe('A5 history order: readHistory reverses the stored list in place', () => {
  it('its order flips on every call (drop versionsOf when this fails); versionsOf stays oldest first', async () => {
    const repo = new MemoryRepository();
    const created = await repo.createResource<MedplumPatient>({ resourceType: 'Patient', active: true });
    await repo.updateResource({ ...created, active: false });
    const order = async (): Promise<unknown[]> => ((await repo.readHistory('Patient', created.id)).entry ?? []).map((e) => (e.resource as MedplumPatient).active);
    expect(await order()).toEqual([false, true]);
    expect(await order()).toEqual([true, false]);
    const indexed = new IndexedMemoryRepository();
    const stored = await indexed.createResource<MedplumPatient>({ resourceType: 'Patient', active: true });
    await indexed.updateResource({ ...stored, active: false });
    expect(versionsOf(indexed, 'Patient', stored.id).map((v) => (v as Patient).active)).toEqual([true, false]);
  });
});

/** JSON values with the empties Medplum's stringify removes (undefined, null, '', {}, []) at any depth. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constantFrom(undefined, null, '', 0, true, 'urn:x', 'finished'), fc.string(), tie('list'), tie('object')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.constantFrom('system', 'code', 'value', 'text', 'extension', 'x'), tie('value'), { maxKeys: 4 }),
})).value;

describe('A6 createResource: what storeOwned copies', () => {
  it('stores what createResource stores: JSON.parse(stringify(resource)), its id, a new versionId and lastUpdated, one version', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('identifier', 'name', 'telecom', 'active', 'text'), jsonish, { maxKeys: 4 }), async (body) => {
        const input = { resourceType: 'Patient', ...body } as MedplumPatient;
        const medplum = new MemoryRepository();
        const theirs = await medplum.createResource({ ...structuredClone(input), id: 'p1' });
        const ours = new IndexedMemoryRepository();
        const stored = storeOwned(ours, { ...(JSON.parse(JSON.stringify(input)) as Patient), id: 'p1' });
        const strip = (r: { meta?: object }): unknown => ({ ...r, meta: { ...r.meta, versionId: 'v', lastUpdated: 't' } });
        expect(strip(stored)).toEqual(strip(theirs));
        expect(versionsOf(ours, 'Patient', 'p1')).toHaveLength(1);
      }),
      { numRuns: 100 },
    );
  });

  it('createResource takes the id from this.generateId(), a prototype method a subclass replaces', async () => {
    class Fixed extends MemoryRepository {
      override generateId(): string {
        return 'fixed-id';
      }
    }
    expect((await new Fixed().createResource<MedplumPatient>({ resourceType: 'Patient' })).id).toBe('fixed-id');
  });
});

describe('A7 create-only batches: what batch-creates.ts copies from BatchProcessor', () => {
  it("Medplum's local-reference pattern is the one batch-creates.ts matches (the response and stored resources are compared in server-create-bundle.test.ts)", () => {
    const dist = readFileSync(join(packageDir('@medplum/fhir-router'), 'dist/esm/index.mjs'), 'utf8');
    expect(dist).toContain(`/${LOCAL_REFERENCE.source}/`);
  });
});

describe('A8 router: FhirRouter.handleRequest as the server calls it', () => {
  const router = new FhirRouter();
  const conditional = (n: number): Bundle => ({
    resourceType: 'Bundle',
    type: 'transaction',
    entry: Array.from({ length: n }, (_, i) => ({ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=s|${i}` } })),
  });
  const call = (body: unknown, pathname = '') =>
    router.handleRequest({ method: 'POST', url: '', pathname, params: {}, query: {}, headers: {}, body, config: { transactions: true } }, new MemoryRepository());

  it('throws when pathname is set (the route comes from url alone)', async () => {
    await expect(call(conditional(1), '/')).rejects.toThrow(/pathname/);
  });

  it('refuses a transaction of more than 8 entries with a conditional one (the server sends it as a batch in its own journal)', async () => {
    loadFhirDefinitions();
    const [ok] = await call(conditional(8));
    const [refused] = await call(conditional(9));
    expect(ok.id).toBe('ok');
    expect(JSON.stringify(refused)).toMatch(/strict isolation/);
  });

  it('does not roll back: an entry before a failed one stays stored (the server rolls it back itself)', async () => {
    const repo = new MemoryRepository();
    const body: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', id: 'x' }, request: { method: 'PUT', url: 'Patient/y' } },
      ],
    };
    await router.handleRequest({ method: 'POST', url: '', pathname: '', params: {}, query: {}, headers: {}, body, config: { transactions: true } }, repo);
    expect(mapsOf(repo).resources.get('Patient')?.size).toBe(1);
  });

  it("answers a type-level search with the repository's own Bundle for searchRequestOf's request, and nothing else (the server then answers it without the router)", async () => {
    loadFhirDefinitions();
    const queries = ['identifier=s%7C1&_count=2', 'date=ge2025-01-01&date=le2025-02-01&_sort=-date&_count=5&_offset=1', '_id=a,b&_summary=count', 'name=x&name=y&_total=accurate'];
    for (const query of queries) {
      const asked: unknown[] = [];
      const answer = { resourceType: 'Bundle', type: 'searchset', total: 0 };
      const repo = new MemoryRepository();
      repo.search = (async (req: unknown) => {
        asked.push(req);
        return answer;
      }) as never;
      const [outcome, bundle] = await router.handleRequest({ method: 'GET', url: `Encounter?${query}`, pathname: '', params: {}, query: {}, headers: {}, body: undefined }, repo);
      expect(outcome.id, query).toBe('ok');
      expect(bundle, query).toBe(answer);
      expect(asked, query).toEqual([searchRequestOf('Encounter', new URLSearchParams(query))]);
    }
    // A query Medplum cannot parse: the router answers the error searchRequestOf throws.
    const [refused] = await router.handleRequest({ method: 'GET', url: 'Encounter?date=notadate', pathname: '', params: {}, query: {}, headers: {}, body: undefined }, new MemoryRepository());
    expect(() => searchRequestOf('Encounter', new URLSearchParams('date=notadate'))).toThrow();
    expect(refused.issue?.[0]?.severity).toBe('error');
  });
});

/** Every .ts file under a folder. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return d.name.endsWith('.ts') ? [path] : [];
  });
}

/** What only src/medplum/ may do: each pattern names a Medplum internal or a copied part of Medplum. */
const FENCED: [string, RegExp][] = [
  ['a value import of MemoryRepository or FhirRouter (subclassing, prototypes, routing)', /import\s*\{[^}]*\b(?<!type )(MemoryRepository|FhirRouter)\b[^}]*\}\s*from\s*'@medplum\/fhir-router'/],
  ['a deep import into a Medplum package', /from\s*'@medplum\/[a-z-]+\/[^']+'/],
  ['a prototype method of a Medplum class', /\.prototype\.(search|createResource|readHistory|generateId)\b/],
  ['a prototype swap', /Object\.setPrototypeOf/],
  ['a cast to the private maps', /as\s+(unknown\s+as\s+)?\{[^}]*\b(resources|history)\s*[?]?:/],
  ["Medplum's local-reference pattern", /urn\(:\|%3A\)uuid/],
];

describe('the fence: only src/medplum/ reaches into Medplum internals', () => {
  it('no file of src/ outside src/medplum/ does what the fenced module does', () => {
    const src = join(SERVER, 'src');
    const found = sourceFiles(src)
      .filter((path) => !relative(src, path).startsWith('medplum/'))
      .flatMap((path) => {
        const text = readFileSync(path, 'utf8');
        return FENCED.filter(([, pattern]) => pattern.test(text)).map(([what]) => `${relative(SERVER, path)}: ${what}`);
      });
    expect(found).toEqual([]);
  });

  it('the patterns catch what they fence (each one matches a line of src/medplum/ or a sample)', () => {
    const samples = [
      "import { MemoryRepository } from '@medplum/fhir-router';",
      "import { x } from '@medplum/core/dist/esm/index.mjs';",
      'MemoryRepository.prototype.search.call(only, req);',
      'Object.setPrototypeOf(map, IndexedTypeMap.prototype);',
      'const store = (repo as unknown as { resources: unknown }).resources;',
      'const LOCAL = /urn(:|%3A)uuid(:|%3A)[0-9a-f]{8}/;',
    ];
    FENCED.forEach(([, pattern], i) => expect(pattern.test(samples[i] ?? '')).toBe(true));
    expect(FENCED[0]?.[1].test("import type { MemoryRepository } from '@medplum/fhir-router';")).toBe(false);
  });
});
