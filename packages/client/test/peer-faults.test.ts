import type { PeerEncounter } from '@peer-fhir/core';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '../src/index.js';
import { encounter, NS, SCOPE, AGENCY_NS, organization, participant, specialist, testing } from './peer-fixtures.js';

const BASE = 'https://faults.example.test/fhir';
const repository = testing.createFhirRepository();
const counter = testing.createFaultCounter();
const mock = setupServer(
  ...testing.withFaults(testing.createFhirHandlers({ baseUrl: BASE, repository }), {
    rate: 0.2,
    kinds: ['rate-limit', 'unavailable', 'connection-reset'],
    seed: 2026,
    counter,
  }),
);
beforeAll(() => mock.listen({ onUnhandledRequest: 'error' }));
afterAll(() => mock.close());

/** 2,000 one-entry encounters (no diagnoses, no note) over 50 participants, a day apart in 15-minute slots. */
function encounters(n: number): PeerEncounter[] {
  return Array.from({ length: n }, (_, i) => {
    const day = new Date(Date.UTC(2025, 0, 1) + Math.floor(i / 20) * 86_400_000).toISOString().slice(0, 10);
    const slot = String(i % 20).padStart(2, '0');
    const start = `${day}T${String(8 + Math.floor((i % 20) / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}:00Z`;
    const end = start.replace(/:(\d\d):00Z$/, (_m, mm: string) => `:${String(Number(mm) + 14).padStart(2, '0')}:00Z`);
    return encounter(`bulk-${String(i).padStart(5, '0')}-${slot}`, `p-bulk-${i % 50}`, { start, end, attendees: [{ participantId: `p-bulk-${i % 50}`, diagnoses: [], goalIds: [] }] });
  });
}

describe('recordEncounters through injected faults', () => {
  it('records 2,000 encounters through 20% 429/503/connection resets with every encounter present exactly once', async () => {
    const list = encounters(2000);
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: BASE, maxRetries: 8 }), SCOPE);
    const t0 = performance.now();
    const summary = await peer.recordEncounters(list, {
      organizations: [organization()],
      specialists: [specialist()],
      participants: Array.from({ length: 50 }, (_, i) => participant(`p-bulk-${i}`)),
      bundleSize: 20,
      concurrency: 4,
      maxRetries: 8,
    });
    const seconds = (performance.now() - t0) / 1000;
    console.info(`2,000 encounters through faults in ${seconds.toFixed(1)} s; ${counter.injected} faults injected`, counter.byKind);
    expect(summary).toMatchObject({ total: 2000, failed: 0 });
    expect(summary.created + summary.existing).toBe(2000);
    // ~110 requests at a 20% rate: enough faults that every kind is exercised.
    expect(counter.injected).toBeGreaterThanOrEqual(10);
    expect(Object.values(counter.byKind).filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    const stored = await repository.search('Encounter');
    const values = stored.flatMap((e) => ((e as { identifier?: { system?: string; value?: string }[] }).identifier ?? []).filter((i) => i.system === `${AGENCY_NS}/encounter`).map((i) => i.value));
    expect(values).toHaveLength(2000);
    expect(new Set(values).size).toBe(2000);
    expect(await repository.search('Patient')).toHaveLength(50);
  }, 120_000);
});
