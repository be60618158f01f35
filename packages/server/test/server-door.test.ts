// Safe at the door: each hostile request gets its status before any FHIR processing, and the server stays healthy (a
// normal write and read right after succeed). Statuses: RFC 9110 (413, 415, 421, 401 with WWW-Authenticate: Bearer
// per RFC 6750, 403), and 400 for a body nested deeper than the limit.
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '../src/index.js';
import { nestsDeeperThan } from '../src/handle-request.js';

/** A raw HTTP request (fetch will not send a foreign Host header). */
function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.end(opts.body);
    else req.end();
  });
}

const FHIR = { 'content-type': 'application/fhir+json' };

/** Nesting `depth` levels deep: an extension inside an extension inside ... */
function nested(depth: number): string {
  let value: unknown = { url: 'urn:x', valueString: 'leaf' };
  for (let i = 1; i < depth; i++) value = { url: 'urn:x', extension: [value] };
  return JSON.stringify({ resourceType: 'Patient', extension: [value] });
}

async function healthy(server: EmbeddedFhirServer, headers: Record<string, string> = {}): Promise<void> {
  const created = await fetch(`${server.url}/Patient`, { method: 'POST', headers: { ...FHIR, ...headers }, body: JSON.stringify({ resourceType: 'Patient' }) });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await fetch(`${server.url}/Patient/${id}`, { headers })).status).toBe(200);
}

describe('the embedded server at the door', () => {
  let server: EmbeddedFhirServer;
  beforeAll(async () => {
    server = await startFhirServer({ maxBodyBytes: 64 * 1024, maxDepth: 40, allowedOrigins: ['https://app.example'] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 413 to a body over the limit, announced or streamed, and stays healthy', async () => {
    const big = JSON.stringify({ resourceType: 'Patient', text: { status: 'generated', div: `<div>${'x'.repeat(100 * 1024)}</div>` } });
    expect((await raw(`${server.url}/Patient`, { method: 'POST', headers: FHIR, body: big })).status).toBe(413);
    const streamed = await fetch(`${server.url}/Patient`, {
      method: 'POST',
      headers: FHIR,
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('x'.repeat(8 * 1024)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit).catch(() => undefined);
    if (streamed) expect(streamed.status).toBe(413);
    await healthy(server);
  });

  it('answers 400 to a body nested deeper than the limit (the poison resource) and stays healthy', async () => {
    const res = await fetch(`${server.url}/Patient`, { method: 'POST', headers: FHIR, body: nested(2000) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issue: { code: string }[] }).issue[0]!.code).toBe('too-costly');
    // Also inside a transaction.
    const bundle = `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"POST","url":"Patient"},"resource":${nested(60)}}]}`;
    expect((await fetch(server.url, { method: 'POST', headers: FHIR, body: bundle })).status).toBe(400);
    await healthy(server);
  });

  it('answers 415 to a write whose body is not JSON (a cross-site form or text/plain POST) and stays healthy', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await raw(`${server.url}/Consent`, { method: 'POST', headers: { 'content-type': type }, body: '{"resourceType":"Consent"}' });
      expect(res.status, type).toBe(415);
    }
    expect((await raw(`${server.url}/Consent`, { method: 'POST', body: '{"resourceType":"Consent"}' })).status).toBe(415);
    // A search form is the one non-JSON body a FHIR server takes (https://hl7.org/fhir/R4/http.html#search).
    expect((await fetch(`${server.url}/Patient/_search`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_count=1' })).status).toBe(200);
    await healthy(server);
  });

  it('answers 403 to a request from a foreign Origin, whatever its content type, and accepts the allowed one', async () => {
    const res = await raw(`${server.url}/Consent`, { method: 'POST', headers: { ...FHIR, origin: 'https://evil.example' }, body: '{"resourceType":"Consent"}' });
    expect(res.status).toBe(403);
    expect((await raw(`${server.url}/Patient`, { headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await raw(`${server.url}/Patient`, { headers: { origin: 'https://app.example' } })).status).toBe(200);
    expect((await raw(`${server.url}/Patient`, { headers: { origin: new URL(server.url).origin } })).status).toBe(200);
    await healthy(server);
  });

  it('answers 421 to a Host that is not the bound address (DNS rebinding) and stays healthy', async () => {
    expect((await raw(`${server.url}/Patient`, { headers: { host: `attacker.example:${server.port}` } })).status).toBe(421);
    expect((await raw(`${server.url}/Patient`, { headers: { host: `localhost:${server.port}` } })).status).toBe(200);
    await healthy(server);
  });

  it('a failed write answers 500 and keeps nothing of it', async () => {
    const before = server.resourceCount();
    const { memoryRepositoryOf } = await import('../src/repository.js');
    const { sqliteStoreOf } = await import('../src/indexed-repository.js');
    const store = sqliteStoreOf(memoryRepositoryOf(server.repository))!;
    const commit = store.commit.bind(store);
    store.commit = () => {
      throw new Error('disk I/O error');
    };
    try {
      const res = await fetch(`${server.url}/Patient`, { method: 'POST', headers: FHIR, body: JSON.stringify({ resourceType: 'Patient' }) });
      expect(res.status).toBe(500);
    } finally {
      store.commit = commit;
    }
    expect(server.resourceCount()).toBe(before);
    await healthy(server);
  });
});

describe('the embedded server with a bearer token', () => {
  it('answers 401 without the token or with a wrong one, and serves with it', async () => {
    const server = await startFhirServer({ authToken: 'secret-token-123' });
    try {
      const none = await fetch(`${server.url}/Patient`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect((await fetch(`${server.url}/Patient`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(`${server.url}/Patient`, { method: 'POST', headers: FHIR, body: '{"resourceType":"Patient"}' })).status).toBe(401);
      expect(server.resourceCount()).toBe(0);
      await healthy(server, { authorization: 'Bearer secret-token-123' });
    } finally {
      await server.close();
    }
  });

  it('refuses to bind a non-loopback address without one', async () => {
    await expect(startFhirServer({ host: '0.0.0.0' })).rejects.toMatchObject({ code: 'server.config-invalid' });
  });
});

describe('nesting depth', () => {
  /** The depth of a parsed JSON value: a scalar is 0, each object or array level adds 1. */
  const depthOf = (v: unknown): number =>
    typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v as Record<string, unknown>).map(depthOf)) : 0;

  it('is measured on the text exactly as on the parsed value, strings with brackets and escapes included', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, max) => {
        expect(nestsDeeperThan(JSON.stringify(value), max)).toBe(depthOf(value) > max);
      }),
      { numRuns: 500 },
    );
  });

  it('counts only the brackets outside strings, whatever quotes, backslashes and brackets the strings hold', () => {
    // Strings of the characters that matter to the scan: escaped quotes, runs of backslashes, brackets.
    const tricky = fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', 'a', ' '), maxLength: 12 });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, tricky, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(tricky, tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 6 }), fc.boolean(), (v, max, pretty) => {
        const text = pretty ? JSON.stringify(v, null, 2) : JSON.stringify(v);
        expect(nestsDeeperThan(text, max)).toBe(depthOf(v) > max);
      }),
      { numRuns: 500 },
    );
  });
});
