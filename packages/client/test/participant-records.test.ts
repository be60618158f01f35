// getParticipantRecords reads many participants at once: the same participants, current plans and consents as
// getParticipantSummary and getConsents give one by one, with a number of requests that grows with the chunks of
// participants, not with the participants (issue 18: billing a month sent several searches per participant).
import fc from 'fast-check';
import type { Participant } from '@peer-fhir/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PeerClient, PeerFhirClient, PeerRecordNotFoundError } from '../src/index.js';
import { encounter, organization, participant, plan, SCOPE, specialist, testing, tpoConsent, type EmbeddedServer } from './peer-fixtures.js';

let server: EmbeddedServer;
let peer: PeerClient;

const covered = (id: string, n: number): Participant => ({
  ...participant(id),
  coverages: Array.from({ length: n }, (_, i) => ({ payerId: `NCMCD${i}`, payerName: 'NC Medicaid', memberId: `M${id}${i}`, period: { start: `202${i}-01-01` } })),
});

// Seven participants covering what a reader must pick: no plan, one plan, an active plan beside a completed one, a
// draft beside an on-hold one (on-hold is current), two active plans (the later start is current), consents
// granted and revoked, one or two coverages.
const IDS = ['r-0', 'r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6'];

beforeAll(async () => {
  server = await testing.startFhirServer();
  peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
  const participants = IDS.map((id, i) => covered(id, i % 3));
  await peer.recordEncounters(IDS.map((id) => encounter(`enc-${id}`, id)), { participants, specialists: [specialist()], organizations: [organization()] });
  const plans = [
    plan('pl-1', 'r-1'),
    plan('pl-2a', 'r-2', { status: 'completed', period: { start: '2024-01-02' } }),
    plan('pl-2b', 'r-2'),
    plan('pl-3a', 'r-3', { status: 'draft', period: { start: '2025-03-01' } }),
    plan('pl-3b', 'r-3', { status: 'on-hold', period: { start: '2025-01-01' } }),
    plan('pl-4a', 'r-4', { period: { start: '2025-01-02' } }),
    plan('pl-4b', 'r-4', { period: { start: '2025-02-02' }, signatures: [{ role: 'participant', signedAt: '2025-02-02T10:00:00-05:00' }, { role: 'peer', signedAt: '2025-02-03T10:00:00-05:00' }] }),
    plan('pl-6', 'r-6'),
  ];
  for (const p of plans) await peer.upsertRecoveryPlan(p, { specialist: specialist() });
  for (const [id, who] of [['c-4a', 'r-4'], ['c-4b', 'r-4'], ['c-5', 'r-5'], ['c-6', 'r-6']] as const) await peer.grantConsent(tpoConsent(id, who));
  await peer.revokeConsent('c-4a', { at: '2025-04-01T09:00:00-04:00' });
}, 180_000);
afterAll(() => server?.close());

/** What the one-by-one readers give for `ids`, in the shape getParticipantRecords returns. */
async function oneByOne(ids: readonly string[]) {
  const out = { participants: [] as unknown[], plans: [] as unknown[], consents: [] as unknown[] };
  for (const id of new Set(ids)) {
    const summary = await peer.getParticipantSummary(id, { recentLimit: 0 });
    out.participants.push(summary.participant);
    if (summary.plan) out.plans.push(summary.plan);
    out.consents.push(...(await peer.getConsents(id)));
  }
  return out;
}

describe('getParticipantRecords', () => {
  it('gives what getParticipantSummary and getConsents give for each participant, for any ids and chunk size (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...IDS), { minLength: 1, maxLength: 9 }), fc.integer({ min: 1, max: 8 }), async (ids, chunkSize) => {
        const bulk = await peer.getParticipantRecords(ids, { chunkSize });
        const { patients, ...records } = bulk;
        expect(records).toEqual(await oneByOne(ids));
        expect(Object.keys(patients).sort()).toEqual([...new Set(ids)].sort());
      }),
      { numRuns: 12, seed: Number(process.env.PEER_FHIR_SEED ?? 18) },
    );
  }, 180_000);

  it('takes the current plan of each participant (active, then on-hold, then draft; the latest start) and every consent', async () => {
    const { participants, plans, consents } = await peer.getParticipantRecords(IDS, { chunkSize: 3 });
    expect(participants.map((p) => [p.id, p.coverages.length])).toEqual(IDS.map((id, i) => [id, i % 3]));
    expect(plans.map((p) => p.id)).toEqual(['pl-1', 'pl-2b', 'pl-3b', 'pl-4b', 'pl-6']);
    expect(consents.map((c) => [c.id, c.status])).toEqual([['c-4a', 'inactive'], ['c-4b', 'active'], ['c-5', 'active'], ['c-6', 'active']]);
  });

  it('names each participant\'s Patient on the server', async () => {
    const { patients } = await peer.getParticipantRecords(['r-1']);
    const found = await server.repository.search('Patient', `_id=${(patients['r-1'] ?? '').replace('Patient/', '')}`);
    expect(found).toHaveLength(1);
  });

  it('sends as many requests for seven participants as for two (one chunk: a few searches, not a few per participant)', async () => {
    const requests = async (ids: readonly string[]) => {
      // Cold caches, like a fresh billing run.
      const fresh = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
      const spy = vi.spyOn(globalThis, 'fetch');
      try {
        await fresh.getParticipantRecords(ids);
        return spy.mock.calls.length;
      } finally {
        spy.mockRestore();
      }
    };
    const two = await requests(['r-4', 'r-6']);
    expect(await requests(IDS)).toBe(two);
    expect(two).toBeLessThanOrEqual(12);
  });

  it('throws PeerRecordNotFoundError for a participant not on the server', async () => {
    await expect(peer.getParticipantRecords(['r-1', 'nobody'])).rejects.toBeInstanceOf(PeerRecordNotFoundError);
  });
});
