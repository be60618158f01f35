/**
 * The client's by-id reader keeps a bounded cache (issue 18: a month of a large agency named tens of thousands of
 * resources, all held for the life of the client): a read still answers every resource it names, however many.
 */
import { describe, expect, it } from 'vitest';
import type { FhirResource } from 'fhir/r4.js';
import type { PeerFhirClient } from '../src/index.js';
import { ResourceCache } from '../src/internal/peer-lookup.js';

/** A server of Patients `p0…`: every `_id` asked for exists; the ids asked for are recorded. */
function fakeServer(asked: string[]): PeerFhirClient {
  const server = {
    async *searchAll(type: string, params: URLSearchParams): AsyncGenerator<FhirResource> {
      for (const id of (params.get('_id') ?? '').split(',')) {
        asked.push(id);
        yield { resourceType: 'Patient', id } as FhirResource;
        void type;
      }
    },
  };
  return server as unknown as PeerFhirClient;
}

describe('ResourceCache', () => {
  it('answers every resource one read names, even more than it keeps, and reads the recent ones from memory', async () => {
    const asked: string[] = [];
    const cache = new ResourceCache(fakeServer(asked));
    const refs = Array.from({ length: 2_500 }, (_, i) => `Patient/p${i}`);
    expect((await cache.getAll(refs, {})).map((r) => `Patient/${r.id ?? ''}`)).toEqual(refs);
    expect(asked).toHaveLength(2_500);
    asked.length = 0;
    const recent = refs.slice(-200);
    expect((await cache.getAll(recent, {})).map((r) => `Patient/${r.id ?? ''}`)).toEqual(recent);
    expect(asked).toEqual([]);
  });
});
