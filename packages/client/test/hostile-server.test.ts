// A malicious FHIR server, on loopback only. Two node:http servers on different ports are two origins: `base` is
// the FHIR server the client is configured for, `other` is where the hostile answers point. Each case asserts a typed
// error (or a refused request), that nothing reached `other`, and that no planted value is in the error's text.
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FhirBadRequestError,
  FhirConnectionError,
  FhirError,
  FhirOriginRefusedError,
  FhirPagingLoopError,
  FhirResponseTooLargeError,
  FhirTokenRedirectError,
  FhirTooManyRedirectsError,
  PeerFhirClient,
  type FetchLike,
  type Logger,
} from '../src/index.js';
import { loopback, type Loopback } from './loopback.js';

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers }).end(JSON.stringify(body));
};

// Planted values: what a hostile server or a careless caller puts where a value must never be echoed from.
const NAME = 'Zyxwvut';
const BIRTH = '1961-04-17';
const MEDICAID = 'TX518274963';
const API_KEY = 'k-live-3f9a7c1e';
const COOKIE = 'session=c00k1e-9b2d';
const SECRET = 'cs-8e1f0a7d5c3b';
const TOKEN = 'at-hostile-4d2c9e';
const PLANTED = [NAME, BIRTH, MEDICAID, API_KEY, COOKIE, SECRET, TOKEN];

function expectNoPlanted(err: unknown, extra: readonly string[] = []): void {
  const e = err as Error;
  const texts = [e.message, String(e), JSON.stringify(e), e.stack?.split('\n')[0] ?? ''];
  for (const text of texts) for (const v of [...PLANTED, ...extra]) expect(text).not.toContain(v);
}

let base: Loopback;
let other: Loopback;

beforeAll(async () => {
  base = await loopback();
  other = await loopback();
});
afterEach(() => {
  base.seen.length = 0;
  other.seen.length = 0;
  base.handle = (_q, res) => res.writeHead(404).end();
  other.handle = (_q, res) => json(res, 200, { resourceType: 'Bundle', type: 'searchset', entry: [] });
});
afterAll(async () => {
  await new Promise((r) => base.server.close(r));
  await new Promise((r) => other.server.close(r));
});

const client = (extra: Partial<ConstructorParameters<typeof PeerFhirClient>[0]> = {}): PeerFhirClient =>
  new PeerFhirClient({ baseUrl: `${base.origin}/fhir`, maxRetries: 0, headers: { 'x-api-key': API_KEY, cookie: COOKIE }, auth: TOKEN, ...extra });

const patientSearchset = (next?: string) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  link: next ? [{ relation: 'next', url: next }] : [],
  entry: [{ resource: { resourceType: 'Patient', id: 'p1', meta: { versionId: '1' } }, search: { mode: 'match' } }],
});

