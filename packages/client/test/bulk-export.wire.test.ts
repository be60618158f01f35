// Bulk Data Access IG v2 on the wire (https://hl7.org/fhir/uv/bulkdata/STU2/export.html), against a scripted server
// (msw): kick-off errors carry the server's OperationOutcome, polling honours Retry-After (429 included) and reports
// X-Progress, error files are read, expired and aborted jobs end in typed errors (an aborted job is deleted), and
// output files off the base origin follow the client's origin rules: refused unless in allowedOrigins, and the token
// goes there only when the manifest says requiresAccessToken.
import { gzipSync } from 'node:zlib';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  FhirAbortError,
  FhirBadRequestError,
  FhirBulkExportExpiredError,
  FhirBulkExportFailedError,
  FhirOriginRefusedError,
  NdjsonLineError,
  type BulkExportManifest,
} from '../src/index.js';
import { BASE, outcome, testClient, useMswServer } from './helpers.js';

const STATUS = `${BASE}/jobs/42`;
const FILES = 'https://files.example.test';
const PLANTED = 'Synthia Zyxwvut 998877';

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  prefer: string | null;
}

function manifest(overrides: Partial<BulkExportManifest> = {}): BulkExportManifest {
  return {
    transactionTime: '2026-01-02T03:04:05.678Z',
    request: `${BASE}/$export`,
    requiresAccessToken: false,
    output: [{ type: 'Patient', url: `${BASE}/files/Patient.ndjson`, count: 2 }],
    error: [],
    deleted: [],
    ...overrides,
  };
}

const PATIENTS = '{"resourceType":"Patient","id":"p1"}\n{"resourceType":"Patient","id":"p2"}\n';

type Route = (request: Request) => Response | Promise<Response>;

/** A scripted Bulk Data server: the kick-off answers 202, each status poll takes the next answer, files by URL. */
function scripted(server: ReturnType<typeof useMswServer>, polls: Route[], files: Record<string, Route> = {}): Seen[] {
  const seen: Seen[] = [];
  let poll = 0;
  server.use(
    http.all(/.*/, async ({ request }) => {
      seen.push({ method: request.method, url: request.url, authorization: request.headers.get('authorization'), prefer: request.headers.get('prefer') });
      const url = request.url.split('?')[0]!;
      if (url.endsWith('/$export')) return new HttpResponse(null, { status: 202, headers: { 'content-location': STATUS } });
      if (url === STATUS && request.method === 'DELETE') return new HttpResponse(null, { status: 202 });
      if (url === STATUS) return polls[Math.min(poll++, polls.length - 1)]!(request);
      const file = files[url];
      return file ? file(request) : new HttpResponse(null, { status: 404 });
    }),
  );
  return seen;
}

const complete = (m: BulkExportManifest = manifest()): Route => () => HttpResponse.json(m);
const ndjson = (text: string | Uint8Array, headers: Record<string, string> = {}): Route => () =>
  new HttpResponse(text, { headers: { 'content-type': 'application/fhir+ndjson', ...headers } });

async function ids(iterable: AsyncIterable<{ id?: string }>): Promise<(string | undefined)[]> {
  const out = [];
  for await (const r of iterable) out.push(r.id);
  return out;
}

