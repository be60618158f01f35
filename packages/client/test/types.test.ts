import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bundle, Encounter, Goal, OperationOutcome } from 'fhir/r4.js';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { PeerFhirClient, type FhirResponse, type Retrieved, type SearchParamsFor } from '../src/index.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));

function isStale(target: string, srcDir: string): boolean {
  if (!existsSync(target)) return true;
  const built = statSync(target).mtimeMs;
  const newest = (readdirSync(srcDir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => statSync(`${d.parentPath}/${d.name}`).mtimeMs);
  return newest.some((m) => m > built);
}

describe('published declarations', () => {
  let dts = '';
  beforeAll(() => {
    // The check script builds first; rebuild here only when dist is missing or older than src.
    if (isStale(`${pkgDir}/dist/index.d.ts`, `${pkgDir}/src`)) execFileSync('pnpm', ['run', 'build'], { cwd: pkgDir, stdio: 'pipe' });
    dts = readFileSync(`${pkgDir}/dist/index.d.ts`, 'utf8');
  }, 120_000);

  it('contain no `any` outside comments', () => {
    const code = dts.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code.match(/\bany\b/g) ?? []).toEqual([]);
  });

  it('never mention fhir-kit-client', () => {
    expect(dts).not.toMatch(/fhir-kit-client/);
  });
});

describe('typed CRUD', () => {
  const client = new PeerFhirClient({ baseUrl: 'http://types.invalid', fetch: async () => new Response('{}') });

  it('read("Encounter", id) returns a retrieved Encounter with id: string', () => {
    const p = client.read('Encounter', 'e1');
    expectTypeOf(p).resolves.toEqualTypeOf<Retrieved<Encounter>>();
    expectTypeOf(p).resolves.toHaveProperty('id').toEqualTypeOf<string>();
    expectTypeOf(p).resolves.toExtend<Encounter>();
    expectTypeOf<Awaited<typeof p>['meta']['versionId']>().toEqualTypeOf<string>();
    expectTypeOf(p.withResponse()).resolves.toEqualTypeOf<FhirResponse<Retrieved<Encounter>>>();
    p.catch(() => undefined);
  });

  it('create/update keep the resource type; delete resolves to an OperationOutcome or nothing', () => {
    const goal: Goal = { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'x' }, subject: { reference: 'Patient/1' } };
    const created = client.create(goal);
    expectTypeOf(created).resolves.toEqualTypeOf<Retrieved<Goal>>();
    expectTypeOf(client.delete('Goal', 'g1')).resolves.toEqualTypeOf<OperationOutcome | undefined>();
    expectTypeOf(client.search('Goal')).resolves.toEqualTypeOf<Bundle<Retrieved<Goal>>>();
    created.catch(() => undefined);
  });

  it('types search parameters for owned resources', () => {
    expectTypeOf<{ patient: string; date: string[]; _count: number }>().toExtend<SearchParamsFor<'Encounter'>>();
    expectTypeOf<{ _count: string }>().not.toExtend<SearchParamsFor<'Encounter'>>();
    const typo = () =>
      // @ts-expect-error: a misspelt parameter on an owned type does not compile
      client.search('Encounter', { patinet: 'Patient/1' });
    const modifier = () => client.search('Encounter', { 'identifier:missing': 'false', 'subject.identifier': 'urn:x|1' });
    expectTypeOf(typo).toBeFunction();
    expectTypeOf(modifier).toBeFunction();
    expectTypeOf<string>().toExtend<SearchParamsFor<'Encounter'>>();
    expectTypeOf<Record<string, string>>().toExtend<SearchParamsFor<'Observation'>>();
  });
});
