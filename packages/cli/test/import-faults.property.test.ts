// Issue 18, the trust round: `peer-fhir import` through an unreliable network. Every row ends in one counted outcome;
// a row is never written twice (every write is a conditional create, so a retry finds what an unanswered attempt
// stored), and never left unwritten while another attempt could write it. The faults are scripted per request (its
// method, path and, for a transaction, the conditional-create keys of its entries), so a script means the same thing
// whatever order the overlapping batches send their requests in: "the transaction of these encounters fails 7 times,
// then is answered". The client's backoff sleeps are skipped. Small files, tiny batches: many batches overlap.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { PeerClient, isFhirError, type FetchLike } from '@peer-fhir/client';
import { clientWithTestHooks } from '@peer-fhir/client/testing';
import type { EmbeddedFhirServer } from '@peer-fhir/testing';
import { IMPORT_COLUMNS } from '../src/index.js';
import { scopeOf } from '../src/config.js';
import type { EncounterTally } from '../src/import/import-encounters.js';
import type { RejectedRow } from '../src/import/assemble.js';
import { importEncountersThrough, useImportBench } from './support.js';

const bench = useImportBench(200);
const server = (): EmbeddedFhirServer => bench.current.server;

/** What the network does to one attempt at a request. */
type Fault = 'reset-before' | 'reset-after' | 'unavailable' | 'rate-limit' | 'truncated';
const FAULTS: readonly Fault[] = ['reset-before', 'reset-after', 'unavailable', 'rate-limit', 'truncated'];

/** How often the attempts at one request fail before one is answered (`Infinity`: never), and how. */
interface FaultScript {
  failures(key: string): number;
  fault(key: string): Fault;
}

/** A request told apart from others by what it asks: method, path, and a transaction's conditional-create keys. */
function requestKey(url: string, init: RequestInit): string {
  const path = new URL(url).pathname + new URL(url).search;
  if (typeof init.body !== 'string') return `${init.method ?? 'GET'} ${path}`;
  const bundle = JSON.parse(init.body) as Bundle;
  const keys = (bundle.entry ?? []).map((e) => `${e.request?.method} ${e.request?.url} ${e.request?.ifNoneExist ?? ''}`);
  return `${init.method ?? 'GET'} ${path} ${keys.sort().join(' ')}`;
}

const outcome = (status: number, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] }), { status, headers: { 'content-type': 'application/fhir+json', ...headers } });

/** The answer cut in half: the body stream fails after its first half, as when the connection drops mid-response. */
async function truncated(res: Response): Promise<Response> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.subarray(0, Math.max(1, bytes.length >> 1)));
      controller.error(new TypeError('terminated'));
    },
  });
  return new Response(body, { status: res.status, headers: res.headers });
}

/** One attempt with `fault`: the server sees the request first for `reset-after` and `truncated` (it may commit). */
async function faulty(fault: Fault, url: string, init: RequestInit): Promise<Response> {
  if (fault === 'reset-before') throw new TypeError('fetch failed');
  if (fault === 'unavailable') return outcome(503);
  if (fault === 'rate-limit') return outcome(429, { 'retry-after': '0' });
  const res = await fetch(url, init);
  if (fault === 'truncated') return truncated(res);
  await res.arrayBuffer();
  throw new TypeError('fetch failed');
}

/** A fetch to the embedded server that fails each request as `script` says, counting its attempts. */
function scriptedFetch(script: FaultScript): { fetch: FetchLike; attempts: () => number } {
  const attempts = new Map<string, number>();
  let total = 0;
  const fetchLike: FetchLike = (url, init) => {
    const key = requestKey(url, init);
    const n = attempts.get(key) ?? 0;
    attempts.set(key, n + 1);
    total++;
    if (n >= script.failures(key)) return fetch(url, init);
    return faulty(script.fault(key), url, init);
  };
  return { fetch: fetchLike, attempts: () => total };
}

/** The first request of an import: the first batch's roster, the only one that creates the agency's Organization. */
const isFirstRequest = (key: string): boolean => key.includes('POST Organization identifier=http%3A%2F%2Fhl7.org%2Ffhir%2Fsid%2Fus-npi|');

