// Property: whatever a server puts in an OperationOutcome, a next link, a Location or a redirect, and whatever values
// the caller searches by, no planted value ever appears in an error's message, String(), JSON form, or a log line.
// 10 000 cases in CI, 100 000 with PEER_FHIR_LONG=1. The fetch is stubbed: nothing leaves the process.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeerFhirClient, type FetchLike, type Logger } from '../src/index.js';

const LONG = process.env['PEER_FHIR_LONG'] === '1';
const BASE = 'https://fhir.example.test/r4';

// A planted value is bracketed so that a hit is an echo, never a coincidence with our own words.
const planted = fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' }).map((s) => `⟦${s}⟧`);
const issueCode = fc.oneof(fc.constantFrom('invalid', 'required', 'not-found', 'business-rule', 'conflict', 'processing'), planted);

const outcome = fc.record({
  codes: fc.array(issueCode, { minLength: 0, maxLength: 4 }),
  diagnostics: planted,
  expression: planted,
  detailsText: planted,
});

/** What the hostile server answers to the first request. */
const answer = fc.oneof(
  fc.record({ kind: fc.constant('outcome' as const), status: fc.constantFrom(400, 401, 403, 404, 409, 410, 412, 422, 429, 500, 502), oo: outcome }),
  fc.record({ kind: fc.constant('redirect' as const), status: fc.constantFrom(301, 302, 303, 307, 308), where: planted, host: fc.constantFrom('evil.test', '169.254.169.254', 'fhir.example.test') }),
  fc.record({ kind: fc.constant('next' as const), where: planted, scheme: fc.constantFrom('https://evil.test/', 'file:///', 'javascript:', 'https://fhir.example.test/r4/') }),
  fc.record({ kind: fc.constant('not-json' as const), text: planted }),
);

type Answer = typeof answer extends fc.Arbitrary<infer A> ? A : never;

function respond(a: Answer, url: string): Response {
  const headers = { 'content-type': 'application/fhir+json' };
  switch (a.kind) {
    case 'outcome': {
      const oo = {
        resourceType: 'OperationOutcome',
        issue: (a.oo.codes.length ? a.oo.codes : ['invalid']).map((code) => ({
          severity: 'error',
          code,
          diagnostics: a.oo.diagnostics,
          expression: [`Patient.name.where(family='${a.oo.expression}')`],
          details: { text: a.oo.detailsText },
        })),
      };
      return new Response(JSON.stringify(oo), { status: a.status, headers });
    }
    case 'redirect':
      return new Response(null, { status: a.status, headers: { location: `https://${a.host}/${encodeURIComponent(a.where)}?v=${encodeURIComponent(a.where)}` } });
    case 'next': {
      // Only the first page carries the hostile link; a link back to the base ends in a loop error or one more page.
      const bundle = { resourceType: 'Bundle', type: 'searchset', link: [{ relation: 'next', url: `${a.scheme}${encodeURIComponent(a.where)}` }], entry: [] };
      return new Response(JSON.stringify(url.includes('⟦') || url.includes('%E2%9F%A6') ? { ...bundle, link: [] } : bundle), { status: 200, headers });
    }
    case 'not-json':
      return new Response(a.text, { status: 200, headers });
  }
}

describe('no planted value in any error text or log line', () => {
  it(`holds for generated OperationOutcomes, links, redirects and bodies (${LONG ? '100k' : '10k'} cases)`, async () => {
    // One client for all cases (building one per case would dominate the run time); the stub answers the current case.
    const lines: string[] = [];
    const log = (m: string, d?: Record<string, unknown>): void => void lines.push(`${m} ${JSON.stringify(d)}`);
    const logger: Logger = { debug: log, info: log, warn: log, error: log };
    let current: Answer | undefined;
    const fetchStub: FetchLike = async (url) =>
      url.startsWith(BASE) && current ? respond(current, url) : Promise.reject(new Error(`left the base origin: ${url}`));
    const client = new PeerFhirClient({ baseUrl: BASE, fetch: fetchStub, maxRetries: 0, logger, maxPages: 3 });
    await fc.assert(
      fc.asyncProperty(answer, planted, async (a, searchValue) => {
        current = a;
        lines.length = 0;
        const err = await (async () => {
          for await (const r of client.searchAll('Patient', { name: searchValue, identifier: searchValue })) void r;
        })().then(
          () => undefined,
          (e: unknown) => e,
        );
        const texts = [...lines];
        if (err instanceof Error) texts.push(err.message, String(err), JSON.stringify(err), err.stack?.split('\n')[0] ?? '');
        const values = [searchValue, ...(a.kind === 'outcome' ? [a.oo.diagnostics, a.oo.expression, a.oo.detailsText, ...a.oo.codes.filter((c) => c.startsWith('⟦'))] : a.kind === 'not-json' ? [a.text] : [a.where])];
        for (const text of texts) for (const v of values) expect(text).not.toContain(v);
      }),
      { numRuns: LONG ? 100_000 : 10_000 },
    );
  }, LONG ? 1_800_000 : 120_000);
});
