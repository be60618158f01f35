// Ingest in bounded batches (issue 21, acceptance 1): an export of any size is read into the domain model holding the
// caseload (agency, staff, participants and what hangs on them) plus one batch of encounters — never every encounter.
// Batching is invisible in the result: whatever the batch size and whatever the order of the lines, ingest yields the
// records core's fromFhir reads from the whole input at once.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFhir, toFhir, type CompleteDomainRecords, type DomainRecords, type PeerEncounter } from '@peer-fhir/core';
import { generateAgency } from '@peer-fhir/testing';
import fc from 'fast-check';
import type { BundleEntry, FhirResource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestNdjson, ingestResources, PeerFhirClient } from '../src/index.js';

const SEED = Number(process.env.PEER_FHIR_SEED ?? 21);
const RUNS = process.env.PEER_FHIR_LONG === '1' ? 200 : 8;

const testingModule: string = '@peer-fhir/testing';
const testing = (await import(testingModule)) as { startFhirServer: () => Promise<{ url: string; close(): Promise<void> }> };

function recordsOf(months: number): DomainRecords {
  const agency = generateAgency({ seed: 21, months, participants: 6 });
  return { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants, encounters: agency.encounters, plans: agency.plans, consents: agency.consents };
}

/** An EHR's export of `records`: written to a server (literal `Type/id` references), exported with Bulk Data. */
async function exported(records: DomainRecords): Promise<FhirResource[]> {
  const server = await testing.startFhirServer();
  try {
    const client = new PeerFhirClient({ baseUrl: server.url });
    await client.transaction(toFhir(records));
    const job = await client.bulkExport();
    const out: FhirResource[] = [];
    for await (const r of job.resources()) out.push(r);
    await job.delete();
    return out;
  } finally {
    await server.close();
  }
}

/** The resources of a transaction as a server stores them: entry i gets the id `ids[i]`; references become `Type/id`. */
function stored(entries: readonly BundleEntry[], ids: readonly string[]): FhirResource[] {
  const literal = new Map(entries.map((e, i) => [e.fullUrl ?? '', `${e.resource?.resourceType ?? ''}/${ids[i] ?? ''}`]));
  return entries.map((e, i) => JSON.parse(JSON.stringify({ ...e.resource, id: ids[i] }).replace(/"(urn:uuid:[0-9a-f-]+)"/g, (m, url: string) => JSON.stringify(literal.get(url) ?? url))) as FhirResource);
}

/** `n` distinct random-looking UUIDs drawn from `seed` (mulberry32), as a server would assign them. */
function serverIds(seed: number, n: number): string[] {
  let a = seed >>> 0;
  const word = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0).toString(16).padStart(8, '0');
  };
  return Array.from({ length: n }, () => {
    const h = word() + word() + word() + word();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  });
}

/** FNV-1a of a string (the spread ingest used when this test was written). */
function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Server ids for `entries` where every Encounter's `Encounter/id` has FNV-1a low 8 bits equal to 0 (one partition for any power-of-two count up to 256). */
function collidingIds(seed: number, entries: readonly BundleEntry[]): string[] {
  const pool = serverIds(seed, entries.length);
  // Every id once: an encounter's drawn id never repeats another resource's.
  const used = new Set(pool);
  let next = seed + 1;
  return entries.map((e, i) => {
    if (e.resource?.resourceType !== 'Encounter') return pool[i] ?? '';
    for (;;) {
      const [id] = serverIds(next++, 1);
      if (id !== undefined && !used.has(id) && (fnv1a(`Encounter/${id}`) & 0xff) === 0) {
        used.add(id);
        return id;
      }
    }
  });
}