/** `file` imported as `peer-fhir import` does (3 encounters per transaction), through `fetchLike`. */
function importThrough(fetchLike: FetchLike, file: string, batchRows: number, concurrency: number): Promise<{ tally: EncounterTally; rejected: RejectedRow[] }> {
  const client = clientWithTestHooks({ baseUrl: server().url, fetch: fetchLike }, { sleep: () => Promise.resolve(), random: () => 0.5 });
  return importEncountersThrough(new PeerClient(client, scopeOf(bench.current.config)), bench.current.config, file, batchRows, concurrency);
}

const TYPES = ['Organization', 'Practitioner', 'PractitionerRole', 'Patient', 'Coverage', 'RelatedPerson', 'Group', 'Location', 'Encounter', 'Condition', 'DocumentReference'] as const;

/** Every stored resource's identifiers (`Type system|value`), one entry per resource and identifier. */
async function storedIdentifiers(): Promise<string[]> {
  const all = (await Promise.all(TYPES.map((t) => server().repository.search(t)))).flat() as (FhirResource & { identifier?: { system?: string; value?: string }[] })[];
  return all.flatMap((r) => (r.identifier ?? []).map((i) => `${r.resourceType} ${i.system ?? ''}|${i.value ?? ''}`));
}

/** Identifiers stored more than once: a write that landed twice. */
const doubled = (ids: readonly string[]): string[] => ids.filter((id, i) => ids.indexOf(id) !== i);

/** The encounter_id values stored on some Encounter (individual encounters and group sessions). */
const storedEncounterIds = (ids: readonly string[]): Set<string> => new Set(ids.filter((id) => id.startsWith('Encounter ')).map((id) => id.slice(id.indexOf('|') + 1)));

/** A CSV of about `length` rows of the synthetic export from `start`, cut at encounter boundaries (all valid). */
function csvOf(start: number, length: number, n: number): { file: string; rows: Record<string, string>[] } {
  const id = (i: number): string | undefined => bench.current.rows[i]?.['encounter_id'];
  let from = start;
  while (from > 0 && id(from - 1) === id(from)) from--;
  let to = Math.max(from + 1, start + length);
  while (to < bench.current.rows.length && id(to - 1) === id(to)) to++;
  const rows = bench.current.rows.slice(from, to);
  const file = join(bench.current.dir, `rows-${n}.csv`);
  writeFileSync(file, stringify(rows, { header: true, columns: [...IMPORT_COLUMNS] }));
  return { file, rows };
}

/** The encounter_ids of rows counted written: every one whose encounter was not rejected. */
function writtenIds(rows: readonly Record<string, string>[], rejected: readonly RejectedRow[]): string[] {
  const refused = new Set(rejected.map((r) => r.values['encounter_id']));
  return rows.map((r) => r['encounter_id'] ?? '').filter((id) => !refused.has(id));
}

const slice = fc.record({ start: fc.nat({ max: 170 }), length: fc.integer({ min: 1, max: 24 }) });
const layout = fc.record({ batchRows: fc.integer({ min: 1, max: 8 }), concurrency: fc.integer({ min: 1, max: 4 }) });
/** Most requests answered at once; some fail up to `most` times first. */
const failuresUpTo = (most: number) => fc.func(fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: most }) }));
const faultKinds = fc.func(fc.constantFrom(...FAULTS));

