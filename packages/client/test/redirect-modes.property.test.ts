// Property: on Node, a repeatable request with a body goes out with `redirect: 'error'` (undici then does not copy the
// body; see src/internal/undici-redirect.ts) and is sent again with 'manual' when it met a redirect. For any redirect
// a server answers (status, Location on the base origin, on an allowed origin, elsewhere, or none; chains longer than
// the limit) and any kind of request, the caller sees what it saw when every request went out with 'manual' (a client
// given its own fetch still does): the same result or the same typed error (class, code, reason, status, URL), and the
// other origin receives exactly the same requests (none carrying a body, a token or a caller header).
// Loopback servers only; 60 cases in CI, 600 with PEER_FHIR_LONG=1.
import type { ServerResponse } from 'node:http';
import fc from 'fast-check';
import type { Patient } from 'fhir/r4.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FhirError, FhirOriginRefusedError, PeerFhirClient } from '../src/index.js';
import { loopback, type Loopback, type Seen } from './loopback.js';

const LONG = process.env['PEER_FHIR_LONG'] === '1';
const TOKEN = 'at-redirect-7c1e';
const API_KEY = 'k-redirect-3f9a';

/** What a request carried that matters here: where, its body, and the credentials it must not take elsewhere. */
const request = (s: Seen) => ({ method: s.method, url: s.url, body: s.body, authorization: s.headers.authorization, apiKey: s.headers['x-api-key'] });

const PATIENT = { resourceType: 'Patient', id: 'p1', meta: { versionId: '1' } };
const ok = (res: ServerResponse): void => void res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(PATIENT));

/** What is asked: two repeatable requests with a body, a plain create (not repeatable) and a read. */
const kind = fc.constantFrom('conditional-transaction', 'update', 'create', 'read');
type Kind = typeof kind extends fc.Arbitrary<infer K> ? K : never;

/** How the base answers: `hops` redirects on the base origin, then one to `target` (or a 200 when `target` is 'end'). */
const scenario = fc.record({
  kind,
  status: fc.constantFrom(301, 302, 303, 307, 308),
  hops: fc.integer({ min: 0, max: 6 }),
  target: fc.constantFrom('end', 'other', 'no-location', 'bad-scheme'),
  allowOther: fc.boolean(),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

let base: Loopback;
let other: Loopback;

function serve(s: Scenario): void {
  base.handle = (req, res) => {
    const hop = Number(/\/hop\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    if (hop < s.hops) return void res.writeHead(s.status, { location: `/fhir/hop/${hop + 1}` }).end();
    if (s.target === 'end') return ok(res);
    if (s.target === 'no-location') return void res.writeHead(s.status).end();
    res.writeHead(s.status, { location: s.target === 'other' ? `${other.origin}/landing` : 'javascript:alert(1)' }).end();
  };
  other.handle = (_q, res) => ok(res);
}

function ask(c: PeerFhirClient, k: Kind): Promise<unknown> {
  switch (k) {
    case 'conditional-transaction':
      return c.transaction({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient', birthDate: '1961-04-17' } as Patient, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:x|1' } }] });
    case 'update':
      return c.update({ resourceType: 'Patient', id: 'p1', meta: { versionId: '1' }, birthDate: '1961-04-17' });
    case 'create':
      return c.create({ resourceType: 'Patient', birthDate: '1961-04-17' });
    case 'read':
      return c.read('Patient', 'p1');
  }
}

/** The caller's view of one call: the result, or the typed error's class and what it carries (no message text). */
async function outcome(c: PeerFhirClient, k: Kind): Promise<unknown> {
  try {
    return { resolved: await ask(c, k) };
  } catch (e) {
    if (!(e instanceof FhirError)) return { thrown: e instanceof Error ? e.name : typeof e };
    return { name: e.name, code: e.code, status: e.status, url: e.url, reason: e instanceof FhirOriginRefusedError ? e.reason : undefined };
  }
}

beforeAll(async () => {
  base = await loopback();
  other = await loopback();
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await new Promise((r) => base.server.close(r));
  await new Promise((r) => other.server.close(r));
});

describe('redirects are refused or followed the same with or without the body copy', () => {
  it(`holds for generated redirect chains and requests (${LONG ? 600 : 60} cases)`, async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const options = (s: Scenario) => ({ baseUrl: `${base.origin}/fhir`, maxRetries: 0, auth: TOKEN, headers: { 'x-api-key': API_KEY }, allowedOrigins: s.allowOther ? [other.origin] : [] });
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        serve(s);
        const run = async (c: PeerFhirClient) => {
          base.seen.length = 0;
          other.seen.length = 0;
          fetchSpy.mockClear();
          const result = await outcome(c, s.kind);
          return { result, base: base.seen.map(request), other: other.seen.map(request), modes: fetchSpy.mock.calls.map(([, init]) => init?.redirect) };
        };
        // Its own fetch: the transport cannot know it is undici's, so every request goes out with 'manual', as before.
        const manual = await run(new PeerFhirClient({ ...options(s), fetch: (url, init) => globalThis.fetch(url, init) }));
        const spared = await run(new PeerFhirClient(options(s)));

        expect(spared.result).toEqual(manual.result);
        expect(spared.other).toEqual(manual.other);
        for (const seen of spared.other) expect([seen.body, seen.authorization, seen.apiKey]).toEqual(['', undefined, undefined]);
        // The base sees the same requests; a redirected one twice (first refused by fetch, then read with 'manual').
        expect(new Set(spared.base.map((r) => JSON.stringify(r)))).toEqual(new Set(manual.base.map((r) => JSON.stringify(r))));
        const bodyAndRepeatable = s.kind === 'conditional-transaction' || s.kind === 'update';
        expect(manual.modes.every((m) => m === 'manual')).toBe(true);
        expect(spared.modes[0]).toBe(bodyAndRepeatable ? 'error' : 'manual');
        if (!bodyAndRepeatable) expect(spared.base).toEqual(manual.base);
      }),
      { numRuns: LONG ? 600 : 60, seed: 18 },
    );
  });
});