describe('PeerFhirClient.bulkExport on the wire', () => {
  const server = useMswServer();

  it('kicks off with Prefer: respond-async and the _type, _since and _typeFilter parameters', async () => {
    const seen = scripted(server, [complete()], { [`${BASE}/files/Patient.ndjson`]: ndjson(PATIENTS) });
    const { client } = testClient();
    const job = await client.bulkExport({ level: { group: 'g 1' }, types: ['Patient', 'Encounter'], since: new Date('2026-01-01T00:00:00Z'), typeFilter: ['Encounter?status=finished'] });
    const kick = new URL(seen[0]!.url);
    expect(kick.pathname).toBe('/r4/Group/g%201/$export');
    expect(seen[0]!.prefer).toBe('respond-async');
    expect(kick.searchParams.get('_type')).toBe('Patient,Encounter');
    expect(kick.searchParams.get('_since')).toBe('2026-01-01T00:00:00.000Z');
    expect(kick.searchParams.getAll('_typeFilter')).toEqual(['Encounter?status=finished']);
    expect(job.manifest.transactionTime).toBe('2026-01-02T03:04:05.678Z');
    expect(await ids(job.resources('Patient'))).toEqual(['p1', 'p2']);
  });

  it('a refused kick-off is a typed error carrying the OperationOutcome, with no server text in its message', async () => {
    server.use(http.all(/.*/, () => HttpResponse.json(outcome('not-supported', PLANTED), { status: 400 })));
    const { client } = testClient();
    const err = await client.bulkExport({ typeFilter: ['Patient?name=x'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirBadRequestError);
    expect((err as FhirBadRequestError).operationOutcome?.issue[0]?.code).toBe('not-supported');
    expect(JSON.stringify(err) + String(err)).not.toContain('998877');
  });

  it('polls honouring Retry-After, 429 included, and reports X-Progress', async () => {
    scripted(server, [
      () => new HttpResponse(null, { status: 202, headers: { 'retry-after': '7', 'x-progress': 'Patient: 10%' } }),
      () => HttpResponse.json(outcome('throttled'), { status: 429, headers: { 'retry-after': '3' } }),
      () => new HttpResponse(null, { status: 202, headers: { 'x-progress': '50%' } }),
      complete(),
    ]);
    const { client, delays } = testClient({ maxRetries: 0 });
    const progress: (string | undefined)[] = [];
    await client.bulkExport({ onProgress: (p) => progress.push(p.progress) });
    // 7 s and 3 s as asked; no Retry-After on the third poll: the first backoff step (1 s, doubled after each poll).
    expect(delays).toEqual([7000, 3000, 4000]);
    expect(progress).toEqual(['Patient: 10%', '50%']);
  });

  it('reads the OperationOutcomes of the manifest error files', async () => {
    const m = manifest({ error: [{ type: 'OperationOutcome', url: `${BASE}/files/errors.ndjson` }] });
    scripted(server, [complete(m)], { [`${BASE}/files/errors.ndjson`]: ndjson(`${JSON.stringify(outcome('processing', PLANTED))}\n`) });
    const { client } = testClient();
    const job = await client.bulkExport();
    const errors = [];
    for await (const oo of job.errors()) errors.push(oo.issue[0]?.code);
    expect(errors).toEqual(['processing']);
  });

  it('reads the deletions of the manifest deleted files: each entry a DELETE of Type/id (IG v2 `deleted`)', async () => {
    const m = manifest({ deleted: [{ type: 'Bundle', url: `${BASE}/files/deleted.ndjson` }] });
    const bundle = (urls: string[]) => JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: urls.map((url) => ({ request: { method: 'DELETE', url } })) });
    scripted(server, [complete(m)], { [`${BASE}/files/deleted.ndjson`]: ndjson(`${bundle(['Patient/p1', 'Encounter/e-2'])}\n${bundle([`${BASE}/Consent/c3`])}\n`) });
    const { client } = testClient();
    const job = await client.bulkExport({ since: '2026-01-01T00:00:00Z' });
    const got = [];
    for await (const d of job.deletions()) got.push(`${d.resourceType}/${d.id}`);
    expect(got).toEqual(['Patient/p1', 'Encounter/e-2', 'Consent/c3']);
  });

  it('a deleted-file entry that is not a DELETE of Type/id is NdjsonLineError (not-a-deletion), never skipped', async () => {
    const m = manifest({ deleted: [{ type: 'Bundle', url: `${BASE}/files/deleted.ndjson` }] });
    const entry = { request: { method: 'PUT', url: `Patient/${PLANTED}` } };
    scripted(server, [complete(m)], { [`${BASE}/files/deleted.ndjson`]: ndjson(`${JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [entry] })}\n`) });
    const { client } = testClient();
    const job = await client.bulkExport({ since: '2026-01-01T00:00:00Z' });
    const err = await (async () => {
      for await (const _ of job.deletions()) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NdjsonLineError);
    expect((err as NdjsonLineError).problem).toBe('not-a-deletion');
    expect(JSON.stringify(err) + String(err)).not.toContain('998877');
  });

  it.each([404, 410])('a status URL answering %i is FhirBulkExportExpiredError', async (status) => {
    scripted(server, [() => HttpResponse.json(outcome('not-found'), { status })]);
    const { client } = testClient();
    await expect(client.bulkExport()).rejects.toBeInstanceOf(FhirBulkExportExpiredError);
  });

  it('an output file answering 410 is FhirBulkExportExpiredError', async () => {
    scripted(server, [complete()], { [`${BASE}/files/Patient.ndjson`]: () => new HttpResponse(null, { status: 410 }) });
    const { client } = testClient();
    const job = await client.bulkExport();
    await expect(ids(job.resources())).rejects.toBeInstanceOf(FhirBulkExportExpiredError);
  });

  it('a job that fails on the server is FhirBulkExportFailedError (job-failed) with its OperationOutcome', async () => {
    scripted(server, [() => HttpResponse.json(outcome('exception', PLANTED), { status: 500 })]);
    const { client } = testClient({ maxRetries: 0 });
    const err = (await client.bulkExport().catch((e: unknown) => e)) as FhirBulkExportFailedError;
    expect(err).toBeInstanceOf(FhirBulkExportFailedError);
    expect(err.reason).toBe('job-failed');
    expect(err.operationOutcome?.issue[0]?.code).toBe('exception');
    expect(err.message).not.toContain('998877');
  });

  it('an invalid manifest is refused (manifest-invalid) and the job deleted', async () => {
    const seen = scripted(server, [() => HttpResponse.json({ output: 'nope' })]);
    const { client } = testClient();
    const err = (await client.bulkExport().catch((e: unknown) => e)) as FhirBulkExportFailedError;
    expect(err.reason).toBe('manifest-invalid');
    expect(seen.some((s) => s.method === 'DELETE' && s.url === STATUS)).toBe(true);
  });

  it('aborting while the job runs throws FhirAbortError and deletes the job', async () => {
    const controller = new AbortController();
    const seen = scripted(server, [
      () => {
        controller.abort(new Error('stop'));
        return new HttpResponse(null, { status: 202 });
      },
    ]);
    const { client } = testClient();
    await expect(client.bulkExport({ signal: controller.signal })).rejects.toBeInstanceOf(FhirAbortError);
    expect(seen.filter((s) => s.method === 'DELETE').map((s) => s.url)).toEqual([STATUS]);
  });

  it('job.delete() sends DELETE to the status URL once', async () => {
    const seen = scripted(server, [complete()]);
    const { client } = testClient();
    const job = await client.bulkExport();
    await Promise.all([job.delete(), job.delete()]);
    expect(seen.filter((s) => s.method === 'DELETE')).toHaveLength(1);
  });

  it('refuses an output file on another origin that is not in allowedOrigins, before connecting', async () => {
    const m = manifest({ output: [{ type: 'Patient', url: `${FILES}/Patient.ndjson` }] });
    const seen = scripted(server, [complete(m)], { [`${FILES}/Patient.ndjson`]: ndjson(PATIENTS) });
    const { client } = testClient({ auth: 'secret-token' });
    const job = await client.bulkExport();
    await expect(ids(job.resources())).rejects.toBeInstanceOf(FhirOriginRefusedError);
    expect(seen.some((s) => s.url.startsWith(FILES))).toBe(false);
  });

  it.each([
    [false, null],
    [true, 'Bearer secret-token'],
  ])('on an allowed origin, requiresAccessToken %s sends the token: %s', async (requiresAccessToken, expected) => {
    const m = manifest({ requiresAccessToken, output: [{ type: 'Patient', url: `${FILES}/Patient.ndjson` }] });
    const seen = scripted(server, [complete(m)], { [`${FILES}/Patient.ndjson`]: ndjson(PATIENTS) });
    const { client } = testClient({ auth: 'secret-token', allowedOrigins: [FILES], headers: { 'x-api-key': 'k' } });
    const job = await client.bulkExport();
    expect(await ids(job.resources())).toEqual(['p1', 'p2']);
    const fetched = seen.find((s) => s.url.startsWith(FILES))!;
    expect(fetched.authorization).toBe(expected);
    expect(seen.find((s) => s.url.endsWith('/$export'))!.authorization).toBe('Bearer secret-token');
  });

  it('unpacks a gzip-compressed output file', async () => {
    scripted(server, [complete()], { [`${BASE}/files/Patient.ndjson`]: ndjson(gzipSync(PATIENTS)) });
    const { client } = testClient();
    const job = await client.bulkExport();
    expect(await ids(job.resources())).toEqual(['p1', 'p2']);
  });

  it('a line that is not a resource of the file type is NdjsonLineError naming the line, not its text', async () => {
    scripted(server, [complete()], { [`${BASE}/files/Patient.ndjson`]: ndjson(`${PATIENTS}{"resourceType":"Encounter","id":"${PLANTED}"}\n`) });
    const { client } = testClient();
    const job = await client.bulkExport();
    const err = (await ids(job.resources()).catch((e: unknown) => e)) as NdjsonLineError;
    expect(err).toBeInstanceOf(NdjsonLineError);
    expect([err.line, err.problem]).toEqual([3, 'type-mismatch']);
    expect(err.message).not.toContain('998877');
  });
});
