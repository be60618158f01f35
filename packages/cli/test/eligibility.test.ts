// Acceptance (issue 20, eligibility): roster -> 270 -> synthetic 271 -> Coverage updated -> billing holds the
// ineligible encounter with the 271's reason. Runs in-process against the embedded test server.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Claim, ClaimResponse, Coverage, Organization, Patient } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerFhirClient } from '@peer-fhir/client';
import { identifierSystems } from '@peer-fhir/core';
import { evaluate, getPack } from '@peer-fhir/billing';
import { answer270, startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { runEligibility } from '../src/commands/eligibility.js';
import { runStatus } from '../src/commands/status.js';
import type { CliConfig } from '../src/config.js';
import type { CommandIo } from '../src/internal/io.js';
import { loadEligibilityChecks } from '../src/internal/eligibility-checks.js';
import { context, encounter, participant } from '../../billing/test/support/factories.js';
import { parseX12 } from './support.js';

const ids = identifierSystems({ agency: '1234567893' });
let server: EmbeddedFhirServer;
let dir: string;
let client: PeerFhirClient;

const config = {
  organization: {
    name: 'Harbor Peer Agency', npi: '1234567893', taxId: '123456789', taxonomy: '251S00000X',
    address: { line: ['1 Main St'], city: 'Austin', state: 'TX', postalCode: '787011234' },
  },
  payer: { id: 'TXMCD', name: 'Texas Medicaid' },
  pack: 'nj-horizon-sud-peer-2020',
} as unknown as CliConfig;

function captureIo(): CommandIo & { out: () => string } {
  let out = '';
  const sink = { write: (s: string) => ((out += s), true) } as unknown as CommandIo['stdout'];
  const quiet = { write: () => true } as unknown as CommandIo['stderr'];
  return { stdout: sink, stderr: quiet, json: true, env: {}, cwd: dir, out: () => out };
}

beforeAll(async () => {
  server = await startFhirServer();
  dir = await mkdtemp(join(tmpdir(), 'peer-fhir-elig-'));
  client = new PeerFhirClient({ baseUrl: server.url });
  const payer = await client.create<Organization>({ resourceType: 'Organization', name: 'Texas Medicaid', identifier: [{ system: ids.payer, value: 'TXMCD' }] });
  for (const n of [1, 2, 3]) {
    const p = await client.create<Patient>({
      resourceType: 'Patient',
      identifier: [{ system: ids.participant, value: `p-${n}` }],
      name: [{ family: `Synthetic${n}`, given: ['Person'] }],
      birthDate: '1980-04-02',
      gender: 'female',
    });
    await client.create<Coverage>({
      resourceType: 'Coverage',
      status: 'active',
      subscriberId: `M${n}`,
      beneficiary: { reference: `Patient/${p.id}` },
      payor: [{ reference: `Organization/${payer.id}` }],
      period: { start: '2025-01-01' },
    });
  }
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('peer-fhir eligibility', () => {
  it('roster -> 270 -> 271 -> Coverage updated -> PB-ELIGIBILITY holds the ineligible member with the 271 reason', async () => {
    const out270 = join(dir, 'roster.270');
    const w = await runEligibility({ roster: true, out: out270, date: '2025-03-03', configValue: config, fhirUrl: server.url }, captureIo());
    expect(w.counts).toEqual({ requests: 3 });
    expect(w.writes).toEqual({ 'requests-created': 3 });
    const text270 = await readFile(out270, 'utf8');
    const segs = await parseX12(text270);
    expect(segs.filter((s) => s.name === 'HL' && (s as unknown as Record<string, string>)['3'] === '22')).toHaveLength(3);

    const text271 = answer270(text270, {
      date: new Date(Date.UTC(2025, 2, 2)),
      decide: (m) =>
        m.memberId === 'M2' ? { kind: 'inactive', endedOn: '20250228' }
        : m.memberId === 'M3' ? { kind: 'managed-care', name: 'SUNRISE HEALTH PLAN', payerId: 'SUNR1' }
        : { kind: 'active', plan: 'MEDICAID FFS' },
    });
    const file271 = join(dir, 'roster.271');
    await writeFile(file271, text271);
    const io = captureIo();
    const r = await runEligibility({ read: file271, fhirUrl: server.url }, io);
    expect(r.counts).toEqual({ active: 1, inactive: 1, 'other-payer': 1 });
    expect(r.writes).toMatchObject({ 'responses-created': 3, unmatched: 0, 'rejected-sets': 0 });
    expect(r.writes['coverages-updated']! + r.writes['coverages-unchanged']!).toBe(3);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(io.out()).answers).toHaveLength(3);

    // reading the same 271 again stores nothing new
    const again = await runEligibility({ read: file271, fhirUrl: server.url }, captureIo());
    expect(again.writes).toMatchObject({ 'responses-created': 0, 'responses-unchanged': 3, 'coverages-updated': 0, 'coverages-unchanged': 3 });

    // the inactive member's Coverage now ends where the 271 said (2100C DTP*357)
    const coverages: Coverage[] = [];
    for await (const c of client.searchAll('Coverage', new URLSearchParams({ _count: '50' }))) coverages.push(c);
    expect(coverages.find((c) => c.subscriberId === 'M2')?.period?.end).toBe('2025-02-28');

    // billing reads the stored answers: the inactive and the MCO member are held with the 271's words
    const checks = await loadEligibilityChecks(client, { agency: '1234567893' });
    expect(checks.map((c) => [c.participantId, c.status]).sort()).toEqual([['p-1', 'active'], ['p-2', 'inactive'], ['p-3', 'other-payer']]);
    const NJ = getPack('nj-horizon-sud-peer-2020');
    const people = ['p-1', 'p-2', 'p-3'].map((id) => participant({ id }));
    const encounters = people.map((p) => encounter({ date: '2025-03-03', attendees: [{ participantId: p.id, diagnoses: ['F11.20'] }] }));
    const result = evaluate(context(NJ, { participants: people, encounters, eligibility: checks }));
    const reasonOf = (pid: string) => result.decisions.find((d) => d.participantId === pid)?.holds.find((h) => h.code === 'PB-ELIGIBILITY')?.reason;
    expect(reasonOf('p-1')).toBeUndefined();
    expect(reasonOf('p-2')).toBe('latest eligibility answer: 271 says Inactive (EB01 6)');
    expect(reasonOf('p-3')).toBe('latest eligibility answer: 271 says Managed Care Coordinator (EB01 MC): Managed Care Organization SUNRISE HEALTH PLAN — bill that payer');
  });

  it('refuses a malformed 271 with a usage error naming the position, not the content', async () => {
    const bad = join(dir, 'bad.271');
    await writeFile(bad, 'ISA*00*          *00*          *ZZ*A              *ZZ*B              *250302*1015*^*00501*000000001*0*T*:~GS*HB*A*B*20250302*1015*1*X*005010X279A1~ST*271*0001~NM1*IL*1*SECRETNAME~SE*3*0001~GE*1*1~IEA*1*000000001~');
    await expect(runEligibility({ read: bad, fhirUrl: server.url }, captureIo())).rejects.toThrow(/segment 4 NM1/);
    await expect(runEligibility({ read: bad, fhirUrl: server.url }, captureIo())).rejects.not.toThrow(/SECRETNAME/);
  });
});

describe('peer-fhir status', () => {
  it('writes a 276 for the aged claims without a final ClaimResponse, read back by x12-parser', async () => {
    const [patient] = (await client.search('Patient', { identifier: `${ids.participant}|p-1` })).entry ?? [];
    const [coverage] = (await client.search('Coverage', { beneficiary: `Patient/${patient!.resource!.id}` })).entry ?? [];
    const agency = await client.create<Organization>({ resourceType: 'Organization', name: 'Harbor Peer Agency', identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }] });
    const claim = (pcn: string, created: string): Claim => ({
      resourceType: 'Claim', status: 'active', use: 'claim', created, identifier: [{ system: ids.claim, value: pcn }],
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      patient: { reference: `Patient/${patient!.resource!.id}` }, provider: { reference: `Organization/${agency.id}` },
      priority: { coding: [{ code: 'normal' }] },
      insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/${coverage!.resource!.id}` } }],
      item: [{ sequence: 1, productOrService: { coding: [{ code: 'H0038' }] }, servicedDate: '2025-02-03' }],
      total: { value: 47.88, currency: 'USD' },
    });
    const answered = await client.create(claim('PCN-ANSWERED', '2025-02-05'));
    await client.create(claim('PCN-AGED', '2025-02-05'));
    await client.create(claim('PCN-RECENT', '2025-03-25'));
    await client.create<ClaimResponse>({
      resourceType: 'ClaimResponse', status: 'active', use: 'claim', outcome: 'complete', created: '2025-03-01',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      patient: { reference: `Patient/${patient!.resource!.id}` }, insurer: coverage!.resource!.payor[0]!, request: { reference: `Claim/${answered.id}` },
    });
    const out = join(dir, 'aged.276');
    const r = await runStatus({ olderThan: '30d', asOf: '2025-04-01', out, configValue: config, fhirUrl: server.url }, captureIo());
    expect(r.counts).toEqual({ claims: 3, aged: 1, asked: 1, unresolved: 0 });
    const segs = await parseX12(await readFile(out, 'utf8'));
    const refs = segs.filter((s) => s.name === 'REF').map((s) => (s as unknown as Record<string, string>)['2']);
    expect(refs).toEqual(['PCN-AGED']); // 2200D REF*EJ patient control number
    expect(segs.find((s) => s.name === 'ST')).toMatchObject({ '1': '276', '3': '005010X212' });
  });
});
