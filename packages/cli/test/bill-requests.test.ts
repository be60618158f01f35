/**
 * `peer-fhir bill` reads a month with a number of requests that grows with chunks of participants (50 per search) and
 * pages, not with each participant (issue 18: a 10k-row month sent ~10 searches per participant, 984 requests, where
 * the embedded server's per-request cost made billing run at 8 encounters/s). The same agency billed with 4 and with
 * 24 participants needs about the same number of requests; one-by-one reads would need over a hundred more.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { billableAgency, generateAgency } from '@peer-fhir/testing';
import { parseConfig } from '../src/config.js';
import { runBill } from '../src/index.js';
import type { CommandIo } from '../src/internal/io.js';
import { configFor, quietIo, useEmbeddedServer } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-bill-requests-'));
const io = (): CommandIo => quietIo(dir);
const embedded = useEmbeddedServer();

/** Requests `bill` sends for March of a synthetic agency of `participants`, with its consents and plans stored. */
async function requestsToBill(participants: number): Promise<{ requests: number; encounters: number }> {
  embedded.server.reset();
  const agency = billableAgency(generateAgency({ seed: 3, months: 1, participants, state: 'TX', start: '2025-03-01' }));
  const peer = new PeerClient(new PeerFhirClient({ baseUrl: embedded.server.url }), { agency: agency.organization.npi });
  await peer.recordEncounters(agency.encounters, { participants: agency.participants, specialists: agency.specialists, organizations: [agency.organization] });
  for (const c of agency.consents) await peer.grantConsent(c);
  const spy = vi.spyOn(globalThis, 'fetch');
  try {
    const { report } = await runBill({ period: '2025-03', out: join(dir, `m-${participants}.x12`), configValue: parseConfig(configFor(agency)), fhirUrl: embedded.server.url, date: new Date('2025-04-02T12:00:00Z') }, io());
    return { requests: spy.mock.calls.length, encounters: report.encounters };
  } finally {
    spy.mockRestore();
  }
}

describe('bill reads a month in chunks of participants', () => {
  it('sends about as many requests for 24 participants as for 4', async () => {
    const small = await requestsToBill(4);
    const large = await requestsToBill(24);
    expect(large.encounters).toBeGreaterThan(small.encounters * 3);
    // A few more id lists (conditions, people) and Part 2 disclosure records at most; never ~10 per participant.
    expect(large.requests - small.requests, JSON.stringify({ small, large })).toBeLessThan(40);
  }, 120_000);
});