describe('peer-fhir import through an unreliable network', () => {
  it('a transaction that fails more times in a row than the client retries (6 attempts) is written by the next attempt: every row lands once, none is rejected', async () => {
    server().reset();
    const { file, rows } = csvOf(0, 12, 0);
    // Every attempt at every encounter transaction is answered only from the 8th on; the first one commits unseen.
    const network = scriptedFetch({ failures: (key) => (/ Encounter /.test(key) ? 7 : 0), fault: () => 'reset-after' });
    const { tally, rejected } = await importThrough(network.fetch, file, 4, 2);
    expect(rejected.map((r) => r.reasons)).toEqual([]);
    expect({ read: tally.rowsRead, written: tally.created + tally.unchanged }).toEqual({ read: rows.length, written: rows.length });
    const ids = await storedIdentifiers();
    expect(doubled(ids)).toEqual([]);
    expect([...new Set(rows.map((r) => r['encounter_id']))].filter((id) => !storedEncounterIds(ids).has(id ?? ''))).toEqual([]);
  }, 120_000);

  it("a server that never answers stops the import at its first request, after the client's retries only (6 attempts), with the client's error", async () => {
    server().reset();
    const { file } = csvOf(0, 12, 0);
    const network = scriptedFetch({ failures: () => Number.POSITIVE_INFINITY, fault: () => 'reset-before' });
    await expect(importThrough(network.fetch, file, 4, 2)).rejects.toMatchObject({ code: 'client.connection' });
    expect(network.attempts()).toBe(6);
  }, 120_000);

  it('when no request fails more than 11 times in a row (the first one, 5: until it is answered the server may be down), every row is written exactly once and none is rejected (property)', async () => {
    let n = 1;
    await fc.assert(
      fc.asyncProperty(slice, layout, failuresUpTo(11), faultKinds, async (s, l, failuresOf, fault) => {
        server().reset();
        const { file, rows } = csvOf(s.start, s.length, n++);
        const failures = (key: string): number => (isFirstRequest(key) ? Math.min(5, failuresOf(key)) : failuresOf(key));
        const { tally, rejected } = await importThrough(scriptedFetch({ failures, fault }).fetch, file, l.batchRows, l.concurrency);
        expect(rejected.map((r) => r.reasons)).toEqual([]);
        expect({ read: tally.rowsRead, written: tally.created + tally.unchanged, conflict: tally.conflict, updated: tally.updated }).toEqual({ read: rows.length, written: rows.length, conflict: 0, updated: 0 });
        const ids = await storedIdentifiers();
        expect(doubled(ids)).toEqual([]);
        expect(writtenIds(rows, []).filter((id) => !storedEncounterIds(ids).has(id))).toEqual([]);
      }),
      { numRuns: 12, seed: 1801 },
    );
  }, 120_000);

  it('when some requests never get an answer, every row still ends counted once: written and stored, or rejected saying it may be stored; nothing is written twice, and importing again lands every row once (property)', async () => {
    let n = 100;
    const seen = { rejected: 0, stopped: 0 };
    const never = fc.func(fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(Number.POSITIVE_INFINITY) }));
    await fc.assert(
      fc.asyncProperty(slice, layout, never, faultKinds, async (s, l, failures, fault) => {
        server().reset();
        const { file, rows } = csvOf(s.start, s.length, n++);
        const first = await importThrough(scriptedFetch({ failures, fault }).fetch, file, l.batchRows, l.concurrency).catch((e: unknown) => e);
        if (first instanceof Error) {
          // The import may stop on a request that never succeeds (the roster, say), with the client's typed error.
          expect(isFhirError(first)).toBe(true);
          seen.stopped++;
        } else {
          const { tally, rejected } = first as { tally: EncounterTally; rejected: RejectedRow[] };
          expect(tally.created + tally.unchanged + tally.rejected).toBe(rows.length);
          for (const r of rejected) expect(r.reasons.join(' ')).toMatch(/^not written: no answer from the FHIR server on 3 attempts .* may or may not be stored/);
          seen.rejected += rejected.length;
          const stored = storedEncounterIds(await storedIdentifiers());
          expect(writtenIds(rows, rejected).filter((id) => !stored.has(id))).toEqual([]);
        }
        expect(doubled(await storedIdentifiers())).toEqual([]);
        const again = await importThrough(fetch, file, l.batchRows, l.concurrency);
        expect({ rejected: again.tally.rejected, written: again.tally.created + again.tally.unchanged }).toEqual({ rejected: 0, written: rows.length });
        const ids = await storedIdentifiers();
        expect(doubled(ids)).toEqual([]);
        expect(writtenIds(rows, []).filter((id) => !storedEncounterIds(ids).has(id))).toEqual([]);
      }),
      { numRuns: 12, seed: 1802 },
    );
    // Both ends were reached: rows rejected for want of an answer, and imports stopped by a request that never got one.
    expect(seen.rejected).toBeGreaterThan(0);
    expect(seen.stopped).toBeGreaterThan(0);
  }, 120_000);
});
