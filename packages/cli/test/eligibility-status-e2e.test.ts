// Issue 20, acceptance 3, end to end through the commands on the embedded server:
//   roster -> 270 -> synthetic 271 -> Coverage updated -> `bill` holds the ineligible participant with the 271's reason;
//   aged claims -> 276 -> synthetic 277 -> ClaimResponses stored and reported -> a finalized claim is no longer aged.
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ClaimResponse, Coverage } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { answer270, answer276, billableAgency, generateAgency, startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { runBill, runEligibility, runStatus } from '../src/index.js';
import type { CommandIo } from '../src/internal/io.js';
import { configFor } from './support.js';

const io = (): CommandIo => {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink(), stderr: sink(), json: false, env: {}, cwd: tmpdir() };
};

let server: EmbeddedFhirServer;
let client: PeerFhirClient;
const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-elig-e2e-'));
const agency = billableAgency(generateAgency({ seed: 8, months: 1, participants: 3, state: 'TX', start: '2025-03-01' }));
const config = configFor(agency);
const billed = [...new Set(agency.encounters.flatMap((e) => e.attendees.map((a) => a.participantId)))];
const ineligible = agency.participants.find((p) => p.id === billed[0])!;
const ineligibleMember = ineligible.coverages[0]!.memberId;

beforeAll(async () => {
  server = await startFhirServer();
  client = new PeerFhirClient({ baseUrl: server.url });
  const peer = new PeerClient(client, { agency: agency.organization.npi });
  await peer.recordEncounters(agency.encounters, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants });
  for (const plan of agency.plans) await peer.upsertRecoveryPlan(plan);
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('eligibility and claim status, end to end through the CLI', () => {
  it('bill holds the participant the 271 says is inactive, with the 271 reason, and bills the others', async () => {
    // A run before any 271 is stored bills everyone; the run after it bills nothing twice (issue 12) and holds the
    // inactive participant's items with the 271's reason.
    const plain = await runBill({ period: '2025-03', out: join(dir, 'before.x12'), fhirUrl: server.url, configValue: config, date: new Date('2025-03-31T12:00:00Z') }, io());
    expect(plain.report.claims).toBeGreaterThan(0);
    expect(plain.report.holdsByCode['PB-ELIGIBILITY']).toBeUndefined(); // no answer stored yet: the edits are off

    const out270 = join(dir, 'roster.270');
    await runEligibility({ roster: true, out: out270, date: '2025-03-01', configValue: config, fhirUrl: server.url }, io());
    const text271 = answer270(await readFile(out270, 'utf8'), {
      date: new Date(Date.UTC(2025, 2, 1)),
      decide: (m) => (m.memberId === ineligibleMember ? { kind: 'inactive', endedOn: '20250228' } : { kind: 'active', plan: 'MEDICAID FFS' }),
    });
    await writeFile(join(dir, 'roster.271'), text271);
    const read = await runEligibility({ read: join(dir, 'roster.271'), configValue: config, fhirUrl: server.url }, io());
    expect(read.counts.inactive).toBe(1);
    const coverages: Coverage[] = [];
    for await (const c of client.searchAll('Coverage', new URLSearchParams({ _count: '50' }))) coverages.push(c);
    const covered = coverages.find((c) => c.subscriberId === ineligibleMember)!;
    expect(covered.period?.end).toBe('2025-02-28');
    // US Core-style patient searches find the question and the answer (issue 15, acceptance 3)
    const patient = covered.beneficiary.reference!;
    for (const type of ['CoverageEligibilityRequest', 'CoverageEligibilityResponse'] as const) {
      const found = await client.search(type, { patient });
      expect(found.entry?.length, type).toBe(1);
    }

    const bill = await runBill({ period: '2025-03', out: join(dir, 'march.x12'), fhirUrl: server.url, configValue: config, date: new Date('2025-03-31T12:00:00Z') }, io());
    const heldFor = (pid: string) => bill.report.held.filter((h) => h.participantId === pid).flatMap((h) => h.reasons.filter((r) => r.code === 'PB-ELIGIBILITY'));
    const items = agency.encounters.filter((e) => e.attendees.some((a) => a.participantId === ineligible.id)).length;
    expect(heldFor(ineligible.id)).toHaveLength(items);
    expect(heldFor(ineligible.id)[0]!.reason).toBe('latest eligibility answer: 271 says Inactive (EB01 6)');
    for (const pid of billed.slice(1)) expect(heldFor(pid)).toEqual([]);
    // The others stand on the first run's claims: not billed again as originals.
    expect(bill.report.corrections?.alreadyBilled).toBeGreaterThan(0);
  }, 120_000);

  it('asks about aged claims with a 276, stores the 277 answers as ClaimResponses, and stops asking about finalized ones', async () => {
    const out276 = join(dir, 'aged.276');
    const asked = await runStatus({ olderThan: '30d', asOf: '2025-05-15', out: out276, configValue: config, fhirUrl: server.url }, io());
    expect(asked.counts!.asked).toBeGreaterThan(0);
    expect(asked.counts!.unresolved).toBe(0);
    let first = true;
    const text277 = answer276(await readFile(out276, 'utf8'), {
      date: new Date(Date.UTC(2025, 4, 16)),
      decide: () => (first ? ((first = false), { category: 'F1', code: '65', payerClaimControlNumber: 'ICN-1' }) : { category: 'P1', code: '20' }),
    });
    await writeFile(join(dir, 'aged.277'), text277);
    const read = await runStatus({ read: join(dir, 'aged.277'), configValue: config, fhirUrl: server.url }, io());
    expect(read.answers).toEqual({ finalized: 1, ...(asked.counts!.asked > 1 ? { pending: asked.counts!.asked - 1 } : {}) });
    expect(read.writes).toEqual({ 'claim-responses-created': asked.counts!.asked, unmatched: 0 });
    expect(read.exitCode).toBe(0);
    const responses: ClaimResponse[] = [];
    for await (const r of client.searchAll('ClaimResponse', new URLSearchParams({ _count: '50' }))) responses.push(r);
    expect(responses.filter((r) => r.outcome === 'complete').map((r) => r.disposition)).toEqual(['Finalized: Finalized: payment (F1, status code 65)']);

    const again = await runStatus({ read: join(dir, 'aged.277'), configValue: config, fhirUrl: server.url }, io());
    expect(again.writes).toEqual({ 'claim-responses-created': 0, unmatched: 0 }); // the same 277 stores nothing new
    const later = await runStatus({ olderThan: '30d', asOf: '2025-05-20', out: join(dir, 'later.276'), configValue: config, fhirUrl: server.url }, io());
    expect(later.counts!.aged).toBe(asked.counts!.aged - 1);
  }, 120_000);

  it('refuses a malformed 277 by position and stores nothing', async () => {
    await writeFile(join(dir, 'bad.277'), 'ISA*00*          *00*          *ZZ*A              *ZZ*B              *250516*1200*^*00501*000000001*0*T*:~GS*HN*A*B*20250516*1200*1*X*005010X212~ST*277*0001*005010X212~NM1*IL*1*SECRETNAME~SE*9*0001~GE*1*1~IEA*1*000000001~');
    const err = (await runStatus({ read: join(dir, 'bad.277'), configValue: config, fhirUrl: server.url }, io()).then(
      () => new Error('no error'),
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toMatch(/nothing stored: SE01 segment count does not match \(segment 5 SE\)/);
    expect(err.message).not.toContain('SECRETNAME');
  });
});
