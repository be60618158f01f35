// `peer-fhir validate --profiles` (issue 15): users check what peer-fhir wrote against US Core 6.1.0 and peer-fhir's
// profiles. Through the built binary: every kind of resource peer-fhir emits passes (exit 0 with counts); one
// deliberately broken resource of each type — an element its profile requires (min >= 1, from the StructureDefinition)
// removed — is listed by file, position, type and path, and nothing else fails (exit 1). Values never appear.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Resource, StructureDefinition } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { structureDefinitions } from '@peer-fhir/core/profiles';
import { generateAgency } from '@peer-fhir/testing';
import { emittedBundles, EMITTED_TYPES } from '../../../test/support/emitted.js';
import { runCli } from './support.js';

const shippedUsCore = JSON.parse(readFileSync(new URL('../../server/fhir-packages/us-core-6.1.0-subset.json', import.meta.url), 'utf8')) as { structureDefinitions: StructureDefinition[] };
const definitions = new Map([...shippedUsCore.structureDefinitions, ...structureDefinitions()].map((sd) => [sd.url, sd]));

/** Top-level elements the resource's first profile requires (min >= 1) that the resource has. */
function requiredPresent(r: Resource): string[] {
  const sd = definitions.get(r.meta?.profile?.[0] ?? '');
  return (sd?.snapshot?.element ?? [])
    .filter((e) => e.path.split('.').length === 2 && (e.min ?? 0) >= 1 && !e.id?.includes(':'))
    .map((e) => e.path.split('.')[1]!.replace('[x]', ''))
    .filter((name) => Object.keys(r).some((k) => k === name || (k.startsWith(name) && /^[A-Z]/.test(k.slice(name.length)))));
}

/** The resource without its first required element (all `value[x]`-style spellings of it). */
function broken(r: Resource): { resource: Resource; element: string } | undefined {
  const element = requiredPresent(r)[0];
  if (!element) return undefined;
  const out = Object.fromEntries(Object.entries(r).filter(([k]) => k !== element && !(k.startsWith(element) && /^[A-Z]/.test(k.slice(element.length)))));
  return { resource: out as unknown as Resource, element };
}

let dir = '';
let bundles: Bundle[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'peer-fhir-profiles-'));
  bundles = [...emittedBundles(generateAgency({ seed: 7, months: 1, participants: 6 }), { supervisionMonths: 1 })];
  const good = join(dir, 'good');
  mkdirSync(join(good, 'nested'), { recursive: true });
  // Bundles as JSON files; the self-contained ones (no references between entries) also as NDJSON, in a subfolder.
  bundles.forEach((b, i) => writeFileSync(join(good, `bundle-${String(i).padStart(3, '0')}.json`), JSON.stringify(b)));
  writeFileSync(join(good, 'nested', 'questionnaires.ndjson'), (bundles.find((b) => b.entry?.[0]?.resource?.resourceType === 'Questionnaire')?.entry ?? []).map((e) => JSON.stringify(e.resource)).join('\n') + '\n');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('peer-fhir validate --profiles', () => {
  it('exits 0 with counts when every resource of every kind conforms (a folder of Bundles and NDJSON)', async () => {
    const r = await runCli(['validate', '--profiles', join(dir, 'good'), '--json']);
    const out = JSON.parse(r.stdout) as { checked: number; failed: number; byType: Record<string, { checked: number }>; problems: unknown[] };
    expect(out.problems).toEqual([]);
    expect(r.code).toBe(0);
    expect(Object.keys(out.byType).sort()).toEqual(EMITTED_TYPES);
    expect(out.failed).toBe(0);
    expect(out.checked).toBeGreaterThan(100);
    const text = await runCli(['validate', '--profiles', join(dir, 'good', 'nested')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\d+ resource\(s\) in \d+ file\(s\) checked against the profiles they name: \d+ conform, 0 with 0 problem\(s\)/);
  }, 180_000);

  it('lists one deliberately broken resource of each type by position and path, and exits 1', async () => {
    const expected: { type: string; position: string; element: string }[] = [];
    const seen = new Set<string>();
    const tampered = bundles.map((b) => ({
      ...b,
      entry: (b.entry ?? []).map((e, i) => {
        const type = e.resource?.resourceType;
        if (!type || seen.has(type)) return e;
        const b2 = broken(e.resource!);
        if (!b2) return e;
        seen.add(type);
        expected.push({ type, position: `entry[${i}]`, element: b2.element });
        return { ...e, resource: b2.resource };
      }),
    }));
    // Every emitted type has an element its profile requires, so every type is broken once.
    expect([...seen].sort()).toEqual(EMITTED_TYPES);
    const bad = join(dir, 'bad.ndjson');
    // One JSON file per bundle (as NDJSON lines the entries would lose their fullUrls); a broken NDJSON line besides.
    const badDir = join(dir, 'bad');
    mkdirSync(badDir);
    tampered.forEach((b, i) => writeFileSync(join(badDir, `bundle-${String(i).padStart(3, '0')}.json`), JSON.stringify(b)));
    writeFileSync(bad, '{"resourceType":"Patient",\n');
    const r = await runCli(['validate', '--profiles', 'bad', 'bad.ndjson', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { failed: number; problems: { file: string; resource: string; resourceType: string; path: string; code: string }[] };
    const failing = new Set(out.problems.filter((p) => p.resourceType).map((p) => `${p.resourceType} ${p.resource}`));
    expect([...failing].sort()).toEqual(expected.map((e) => `${e.type} ${e.position}`).sort());
    for (const e of expected) {
      const mine = out.problems.filter((p) => p.resourceType === e.type && p.resource === e.position);
      expect(mine.some((p) => p.path.includes(e.element) || p.code === 'invariant'), `${e.type} without ${e.element}`).toBe(true);
    }
    expect(out.problems).toContainEqual(expect.objectContaining({ file: 'bad.ndjson', resource: 'line 1', message: 'the line is not valid JSON' }));
    expect(out.failed).toBe(expected.length + 1);
  }, 180_000);

  it('prints paths and rules, never a value of the resource', async () => {
    const planted = 'Zqplantedvalue1234';
    const patient = { resourceType: 'Patient', meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] }, name: [{ family: planted, bogus: planted }], gender: planted, birthDate: planted };
    const file = join(dir, 'planted.json');
    writeFileSync(file, JSON.stringify(patient));
    const r = await runCli(['validate', '--profiles', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Patient');
    expect(r.stdout + r.stderr).not.toContain(planted);
  }, 120_000);

  it('refuses --fhir-package without --profiles, and a folder without FHIR files (exit 2)', async () => {
    expect((await runCli(['validate', '--fhir-package', 'x.tgz', 'a.json'])).code).toBe(2);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect((await runCli(['validate', '--profiles', empty])).code).toBe(2);
  }, 180_000);
});