/** `promise`, or a rejection once `ms` have passed (a hang fails the test instead of holding the run). */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not end within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The most resources an ingest of `list` may hold at once: the caseload while it is read; then only what encounters
 * are read with, beside one batch of at most twice `batchSize` (or one encounter's `largestUnit` when that is more).
 */
function peakBound(list: readonly FhirResource[], batchSize: number, largestUnit: number): number {
  const count = (types: readonly string[]) => list.filter((r) => types.includes(r.resourceType)).length;
  const caseloadHeld = list.length - count(['Encounter', 'Condition', 'DocumentReference']);
  const encounterContext = count(['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'Group', 'Patient']);
  return Math.max(caseloadHeld, encounterContext + Math.max(2 * batchSize, largestUnit));
}

/** The resources toFhir writes for one encounter: its Encounter (a session's and each attendee's), diagnoses and notes. */
const resourcesOfEncounter = (e: PeerEncounter): number =>
  (e.mode === 'group' ? 1 : 0) + e.attendees.reduce((n, a) => n + 1 + a.diagnoses.length + (a.note === undefined ? 0 : 1), 0);

const ids = (r: CompleteDomainRecords) => ({
  // A session's attendees come in input order (fromFhir's too): compared as a set.
  encounters: r.encounters.map((e) => JSON.stringify({ ...e, attendees: [...e.attendees].sort((x, y) => (x.participantId < y.participantId ? -1 : 1)) })).sort(),
  participants: r.participants.map((p) => p.id).sort(),
  plans: r.plans.map((p) => p.id).sort(),
  consents: r.consents.map((c) => c.id).sort(),
});

let small: FhirResource[] = [];
let large: FhirResource[] = [];
beforeAll(async () => {
  small = await exported(recordsOf(1));
  large = await exported(recordsOf(4));
}, 120_000);

/** Resources the caseload holds: everything but encounters, their diagnoses and notes. */
const caseload = (list: FhirResource[]) => list.filter((r) => !['Encounter', 'Condition', 'DocumentReference'].includes(r.resourceType)).length;

describe('ingest in batches', () => {
  it('holds the caseload plus one batch, however many encounters the export has', async () => {
    const batchSize = 20;
    const counted = async (list: FhirResource[]) => {
      let encounters = 0;
      const result = await ingestResources(list, { batchSize, onRecords: (r) => void (encounters += r.encounters.length) });
      return { ...result, encounters };
    };
    const a = await counted(small);
    const b = await counted(large);
    expect(b.read).toBeGreaterThan(2 * a.read);
    expect(b.encounters).toBe(fromFhir(large).encounters.length);
    // Handed to onRecords, nothing is kept in the result.
    expect(b.records.encounters).toEqual([]);
    // A batch is about batchSize resources (an encounter with its diagnoses, notes and session stay together).
    for (const r of [a, b]) expect(r.peakHeld).toBeLessThanOrEqual(Math.max(caseload(small), caseload(large)) + 4 * batchSize);
    // Four times the months: the peak grows only by what the caseload grew (plan revisions, consents), not by encounters.
    expect(b.peakHeld - a.peakHeld).toBeLessThanOrEqual(caseload(large) - caseload(small) + batchSize);
    expect(b.peakHeld).toBeLessThan(b.read / 4);
  });

  // Found by the test above failing once in a while: the server gives random ids, encounters are spread over batches
  // by a hash of theirs, and one batch now and then held three times batchSize (the peak went over a quarter of
  // what was read). Here the ids are drawn: for any of them a batch holds at most twice batchSize resources, or one
  // encounter with all it is read with (a group session and its attendees) when that alone is more.
  it('holds at most what encounters are read with plus twice batchSize, whatever ids the server gave', async () => {
    const records = recordsOf(4);
    const entries = toFhir(records).entry ?? [];
    const largestUnit = Math.max(...(records.encounters ?? []).map(resourcesOfEncounter));
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 10, max: 30 }), async (idSeed, batchSize) => {
        const list = stored(entries, serverIds(idSeed, entries.length));
        const { peakHeld, rejects } = await ingestResources(list, { batchSize });
        expect(rejects).toEqual([]);
        expect(peakHeld).toBeLessThanOrEqual(peakBound(list, batchSize, largestUnit));
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  }, 120_000);

  // Found by a CI run that timed out: partitions were re-routed with a salt prefixed to an FNV-1a hash, and for a
  // power-of-two partition count the low bits of that hash do not depend on the prefix, so two encounters that
  // collided once collided for every salt and the ingest re-routed them forever (half a million temporary files).
  // Here every encounter's id is drawn so its key has the same low 8 bits of FNV-1a: ingest must still end, with the
  // same bound on a batch, for any batch size.
  it('ends with bounded batches when every encounter id collides in the hash that spreads them', async () => {
    const records = recordsOf(1);
    const entries = toFhir(records).entry ?? [];
    const largestUnit = Math.max(...(records.encounters ?? []).map(resourcesOfEncounter));
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 40 }), async (idSeed, batchSize) => {
        const list = stored(entries, collidingIds(idSeed, entries));
        const { peakHeld, rejects, records: read } = await withDeadline(ingestResources(list, { batchSize }), 20_000);
        expect(rejects).toEqual([]);
        expect(read.encounters.length).toBe(fromFhir(list).encounters.length);
        expect(peakHeld).toBeLessThanOrEqual(peakBound(list, batchSize, largestUnit));
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  }, 120_000);

  it('gives the records fromFhir reads from the whole input, for every batch size and line order', async () => {
    const expected = ids(fromFhir(small));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60 }), fc.array(fc.nat(), { minLength: small.length, maxLength: small.length }), async (batchSize, keys) => {
        const order = small.map((r, i) => ({ r, k: keys[i] ?? 0 })).sort((x, y) => x.k - y.k).map((x) => x.r);
        const { records, rejects } = await ingestResources(order, { batchSize });
        expect(rejects).toEqual([]);
        expect(ids(records)).toEqual(expected);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  it('leaves no temporary file behind, also when the input fails half way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-ingest-test-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    await ingestResources(small, { batchSize: 10, tempDir: dir });
    expect(readdirSync(dir)).toEqual([]);
    async function* broken(): AsyncGenerator<string> {
      yield small.map((r) => JSON.stringify(r)).join('\n');
      throw new Error('connection reset');
    }
    await expect(ingestNdjson(broken(), { batchSize: 10, tempDir: dir })).rejects.toThrow('connection reset');
    expect(readdirSync(dir)).toEqual([]);
  }, 120_000);
});
