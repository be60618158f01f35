// What src/internal/fhir-kit-adapter.ts relies on in fhir-kit-client (pinned to 2.0.3): every request goes through
// one method, `HttpClient#request(method, url, options, body)`, which calls `expandUrl(url)` first. The adapter
// replaces that method on its private instance. These tests fail when an upgrade changes any of it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'fhir-kit-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FhirKitAdapter } from '../src/internal/fhir-kit-adapter.js';

const require = createRequire(import.meta.url);
const BASE = 'https://fhir.example.test/r4';

/** The installed version of fhir-kit-client, read from its package.json. */
function installedVersion(): string {
  // fhir-kit-client is ESM-only with no `require` export: find its folder on the resolution paths.
  const dir = (require.resolve.paths('fhir-kit-client') ?? []).map((p) => join(p, 'fhir-kit-client')).find((d) => existsSync(join(d, 'package.json')));
  if (!dir) throw new Error('fhir-kit-client is not installed');
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

describe('fhir-kit-client assumptions of the adapter', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the installed version is the one the adapter was written against (2.0.3)', () => {
    expect(installedVersion()).toBe('2.0.3');
  });

  it('HttpClient has request(method, url, options, body) and expandUrl(url) on its instance', () => {
    const http = new Client({ baseUrl: BASE }).httpClient as unknown as Record<string, unknown>;
    expect(typeof http.request).toBe('function');
    expect(typeof http.expandUrl).toBe('function');
    // `options = {}` has a default, so Function#length counts method and url only.
    expect((http.request as (...args: unknown[]) => unknown).length).toBe(2);
    expect(String(http.request)).toMatch(/^async request\(method, requestUrl, options = \{\}, body\)/);
  });

  it('every client call the adapter uses goes through the replaced request method: no global fetch', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const adapter = new FhirKitAdapter(BASE);
    const plans = await Promise.all([
      adapter.read('Patient', 'a b'),
      adapter.search('Encounter', { patient: ['Patient/1'] }),
      adapter.create('Patient', { resourceType: 'Patient' }),
      adapter.transaction({ resourceType: 'Bundle', type: 'transaction' }),
    ]);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(plans.map((p) => [p.method, p.url])).toEqual([
      ['GET', `${BASE}/Patient/a%20b`],
      ['GET', `${BASE}/Encounter?patient=Patient%2F1`],
      ['POST', `${BASE}/Patient`],
      ['POST', BASE],
    ]);
  });

  it('the adapter is the only file of src/ that imports fhir-kit-client (the header of the one file is the place to read)', () => {
    const src = join(dirname(fileURLToPath(import.meta.url)), '../src');
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
    const importers = files(src).filter((path) => /from\s*'fhir-kit-client(\/[^']*)?'/.test(readFileSync(path, 'utf8')));
    expect(importers.map((path) => relative(src, path))).toEqual(['internal/fhir-kit-adapter.ts']);
  });
});
