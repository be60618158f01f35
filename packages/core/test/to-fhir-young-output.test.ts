// Issue 18, B1: a process that pretenured toFhir's output (V8 allocating it straight into old space) ran 2-3x slower for
// its whole life, and about half of fresh processes did. V8 pretenures objects made by object and array *literals*
// (allocation sites) whose objects were still alive at a scavenge, which a call's output always is; so every object
// of a mapped bundle is built without a literal (src/fhir/internal/fresh.ts). This test makes V8's decision certain
// (a 1 MB new space, at its maximum from the start, and large calls that keep their output alive across many
// scavenges) and then checks that no object of a fresh bundle was born in old space. Before the change: 709 of 762.
//
// The same holds for what the transaction builder keeps while a call runs: its record of each fullUrl points at the
// entry. At 100k encounters, processes whose V8 had pretenured that record (an object literal, ~1,000 per call of 100
// encounters) were 3-4x slower than the others: an old object pointing at a young one keeps it alive across every
// scavenge until the next full GC, so each dropped bundle was copied and promoted. Before that change: the 20 records
// below that hold an entry were all old, each pointing at its young entry.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-young-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Runs in a child node with --allow-natives-syntax: `%InYoungGeneration` is not JavaScript, so it is compiled at run time.
const CHILD = `
const { toFhir, TransactionBuilder } = await import(process.argv[2]);
const young = new Function('o', 'return %InYoungGeneration(o)');
const base = { specialistNpi: '1245319599', organizationNpi: '1234567893', status: 'finished', modality: 'in-person', setting: 'community',
  program: 'substance-use', supportTypes: ['emotional'], activities: ['goal-setting'], placeOfService: '99', part2: true };
const ind = (i) => ({ ...base, id: 'e-' + i, mode: 'individual', start: '2025-01-14T10:00:00-05:00', end: '2025-01-14T10:52:00-05:00',
  attendees: [{ participantId: 'p-' + (i % 7), diagnoses: ['F11.20', 'F41.1'], goalIds: ['g-1'], note: 'note' }],
  ...(i % 5 === 0 ? { location: { id: 'loc-1', name: 'Center', address: { line: ['1 Main St'], city: 'Durham', state: 'NC', postalCode: '27701' } } } : {}) });
const grp = (i) => ({ ...base, id: 'g-' + i, mode: 'group', groupId: 'grp-' + (i % 3), start: '2025-02-03T13:00:00-05:00', end: '2025-02-03T14:30:00-05:00',
  attendees: [0, 1, 2].map((k) => ({ participantId: 'p-' + ((i + k) % 7), diagnoses: ['F10.20'], goalIds: [] })) });
const mapped = new Set(['Encounter', 'Condition', 'DocumentReference', 'Group', 'Location']);
const existing = (k) => (mapped.has(k.resourceType) ? undefined : k.resourceType + '/x');
const batch = (n, off) => Array.from({ length: n }, (_, i) => ((i + off) % 4 === 0 ? grp(i + off) : ind(i + off)));
for (let r = 0; r < 6; r++) toFhir({ encounters: batch(300, r * 300) }, { existing });
let objects = 0, old = 0;
const walk = (v) => { if (v === null || typeof v !== 'object') return; objects++; if (!young(v)) old++; for (const x of Object.values(v)) walk(x); };
walk(toFhir({ encounters: batch(5, 9000) }, { existing }).entry);
// A builder in the middle of a call, as toFhir uses it: entries added, references to records already on the server.
const b = new TransactionBuilder({}, existing);
for (let i = 0; i < 20; i++) {
  const patient = b.ref({ resourceType: 'Patient', search: 'identifier', system: 'urn:test:patient', value: 'p-' + i });
  b.add({ resourceType: 'Encounter', search: 'identifier', system: 'urn:test:encounter', value: 'e-' + i }, { resourceType: 'Encounter', status: 'finished', subject: patient });
}
// Every object the builder holds, and those of them that are old and point at a young object (values of Maps too).
let held = 0, oldToYoung = 0;
const seen = new Set();
const children = (v) => (v instanceof Map ? [...v.values()] : Object.values(v)).filter((x) => x !== null && typeof x === 'object');
const hold = (v) => { if (seen.has(v)) return; seen.add(v); held++; const c = children(v); if (!young(v) && c.some(young)) oldToYoung++; c.forEach(hold); };
hold(b);
process.stdout.write(JSON.stringify({ objects, old, held, oldToYoung }));
`;

/** Bundles toFhir and the transaction builder from the sources and runs CHILD on them with V8's decision made certain. */
async function probe(): Promise<{ objects: number; old: number; held: number; oldToYoung: number }> {
  const entry = join(dir, 'entry.ts');
  const src = (path: string) => JSON.stringify(fileURLToPath(new URL(`../src/${path}`, import.meta.url)));
  writeFileSync(entry, `export { toFhir } from ${src('mapping/index.ts')};\nexport { TransactionBuilder } from ${src('fhir/internal/builder.ts')};\n`);
  const bundle = join(dir, 'mapping.mjs');
  await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', target: 'es2022', outfile: bundle, logLevel: 'silent' });
  const child = join(dir, 'child.mjs');
  writeFileSync(child, CHILD);
  const flags = ['--allow-natives-syntax', '--max-semi-space-size=1', '--min-semi-space-size=1'];
  const r = spawnSync(process.execPath, [...flags, child, bundle], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { objects: number; old: number; held: number; oldToYoung: number };
}

describe('toFhir output and V8 pretenuring (B1)', () => {
  let result: ReturnType<typeof probe> | undefined;
  const probed = () => (result ??= probe());

  it('builds no object of a mapped bundle where V8 can decide to allocate it in old space', async () => {
    const { objects, old } = await probed();
    expect(objects).toBeGreaterThan(500);
    expect(old).toBe(0);
  });

  it('keeps no builder record in old space pointing at a young entry while a call runs', async () => {
    const { held, oldToYoung } = await probed();
    expect(held).toBeGreaterThan(100);
    expect(oldToYoung).toBe(0);
  });
});
