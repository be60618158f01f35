/**
 * `peer-fhir bill` streams a month chunk by chunk of participants (issue 18): each chunk's encounters (group sessions
 * whole), records, stored claims and billing inputs are read, evaluated, and its claims written before the next
 * chunk is read; within a chunk, encounters are read back a few at a time. Whatever the chunk and read sizes, a run
 * writes the same 837P bytes, the same Claims (NDJSON and stored) and the same report as one chunk holding every
 * participant read at once — over generated agencies with group sessions, a cap low
 * enough to be reached (history of the month before) and a re-run of a month that bills nothing new.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Claim } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { getPack, loadPack } from '@peer-fhir/billing';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { billableAgency, generateAgency } from '@peer-fhir/testing';
import { billMonth } from '../src/commands/bill.js';
import { parseConfig } from '../src/config.js';
import { configFor, quietIo, useEmbeddedServer } from './support.js';

const root = mkdtempSync(join(tmpdir(), 'peer-fhir-bill-stream-'));
const embedded = useEmbeddedServer();
const tx = getPack('tx-medicaid-peer-specialist-2019');
// The TX rolling six-month units (pack caps[0]) lowered so two months of a small agency reach it.
const pack = loadPack({ ...tx, id: 'tx-low-cap', caps: tx.caps.map((c) => ({ ...c, maxUnits: 10 })) });
const packFile = join(root, 'tx-low-cap.json');
writeFileSync(packFile, JSON.stringify(pack));
const RUNS = ['2025-01', '2025-02', '2025-01'];

/** Every output of one run: 837P bytes (absent: none written), Claims NDJSON, the report without its file paths. */
type Outputs = { x12: string | undefined; claims: string; report: unknown }[];

/** Stores the agency on a reset server, bills January, February, then January again with `chunkSize` participants per chunk, `encountersPerRead` encounters per read. */
async function billAll(agency: ReturnType<typeof generateAgency>, cut: { chunkSize: number; encountersPerRead: number }, tag: string): Promise<{ outputs: Outputs; stored: string[] }> {
  const server = embedded.server;
  server.reset();
  const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi });
  await peer.recordEncounters(agency.encounters, { participants: agency.participants, specialists: agency.specialists, organizations: [agency.organization] });
  for (const c of agency.consents) await peer.grantConsent(c);
  const configValue = parseConfig(configFor(agency));
  const outputs: Outputs = [];
  for (const [i, period] of RUNS.entries()) {
    const dir = join(root, tag, String(i));
    mkdirSync(dir, { recursive: true });
    const out = join(dir, 'bill.x12');
    const { report } = await billMonth({ pack: packFile, period, out, configValue, fhirUrl: server.url, date: new Date('2025-06-02T12:00:00Z') }, quietIo(dir), { keep: false, ...cut });
    outputs.push({ x12: existsSync(out) ? readFileSync(out, 'utf8') : undefined, claims: readFileSync(report.files.claims, 'utf8'), report: { ...report, files: undefined } });
  }
  const stored: string[] = [];
  for await (const c of peer.client.searchAll('Claim', new URLSearchParams({ _count: '500' }))) {
    // Server ids differ between the two servers: compare what the claim says, its references by identifier.
    const { id: _id, meta: _meta, ...rest } = c as Claim;
    stored.push(JSON.stringify(rest).replace(/"reference":"[A-Za-z]+\/[^"]*",?/g, ''));
  }
  return { outputs, stored: stored.sort() };
}

describe('bill, streamed per chunk of participants', () => {
  it('writes the same 837P, Claims and report for any chunk and read size as one chunk of every participant read at once (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), async (seed, chunkSize, encountersPerRead) => {
        const agency = billableAgency(generateAgency({ seed, months: 2, participants: 7, state: 'TX', start: '2025-01-01', encountersPerParticipantPerMonth: 5 }));
        const whole = await billAll(agency, { chunkSize: 1_000, encountersPerRead: 1_000 }, `${seed}-whole`);
        const chunked = await billAll(agency, { chunkSize, encountersPerRead }, `${seed}-${chunkSize}-${encountersPerRead}`);
        expect(whole.outputs[0]!.x12).toBeDefined();
        expect(chunked.outputs).toEqual(whole.outputs);
        expect(chunked.stored).toEqual(whole.stored);
      }),
      { numRuns: 3, endOnFailure: true },
    );
  }, 240_000);
});
