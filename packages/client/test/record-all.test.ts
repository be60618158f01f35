import type { Bundle, BundleEntry, Encounter, OperationOutcome, Patient } from 'fhir/r4.js';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { RecordAllProgress, RecordEntries } from '../src/index.js';
import { FhirAbortError } from '../src/index.js';
import { BASE, testClient, useMswServer } from './helpers.js';
import { seededRandom as seeded } from '../../../test/support/prng.js';

const server = useMswServer();
const SYS = 'urn:example:peer';


/** A record: a Patient and one Encounter pointing at it through a urn:uuid. */
function record(i: number, opts: { invalid?: boolean } = {}): RecordEntries {
  const patientUrl = `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const patient: Patient = { resourceType: 'Patient', identifier: [{ system: SYS, value: `p${i}` }], name: [{ family: `Family${i}` }] };
  const encounter: Encounter = {
    resourceType: 'Encounter',
    identifier: [{ system: SYS, value: `e${i}` }],
    status: opts.invalid ? ('bogus' as Encounter['status']) : 'finished',
    class: { code: 'AMB' },
    subject: { reference: patientUrl },
  };
  return [
    { fullUrl: patientUrl, resource: patient, request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|p${i}` } },
    { resource: encounter, request: { method: 'POST', url: 'Encounter', ifNoneExist: `identifier=${SYS}|e${i}` } },
  ];
}

/**
 * A tiny transactional FHIR endpoint keyed by identifier. With `faultRate`, a seeded share of
 * requests fails with 503, 429 or a connection reset, half of them AFTER committing (the
 * worst case for idempotency: the client cannot know the write landed).
 */
function fakeServer(opts: { faultRate?: number; seed?: number } = {}): { store: Map<string, number>; posts: () => number; faults: () => number } {
  const store = new Map<string, number>(); // identifier -> times created
  const rand = seeded(opts.seed ?? 1);
  let posts = 0;
  let faults = 0;
  server.use(
    http.post(BASE, async ({ request }) => {
      posts++;
      const bundle = (await request.json()) as Bundle;
      const roll = rand();
      const fault = roll < (opts.faultRate ?? 0);
      const kind = Math.floor(rand() * 3);
      const afterCommit = rand() < 0.5;
      const failNow = (): Response => {
        faults++;
        return kind === 0 ? new HttpResponse(null, { status: 503 }) : kind === 1 ? new HttpResponse(null, { status: 429, headers: { 'retry-after': '1' } }) : HttpResponse.error();
      };
      if (fault && !afterCommit) return failNow();
      const bad = bundle.entry?.find((e) => (e.resource as Encounter | undefined)?.status === ('bogus' as Encounter['status']));
      if (bad) {
        const oo: OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'value', diagnostics: 'Family name X is bad', expression: ['Encounter.status'] }] };
        return HttpResponse.json(oo, { status: 400 });
      }
      const entry: BundleEntry[] = (bundle.entry ?? []).map((e) => {
        const key = e.request?.ifNoneExist ?? '';
        const existed = store.has(key);
        if (!existed) store.set(key, 1);
        return { response: { status: existed ? '200 OK' : '201 Created', location: `${e.request?.url}/${key.split('|')[1]}/_history/1` } };
      });
      if (fault) return failNow();
      return HttpResponse.json({ resourceType: 'Bundle', type: 'transaction-response', entry });
    }),
  );
  return { store, posts: () => posts, faults: () => faults };
}