describe('redirects and links stay on the base origin', () => {
  it('refuses a 307 that would re-POST a transaction (PHI body) to another origin', async () => {
    base.handle = (_q, res) => res.writeHead(307, { location: `${other.origin}/steal?who=${NAME}` }).end();
    const bundle = { resourceType: 'Bundle' as const, type: 'transaction' as const, entry: [{ resource: { resourceType: 'Patient' as const, name: [{ family: NAME }], birthDate: BIRTH }, request: { method: 'POST' as const, url: 'Patient' } }] };
    const err = await client().transaction(bundle).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirOriginRefusedError);
    expect((err as FhirOriginRefusedError).reason).toBe('cross-origin');
    expect((err as FhirOriginRefusedError).code).toBe('client.origin-refused');
    expect((err as FhirError).url).toContain(other.origin); // the refused URL stays on the object ...
    expect((err as Error).message).not.toContain('127.0.0.1'); // ... not in the message
    expect(other.seen).toHaveLength(0);
    expectNoPlanted(err);
  });

  it('refuses a 302 on a read instead of sending the caller headers (API key, cookie) to another origin', async () => {
    base.handle = (_q, res) => res.writeHead(302, { location: `${other.origin}/fhir/Patient/p1` }).end();
    const err = await client().read('Patient', 'p1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirOriginRefusedError);
    expect(other.seen).toHaveLength(0);
    expectNoPlanted(err);
  });

  it('follows a redirect to an allowedOrigins entry with no token, no custom header, no cookie', async () => {
    base.handle = (_q, res) => res.writeHead(303, { location: `${other.origin}/files/p1` }).end();
    other.handle = (_q, res) => json(res, 200, { resourceType: 'Patient', id: 'p1', meta: { versionId: '1' } });
    const p = await client({ allowedOrigins: [other.origin] }).read('Patient', 'p1');
    expect(p.id).toBe('p1');
    expect(other.seen).toHaveLength(1);
    const h = other.seen[0]!.headers;
    expect(h.authorization).toBeUndefined();
    expect(h['x-api-key']).toBeUndefined();
    expect(h.cookie).toBeUndefined();
  });

  it('never carries a body to an allowed origin: a 307 on a POST is refused as body-would-cross', async () => {
    base.handle = (_q, res) => res.writeHead(307, { location: `${other.origin}/fhir` }).end();
    const bundle = { resourceType: 'Bundle' as const, type: 'batch' as const, entry: [{ resource: { resourceType: 'Patient' as const, birthDate: BIRTH }, request: { method: 'POST' as const, url: 'Patient' } }] };
    const err = await client({ allowedOrigins: [other.origin] }).batch(bundle).catch((e: unknown) => e);
    expect((err as FhirOriginRefusedError).reason).toBe('body-would-cross');
    expect(other.seen).toHaveLength(0);
  });

  it('refuses a 307 on a conditional (repeatable) transaction the same way: fetch follows nothing, the base is asked twice, the other origin never', async () => {
    // Repeatable writes go out with redirect 'error' (undici copies no body then) and are sent again with 'manual'
    // to read the 3xx (src/internal/undici-redirect.ts); the caller sees the same typed error as for any request.
    base.handle = (_q, res) => res.writeHead(307, { location: `${other.origin}/steal?who=${NAME}` }).end();
    const bundle = { resourceType: 'Bundle' as const, type: 'transaction' as const, entry: [{ resource: { resourceType: 'Patient' as const, name: [{ family: NAME }], birthDate: BIRTH }, request: { method: 'POST' as const, url: 'Patient', ifNoneExist: `identifier=urn:x|${MEDICAID}` } }] };
    const err = await client({ maxRetries: 2 }).transaction(bundle).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirOriginRefusedError);
    expect((err as FhirOriginRefusedError).reason).toBe('cross-origin');
    expect((err as FhirOriginRefusedError).code).toBe('client.origin-refused');
    expect(base.seen.map((s) => [s.method, s.url])).toEqual([['POST', '/fhir'], ['POST', '/fhir']]);
    expect(other.seen).toHaveLength(0);
    expectNoPlanted(err);
  });

  it('follows a same-origin 307 on a conditional transaction with its body, once', async () => {
    base.handle = (q, res, body) => (q.url === '/fhir' ? res.writeHead(307, { location: '/fhir/moved' }).end() : json(res, 200, { resourceType: 'Bundle', type: 'transaction-response', entry: [{ response: { status: body.includes(BIRTH) ? '201 Created' : '400' } }] }));
    const bundle = { resourceType: 'Bundle' as const, type: 'transaction' as const, entry: [{ resource: { resourceType: 'Patient' as const, birthDate: BIRTH }, request: { method: 'POST' as const, url: 'Patient', ifNoneExist: 'identifier=urn:x|1' } }] };
    const answer = await client().transaction(bundle);
    expect(answer.entry?.[0]?.response?.status).toBe('201 Created');
    expect(base.seen.map((s) => s.url)).toEqual(['/fhir', '/fhir', '/fhir/moved']);
  });

  it('follows same-origin redirects, at most 5, then fails with a typed error', async () => {
    let hops = 0;
    base.handle = (_q, res) => res.writeHead(302, { location: `/fhir/Patient/p${++hops}` }).end();
    const err = await client().read('Patient', 'p0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirTooManyRedirectsError);
    expect(base.seen).toHaveLength(6);
    expect(base.seen.every((s) => s.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('refuses a next link to another origin before connecting, and names neither host nor query in the message', async () => {
    base.handle = (_q, res) => json(res, 200, patientSearchset(`${other.origin}/fhir/Patient?name=${NAME}&page=2`));
    const pages: unknown[] = [];
    const err = await (async () => {
      for await (const p of client().searchPages('Patient', { name: NAME })) pages.push(p);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirOriginRefusedError);
    expect(pages).toHaveLength(1);
    expect(other.seen).toHaveLength(0);
    expectNoPlanted(err, [other.origin]);
  });

  it('refuses a Location header off the base origin after a body-less create', async () => {
    base.handle = (_q, res) => res.writeHead(201, { location: `${other.origin}/fhir/Patient/p1/_history/1` }).end();
    const err = await client().create({ resourceType: 'Patient', birthDate: BIRTH }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirOriginRefusedError);
    expect(other.seen).toHaveLength(0);
  });

  it.each([
    ['file:///etc/passwd', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['gopher://127.0.0.1:6379/_INFO', 'scheme'],
  ] as const)('refuses a next link with a non-http(s) scheme (%s)', async (next, reason) => {
    base.handle = (_q, res) => json(res, 200, patientSearchset(next));
    const err = await (async () => {
      for await (const p of client().searchPages('Patient')) void p;
    })().catch((e: unknown) => e);
    expect((err as FhirOriginRefusedError).reason).toBe(reason);
  });
});

describe('the cloud metadata address is refused before any connection', () => {
  it.each(['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'http://2852039166/latest/', 'http://[fd00:ec2::254]/latest/', 'http://[::ffff:169.254.169.254]/latest/', 'http://0251.0376.0251.0376/latest/', 'http://metadata.google.internal/computeMetadata/v1/'])(
    'a next link to %s never reaches fetch, even when listed in allowedOrigins',
    async (next) => {
      const called: string[] = [];
      const stub: FetchLike = async (url) => {
        called.push(url);
        // Nothing here opens a socket: only the base URL is answered, anything else fails the test.
        if (!url.startsWith('https://fhir.example.test/')) throw new Error('a request left the base origin');
        return new Response(JSON.stringify(patientSearchset(next)), { status: 200, headers: { 'content-type': 'application/fhir+json' } });
      };
      const c = new PeerFhirClient({ baseUrl: 'https://fhir.example.test/r4', fetch: stub, maxRetries: 0, allowedOrigins: [new URL(next).origin] });
      const err = await (async () => {
        for await (const p of c.searchPages('Patient')) void p;
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FhirOriginRefusedError);
      expect((err as FhirOriginRefusedError).reason).toBe('metadata-address');
      expect(called).toEqual(['https://fhir.example.test/r4/Patient']);
    },
  );
});

describe('token endpoint', () => {
  it('follows no redirect: a 307 never carries the client secret to another origin, and the FHIR base gets no request', async () => {
    base.handle = (q, res) => (q.url?.startsWith('/token') ? res.writeHead(307, { location: `${other.origin}/token` }).end() : json(res, 200, {}));
    other.handle = (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'minted-elsewhere', expires_in: 300 }));
    const c = new PeerFhirClient({
      baseUrl: `${base.origin}/fhir`,
      maxRetries: 0,
      auth: { kind: 'client_credentials', tokenUrl: `${base.origin}/token`, clientId: 'svc', clientSecret: SECRET, clientAuthMethod: 'post' },
    });
    const err = await c.read('Patient', 'p1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirTokenRedirectError);
    expect(other.seen).toHaveLength(0);
    expect(base.seen.map((s) => s.url)).toEqual(['/token']);
    expectNoPlanted(err);
  });

  it('keeps a secret in the token URL query out of the message, the JSON and the url property on a network error', async () => {
    const closed = await loopback();
    const port = new URL(closed.origin).port;
    await new Promise((r) => closed.server.close(r));
    const c = new PeerFhirClient({
      baseUrl: `${base.origin}/fhir`,
      maxRetries: 0,
      auth: { kind: 'client_credentials', tokenUrl: `http://127.0.0.1:${port}/token?client_secret=${SECRET}`, clientId: 'svc', clientSecret: SECRET },
    });
    const err = await c.read('Patient', 'p1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirConnectionError);
    expect((err as FhirError).url).not.toContain(SECRET);
    expectNoPlanted(err);
  });
});

describe('errors from a server that writes PHI into OperationOutcomes', () => {
  it('carry status, method, path template and issue codes only; the OperationOutcome stays on the object', async () => {
    const oo = {
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'invalid', diagnostics: `${NAME} born ${BIRTH}`, expression: [`Patient.name.where(family='${NAME}')`, `Patient.identifier.where(value='${MEDICAID}')`] },
        { severity: 'error', code: `value ${MEDICAID}`, details: { text: BIRTH } },
      ],
    };
    base.handle = (_q, res) => json(res, 400, oo);
    const logged: string[] = [];
    const logger: Logger = { debug: (m, d) => logged.push(m + JSON.stringify(d)), info: (m, d) => logged.push(m + JSON.stringify(d)), warn: (m, d) => logged.push(m + JSON.stringify(d)), error: (m, d) => logged.push(m + JSON.stringify(d)) };
    const err = await client({ logger }).read('Patient', MEDICAID).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirBadRequestError);
    expect((err as Error).message).toBe('GET Patient/{id} failed with HTTP 400 (issues: invalid, other)');
    expect((err as FhirError).operationOutcome).toEqual(oo);
    expect(Object.keys(JSON.parse(JSON.stringify(err)) as object).sort()).toEqual(['code', 'message', 'method', 'name', 'status', 'template']);
    expectNoPlanted(err);
    for (const line of logged) for (const v of PLANTED) expect(line).not.toContain(v);
  });
});

describe('endless and huge responses', () => {
  it('detects a next link that points to itself instead of following it forever', async () => {
    base.handle = (q, res) => json(res, 200, patientSearchset(`${base.origin}${q.url}`));
    const err = await (async () => {
      for await (const p of client().searchPages('Patient', { _count: 1 })) void p;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirPagingLoopError);
    expect(base.seen.length).toBeLessThanOrEqual(3);
  });

  it('caps a response body (chunked, no Content-Length) and does not retry it', async () => {
    base.handle = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      const chunk = `"${'x'.repeat(64 * 1024)}",`;
      res.write(`{"resourceType":"Bundle","type":"searchset","pad":[`);
      let sent = 0;
      const pump = (): void => {
        while (sent < 64) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('"x"]}');
      };
      pump();
    };
    const err = await client({ maxResponseBytes: 1024 * 1024, maxRetries: 3 }).search('Patient').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirResponseTooLargeError);
    expect((err as FhirResponseTooLargeError).limitBytes).toBe(1024 * 1024);
    expect(base.seen).toHaveLength(1);
  });

  it('refuses a declared Content-Length above the cap before reading the body', async () => {
    base.handle = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json', 'content-length': String(5 * 1024 * 1024) });
      res.write('{"resourceType":"Bundle",');
      setTimeout(() => res.destroy(), 200);
    };
    const err = await client({ maxResponseBytes: 1024 * 1024 }).search('Patient').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FhirResponseTooLargeError);
  });
});
