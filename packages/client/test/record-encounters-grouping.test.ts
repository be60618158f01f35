import type { Bundle } from 'fhir/r4.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgency } from '../../testing/src/synthetic/index.js';
import { pack } from '../src/record-all.js';
import { DEFAULT_MAX_BUNDLE_ENTRIES, PeerClient, PeerFhirClient, type FetchLike } from '../src/index.js';
import { NS, testing, type EmbeddedServer } from './peer-fixtures.js';

let server: EmbeddedServer;
beforeAll(async () => {
  server = await testing.startFhirServer();
});
afterAll(() => server?.close());

/**
 * A fetch that remembers the entry count of every distinct transaction Bundle POSTed to the server's base. A retry
 * sends the same body again (the embedded server, busy with a large transaction in this same process, sometimes
 * resets an idle keep-alive connection): that is the same transaction, not another one.
 */
function countingFetch(base: string, sizes: number[]): FetchLike {
  const seen = new Set<string>();
  return (url, init) => {
    if (init?.method === 'POST' && String(url).replace(/\/$/, '') === base.replace(/\/$/, '') && typeof init.body === 'string' && !seen.has(init.body)) {
      seen.add(init.body);
      const bundle = JSON.parse(init.body) as Bundle;
      if (bundle.type === 'transaction') sizes.push(bundle.entry?.length ?? 0);
    }
    return fetch(url, init);
  };
}

describe('recordEncounters groups encounters into transactions', () => {
  // 1,000 encounters of 100 participants over four months, as in benchmark B2.
  const agency = generateAgency({ seed: 5, participants: 100, months: 4 });
  const encounters = agency.encounters.slice(0, 1000);
  const roster = { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants };

  it('a default call sends about one transaction per 100 encounters: 1,000 encounters, roster included, in at most 12', async () => {
    expect(encounters).toHaveLength(1000);
    const sizes: number[] = [];
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url, fetch: countingFetch(server.url, sizes) }), { agency: agency.organization.npi, namespace: NS });
    const summary = await peer.recordEncounters(encounters, roster);
    expect(summary).toMatchObject({ total: 1000, created: 1000, rejected: 0, conflict: 0 });
    expect(sizes.length).toBeLessThanOrEqual(12);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(DEFAULT_MAX_BUNDLE_ENTRIES);
  }, 120_000);

  it('maxEntries caps every transaction, and every encounter still lands once', async () => {
    server.reset();
    const sizes: number[] = [];
    const slice = encounters.slice(0, 150);
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url, fetch: countingFetch(server.url, sizes) }), { agency: agency.organization.npi, namespace: NS });
    const summary = await peer.recordEncounters(slice, { ...roster, maxEntries: 160 });
    expect(summary).toMatchObject({ total: 150, created: 150, rejected: 0 });
    expect(Math.max(...sizes)).toBeLessThanOrEqual(160);
    const again = await peer.recordEncounters(slice, { ...roster, maxEntries: 160 });
    expect(again).toMatchObject({ created: 0, unchanged: 150, rejected: 0 });
  }, 120_000);
});

describe('pack (records into transactions)', () => {
  const sizes = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 300 });
  const limits = fc.record({ entries: fc.integer({ min: 1, max: 400 }), records: fc.integer({ min: 1, max: 120 }) });

  it('keeps every record once and in order, within both limits, and closes a group only when the next record would pass one', () => {
    fc.assert(
      fc.property(sizes, limits, (counts, limit) => {
        const records = counts.map((n, index) => ({ index, entries: Array.from({ length: n }, () => ({})) }));
        const groups = pack(records, limit);
        expect(groups.flat().map((r) => r.index)).toEqual(records.map((r) => r.index));
        const entries = (g: readonly { entries: readonly object[] }[]) => g.reduce((n, r) => n + r.entries.length, 0);
        for (const [i, g] of groups.entries()) {
          expect(g.length).toBeGreaterThan(0);
          expect(g.length).toBeLessThanOrEqual(limit.records);
          // A record is never split: one larger than the cap travels alone.
          if (g.length > 1) expect(entries(g)).toBeLessThanOrEqual(limit.entries);
          const next = groups[i + 1]?.[0];
          if (next) expect(g.length >= limit.records || entries(g) + next.entries.length > limit.entries).toBe(true);
        }
      }),
      { numRuns: 500, seed: 18 },
    );
  });
});