describe('recordAll', () => {
  it('packs records into transactions without splitting one, and reports created', async () => {
    const fake = fakeServer();
    const { client } = testClient();
    const progress: RecordAllProgress[] = [];
    const summary = await client.recordAll(Array.from({ length: 25 }, (_, i) => record(i)), { bundleSize: 5, concurrency: 3, onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ total: 25, done: 25, created: 25, existing: 0, failed: 0 });
    expect(fake.posts()).toBe(13); // 2 entries per record, 5 per bundle => 2 records per bundle
    expect(summary.records.every((r) => r.entryStatuses.join() === '201,201')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: 25, total: 25 });
    expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
  });

  it('creates nothing new when re-run with the same input', async () => {
    const fake = fakeServer();
    const { client } = testClient();
    const input = Array.from({ length: 10 }, (_, i) => record(i));
    // This fake answers transactions only: no read-back to compare (checkExisting: false).
    await client.recordAll(input, { bundleSize: 4, checkExisting: false });
    const again = await client.recordAll(input, { bundleSize: 4, checkExisting: false });
    expect(again).toMatchObject({ created: 0, unchanged: 10, conflict: 0, rejected: 0, existing: 10, failed: 0 });
    expect([...fake.store.values()].every((n) => n === 1)).toBe(true);
    expect(fake.store.size).toBe(20);
  });

  it('lands every record exactly once with 20% injected 503/429/reset faults (seeded)', async () => {
    const fake = fakeServer({ faultRate: 0.2, seed: 42 });
    const { client } = testClient();
    const input = Array.from({ length: 200 }, (_, i) => record(i));
    const summary = await client.recordAll(input, { bundleSize: 10, concurrency: 4, maxRetries: 8, checkExisting: false });
    expect(fake.faults()).toBeGreaterThan(5);
    expect(summary.failed).toBe(0);
    expect(summary.created + summary.existing).toBe(200);
    expect(fake.store.size).toBe(400);
    expect([...fake.store.values()].every((n) => n === 1)).toBe(true);
    // Commits whose response was lost come back as "existing" on the retry.
    expect(summary.existing).toBeGreaterThan(0);
  });

  it('bisects a permanently failing bundle so good records still land', async () => {
    const fake = fakeServer();
    const { client } = testClient();
    const input = Array.from({ length: 8 }, (_, i) => record(i, { invalid: i === 5 }));
    const summary = await client.recordAll(input, { bundleSize: 16 });
    expect(summary).toMatchObject({ created: 7, failed: 1 });
    const failed = summary.records.find((r) => r.status === 'rejected');
    expect(failed?.index).toBe(5);
    expect(failed?.reason).toBe('FhirBadRequestError (HTTP 400): value at Encounter.status');
    expect(failed?.reason).not.toContain('Family');
    expect(fake.store.size).toBe(14);
  });

  it('marks a record transient when every attempt got no answer or 408/429/5xx (writing it again may land it), and not when the server refused it', async () => {
    // Each record travels alone; the answers by its Encounter identifier: e0 a reset every time, e1 503, e2 429,
    // e3 408, e4 a 400 (the content is refused: a retry would be refused again).
    const statusOf: Record<string, number> = { e1: 503, e2: 429, e3: 408, e4: 400 };
    server.use(
      http.post(BASE, async ({ request }) => {
        const bundle = (await request.json()) as Bundle;
        const key = bundle.entry?.[1]?.request?.ifNoneExist?.split('|')[1] ?? '';
        const status = statusOf[key];
        return status === undefined ? HttpResponse.error() : new HttpResponse(null, { status, headers: { 'retry-after': '0' } });
      }),
    );
    const { client } = testClient();
    const summary = await client.recordAll(Array.from({ length: 5 }, (_, i) => record(i)), { bundleSize: 2, maxRetries: 1 });
    expect(summary.records.map((r) => [r.status, r.transient ?? false])).toEqual([
      ['rejected', true],
      ['rejected', true],
      ['rejected', true],
      ['rejected', true],
      ['rejected', false],
    ]);
  });

  it('fails records that are not conditional or reference urn:uuids outside themselves, without sending them', async () => {
    const fake = fakeServer();
    const { client } = testClient();
    const plain: RecordEntries = [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }];
    const dangling: RecordEntries = [record(1)[1]!];
    const summary = await client.recordAll([plain, dangling, record(2)]);
    expect(summary.records.map((r) => r.status)).toEqual(['rejected', 'rejected', 'created']);
    expect(summary.records[0]?.reason).toMatch(/not conditional/);
    expect(summary.records[1]?.reason).toMatch(/urn:uuid/);
    expect(fake.posts()).toBe(1);
  });

  it('asks for minimal transaction responses (Prefer: return=minimal) unless the caller says otherwise', async () => {
    const prefers: (string | null)[] = [];
    server.use(
      http.post(BASE, async ({ request }) => {
        prefers.push(request.headers.get('prefer'));
        const bundle = (await request.json()) as Bundle;
        const entry = (bundle.entry ?? []).map((e, i) => ({ response: { status: '201 Created', location: `${e.request?.url}/${i}/_history/1` } }));
        return HttpResponse.json({ resourceType: 'Bundle', type: 'transaction-response', entry });
      }),
    );
    const { client } = testClient();
    expect(await client.recordAll([record(1)])).toMatchObject({ created: 1 });
    expect(await client.recordAll([record(2)], { headers: { prefer: 'return=representation' } })).toMatchObject({ created: 1 });
    expect(prefers).toEqual(['return=minimal', 'return=representation']);
  });

  it('still names a dangling urn:uuid nested deep inside a resource', async () => {
    const fake = fakeServer();
    const { client } = testClient();
    const [patient, encounter] = record(3);
    const deep: Encounter = { ...(encounter!.resource as Encounter), participant: [{ individual: { reference: 'urn:uuid:99999999-0000-4000-8000-000000000000' } }] };
    const nested: RecordEntries = [patient!, { ...encounter!, resource: deep }];
    const summary = await client.recordAll([nested]);
    expect(summary.records[0]?.reason).toMatch(/urn:uuid/);
    expect(fake.posts()).toBe(0);
  });

  it('stops with FhirAbortError when the signal fires', async () => {
    fakeServer();
    const { client } = testClient();
    const ac = new AbortController();
    ac.abort();
    await expect(client.recordAll([record(1)], { signal: ac.signal })).rejects.toBeInstanceOf(FhirAbortError);
  });
});
