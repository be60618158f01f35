// `peer-fhir report compliance` and `peer-fhir report outcomes` through the built binary against the embedded FHIR
// server: a small agency written with the libraries (specialists with credentials, encounters, supervision sessions,
// BARC-10 and PHQ-9 scores), continuing education from a CSV file, findings and shares asserted exactly.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import {
  barc10,
  phq9,
  scoreObservationToFhir,
  supervisionSessionToFhir,
  type InstrumentDefinition,
  type InstrumentResponse,
  type Organization,
  type Participant,
  type PeerEncounter,
  type PeerSpecialist,
  type SupervisionSession,
} from '@peer-fhir/core';
import { npiCheckDigit, startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { runCli } from './support.js';

const npi = (nine: string): string => `${nine}${npiCheckDigit(nine)}`;
const ORG = '1234567893';
const PEER_A = npi('145000001'); // in good standing
const PEER_B = npi('145000002'); // credential expired 2025-02-15, still served on 2025-03-05
const PEER_C = npi('145000003'); // no supervision in February, no CE
const SUPERVISOR = npi('167000009');
const SECRET_TOPIC = 'Zanzibarcaseload';

const agency: Organization = {
  name: 'Harbor Peer Agency', npi: ORG, taxId: '123456789', taxonomy: '251S00000X',
  address: { line: ['1 Main St'], city: 'Austin', state: 'TX', postalCode: '787011234' }, phone: '5125550100',
} as Organization;

const credential = (n: string, issued: string, expires: string) => ({ kind: 'CPS', state: 'TX', number: n, issuer: 'Texas Certification Board', issued, expires, endorsements: [] });
const specialist = (npiValue: string, given: string, credentials: PeerSpecialist['credentials']): PeerSpecialist => ({ npi: npiValue, name: { family: 'Peer', given: [given] }, credentials, organizationNpi: ORG });
const specialists = [
  specialist(PEER_A, 'Ana', [credential('TX-A1', '2024-01-01', '2026-12-31')]),
  specialist(PEER_B, 'Ben', [credential('TX-B1', '2023-02-15', '2025-02-15')]),
  specialist(PEER_C, 'Cy', [credential('TX-C1', '2024-06-01', '2027-05-31')]),
];
const participant = (id: string): Participant => ({ id, name: { family: `Family${id.slice(2)}`, given: ['Pat'] }, birthDate: '1985-04-02', gender: 'unknown', coverages: [] });
const participants = ['p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6'].map(participant);

function encounter(id: string, specialistNpi: string, day: string, participantId: string, program: PeerEncounter['program']): PeerEncounter {
  return {
    id, mode: 'individual', attendees: [{ participantId, diagnoses: [], goalIds: [] }], status: 'finished', specialistNpi, organizationNpi: ORG,
    start: `${day}T10:00:00-06:00`, end: `${day}T11:00:00-06:00`, modality: 'in-person', setting: 'community', program,
    supportTypes: [], activities: [], placeOfService: '99', serviceCode: 'H0038', part2: false,
  } as PeerEncounter;
}
// Caseload 2 each, 3 h / 2 h / 2 h of service: nobody above 1.5 x the median.
const encounters = [
  encounter('e-1', PEER_A, '2025-01-08', 'p-1', 'substance-use'),
  encounter('e-2', PEER_A, '2025-02-11', 'p-2', 'substance-use'),
  encounter('e-3', PEER_A, '2025-03-12', 'p-1', 'substance-use'),
  encounter('e-4', PEER_B, '2025-01-20', 'p-3', 'mental-health'),
  encounter('e-5', PEER_B, '2025-03-05', 'p-4', 'mental-health'),
  encounter('e-6', PEER_C, '2025-01-14', 'p-5', 'co-occurring'),
  encounter('e-7', PEER_C, '2025-02-18', 'p-6', 'co-occurring'),
];

const session = (id: string, date: string, peerNpis: string[]): SupervisionSession => ({
  id, supervisorNpi: SUPERVISOR, peerNpis, date, minutes: 60, mode: peerNpis.length > 1 ? 'group' : 'individual', modality: 'in-person', topics: ['boundaries'], organizationNpi: ORG,
});
const sessions = [
  session('sup-1', '2025-01-09', [PEER_A]),
  session('sup-2', '2025-02-10', [PEER_A]),
  session('sup-3', '2025-01-21', [PEER_B]),
  session('sup-4', '2025-02-12', [PEER_B]),
  session('sup-5', '2025-03-10', [PEER_A, PEER_B]), // group: counts in full for both
  session('sup-6', '2025-01-15', [PEER_C]), // and none for C in February
];

/** Answers adding up to `total`: every item starts at the lowest value and is filled up to the highest in turn. */
function answersFor(def: InstrumentDefinition, total: number): Record<string, number> {
  const values = def.answers.map((a) => a.value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  let left = total - lo * def.items.length;
  return Object.fromEntries(def.items.map((item) => {
    const v = Math.min(hi, lo + left);
    left -= v - lo;
    return [item.linkId, v];
  }));
}
const response = (def: InstrumentDefinition, participantId: string, day: string, total: number): InstrumentResponse => ({
  id: `${def.id}-${participantId}-${day}`, instrumentId: def.id, participantId, authored: `${day}T09:00:00-06:00`, answers: answersFor(def, total),
});
// BARC-10 (higher is better): substance-use p-1 rose, p-2 unchanged; mental-health p-3 fell, p-4 rose;
// co-occurring p-5 once only, p-6 rose.
const barcResponses = [
  ['p-1', 30, 40], ['p-2', 35, 35], ['p-3', 40, 32], ['p-4', 20, 45], ['p-5', 28, undefined], ['p-6', 25, 30],
].flatMap(([id, first, latest]) => [
  response(barc10, id as string, '2025-01-15', first as number),
  ...(latest === undefined ? [] : [response(barc10, id as string, '2025-03-20', latest as number)]),
]);
// PHQ-9 (lower is better): p-1 and p-4 fell (improved), p-3 rose (worsened).
const phqResponses = [['p-1', 15, 8], ['p-3', 5, 10], ['p-4', 12, 6]].flatMap(([id, first, latest]) => [
  response(phq9, id as string, '2025-01-16', first as number),
  response(phq9, id as string, '2025-03-21', latest as number),
]);

const conditionalCreate = (resource: FhirResource & { identifier?: { system?: string; value?: string }[] }) => {
  const id = resource.identifier?.[0];
  return { resource, request: { method: 'POST' as const, url: resource.resourceType, ifNoneExist: `identifier=${encodeURIComponent(id?.system ?? '')}|${encodeURIComponent(id?.value ?? '')}` } };
};

let server: EmbeddedFhirServer;
let dir: string;
let ceCsv: string;

beforeAll(async () => {
  server = await startFhirServer();
  dir = mkdtempSync(join(tmpdir(), 'peer-fhir-report-'));
  const client = new PeerFhirClient({ baseUrl: server.url });
  const peer = new PeerClient(client, { agency: ORG });
  await peer.recordEncounters(encounters, { participants, specialists, organizations: [agency] });
  // Supervision sessions and score Observations, each a conditional create in one transaction. The scores are written
  // with core's scoreObservationToFhir rather than instrumentResponseBundle: the embedded server's identifier index
  // (testing/src/server/indexed-repository.ts) expects Identifier[] and rejects QuestionnaireResponse.identifier (0..1).
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [...sessions.map((s) => conditionalCreate(supervisionSessionToFhir(s, { agency: ORG }))), ...[...barcResponses, ...phqResponses].map((r) => conditionalCreate(scoreObservationToFhir(r, { agency: ORG })))],
  };
  await client.transaction(bundle);
  ceCsv = join(dir, 'ce.csv');
  writeFileSync(ceCsv, ['id,peer_npi,date,hours,topic', `ce-1,${PEER_A},2025-02-01,2,Ethics`, `ce-2,${PEER_B},2025-01-25,1.5,Trauma-informed care`, `ce-3,${PEER_A},2024-11-01,6,Before the period`].join('\n'));
}, 180_000);

afterAll(async () => {
  await server?.close();
});

const compliance = (...extra: string[]) => runCli(['report', 'compliance', '--period', '2025-01..2025-03', '--organization-npi', ORG, '--fhir-url', server.url, ...extra]);

describe('peer-fhir report compliance', () => {
  it('finds the expired credential, the service after expiry, the missed supervision month and the CE shortfall, and exits 1', async () => {
    const r = await compliance('--ce', ceCsv, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.period).toEqual({ start: '2025-01-01', end: '2025-03-31' });
    expect(report.read).toEqual({ specialists: 3, encounters: 7, supervisionSessions: 6, continuingEducation: 3, continuingEducationStored: 0, continuingEducationFromFile: 3, unreadableSupervision: 0, unreadableContinuingEducation: 0 });
    expect(report.findings.map((f: { peerNpi: string; kind: string }) => [f.peerNpi, f.kind])).toEqual([
      [PEER_B, 'credential-expired'],
      [PEER_B, 'service-without-credential'],
      [PEER_C, 'under-supervised'],
      [PEER_C, 'ce-short'],
    ]);
    const byKind = Object.fromEntries(report.findings.map((f: { kind: string }) => [f.kind, f]));
    expect(byKind['credential-expired']).toMatchObject({ credentialNumber: 'TX-B1', expired: '2025-02-15' });
    expect(byKind['service-without-credential']).toMatchObject({ encounterIds: ['e-5'], firstDate: '2025-03-05', lastDate: '2025-03-05' });
    expect(byKind['under-supervised']).toMatchObject({ month: '2025-02', hours: 0, requiredHours: 1 });
    // 10 h per 24 months, pro-rated to 3 months = 1.25 h.
    expect(byKind['ce-short']).toMatchObject({ hours: 0, requiredHours: 1.25 });
    const peers = Object.fromEntries(report.peers.map((p: { npi: string }) => [p.npi, p]));
    expect(peers[PEER_A]).toMatchObject({ caseload: 2, encounters: 3, serviceHours: 3, supervisionHours: 3, ceHours: 2 });
    expect(peers[PEER_B]).toMatchObject({ caseload: 2, encounters: 2, supervisionHours: 3, ceHours: 1.5, validCredentials: [] });
    expect(peers[PEER_C]).toMatchObject({ supervisionHours: 1, ceHours: 0 });
    expect(report.requirements).toEqual({ credentialExpiryWarningDays: 60, supervisionHoursPerMonth: 1, ceHoursPerRenewalPeriod: 10, renewalPeriodMonths: 24, overloadFactor: 1.5 });
  });

  it('prints the Markdown and writes it with a JSON next to it for --out', async () => {
    const out = join(dir, 'q1-compliance.md');
    const r = await compliance('--ce', ceCsv, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('# Workforce compliance: Harbor Peer Agency');
    expect(r.stdout).toContain('4 finding(s).');
    expect(r.stdout).toContain(`Peer ${PEER_C} had 0 h of supervision in 2025-02; 1 h required.`);
    expect(readFileSync(out, 'utf8')).toContain('## Expired credentials (1)');
    expect(JSON.parse(readFileSync(join(dir, 'q1-compliance.json'), 'utf8')).counts['service-without-credential']).toBe(1);
  });

  it('applies a requirements file over the defaults: null turns a rule off, a value replaces it', async () => {
    const req = join(dir, 'req.json');
    writeFileSync(req, JSON.stringify({ ceHoursPerRenewalPeriod: null, supervisionHoursPerMonth: 2 }));
    const r = await compliance('--ce', ceCsv, '--requirements', req, '--json');
    const report = JSON.parse(r.stdout);
    expect(report.counts['ce-short']).toBe(0);
    // 2 h a month, only in months with services: A served every month with 1 h each, B in January and March (1 h
    // each), C in January (1 h) and February (none).
    expect(report.findings.filter((f: { kind: string }) => f.kind === 'under-supervised').map((f: { peerNpi: string; month: string }) => `${f.peerNpi} ${f.month}`).sort()).toEqual(
      [`${PEER_A} 2025-01`, `${PEER_A} 2025-02`, `${PEER_A} 2025-03`, `${PEER_B} 2025-01`, `${PEER_B} 2025-03`, `${PEER_C} 2025-01`, `${PEER_C} 2025-02`].sort(),
    );
  });

  it('exits 0 when nothing is found', async () => {
    const req = join(dir, 'lenient.json');
    // In January everyone was supervised and B's credential (to 2025-02-15) is outside a 10-day warning window.
    writeFileSync(req, JSON.stringify({ credentialExpiryWarningDays: 10, ceHoursPerRenewalPeriod: null }));
    const r = await runCli(['report', 'compliance', '--period', '2025-01', '--organization-npi', ORG, '--fhir-url', server.url, '--requirements', req, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
  });

  it('exits 2 on a bad requirements file, naming each problem by path', async () => {
    const req = join(dir, 'bad.json');
    writeFileSync(req, JSON.stringify({ overloadFactor: 0.5, supervisonHoursPerMonth: 2, supervisionPerServiceHours: { hours: -1, per: 20 } }));
    const r = await compliance('--requirements', req);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has 3 problem(s)');
    expect(r.stderr).toContain('overloadFactor:');
    expect(r.stderr).toContain('supervisionPerServiceHours.hours:');
    expect(r.stderr).toContain('supervisonHoursPerMonth');
  });

  it('exits 2 on a bad CE row, naming row and field but not the value', async () => {
    const ce = join(dir, 'bad-ce.csv');
    writeFileSync(ce, ['id,peer_npi,date,hours,topic', `ce-1,${PEER_A},2025-02-01,2,Ethics`, `ce-2,1234567890,2025-02-30,0,${SECRET_TOPIC}`].join('\n'));
    const r = await compliance('--ce', ce);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('row 3: peerNpi:');
    expect(r.stderr).toContain('row 3: hours:');
    expect(r.stderr + r.stdout).not.toContain('1234567890');
    expect(r.stderr + r.stdout).not.toContain(SECRET_TOPIC);
  });

  it('exits 2 without a period or with a malformed one', async () => {
    expect((await runCli(['report', 'compliance', '--fhir-url', server.url])).stderr).toContain('--period');
    const r = await runCli(['report', 'compliance', '--period', '2025-03..2025-01', '--fhir-url', server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--period ends before it starts');
  });
});

interface ProgramLine { program: string; scored: number; assessed: number; singleAssessment: number; rose: number; fell: number; unchanged: number; shareRose: number; shareImproved: number }

describe('peer-fhir report outcomes', () => {
  it('reports each participant\'s trend and, per program, the share whose BARC-10 rose', async () => {
    const r = await runCli(['report', 'outcomes', '--organization-npi', ORG, '--instrument', 'barc-10', '--fhir-url', server.url, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.observations).toEqual({ read: 11, skipped: 0 });
    const lines = Object.fromEntries((report.programs as ProgramLine[]).map((p) => [p.program, p]));
    expect(lines['substance-use']).toMatchObject({ scored: 2, assessed: 2, rose: 1, unchanged: 1, shareRose: 0.5, shareImproved: 0.5 });
    expect(lines['mental-health']).toMatchObject({ scored: 2, assessed: 2, rose: 1, fell: 1, shareRose: 0.5, shareImproved: 0.5 });
    expect(lines['co-occurring']).toMatchObject({ scored: 2, assessed: 1, singleAssessment: 1, rose: 1, shareRose: 1, shareImproved: 1 });
    expect(lines['all']).toMatchObject({ scored: 6, assessed: 5, singleAssessment: 1, rose: 3, fell: 1, unchanged: 1, shareRose: 0.6, shareImproved: 0.6 });
    expect(report.participants.map((t: { participantId: string; change: number }) => [t.participantId, t.change])).toEqual([
      ['p-1', 10], ['p-2', 0], ['p-3', -8], ['p-4', 25], ['p-5', 0], ['p-6', 5],
    ]);
  });

  it('counts a falling PHQ-9 as improved', async () => {
    const r = await runCli(['report', 'outcomes', '--organization-npi', ORG, '--instrument', 'phq-9', '--fhir-url', server.url, '--json']);
    const all = (JSON.parse(r.stdout).programs as ProgramLine[]).find((p) => p.program === 'all')!;
    expect(all).toMatchObject({ assessed: 3, rose: 1, fell: 2, shareRose: 1 / 3, shareImproved: 2 / 3 });
  });

  it('restricts to one program and prints a table, writing Markdown and JSON for --out', async () => {
    const out = join(dir, 'sud.md');
    const r = await runCli(['report', 'outcomes', '--organization-npi', ORG, '--instrument', 'barc-10', '--program', 'substance-use', '--from', '2025-01-01', '--to', '2025-03-31', '--fhir-url', server.url, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| substance-use | 2 | 2 | 1 | 0 | 1 | 50% | 50% | +5 |');
    expect(r.stdout).toContain('| p-1 | 2 | 30 (2025-01-15) | 40 (2025-03-20) | +10 | improved |');
    expect(r.stdout).not.toContain('| p-3 ');
    const json = JSON.parse(readFileSync(join(dir, 'sud.json'), 'utf8'));
    expect(json.participants.map((t: { participantId: string }) => t.participantId)).toEqual(['p-1', 'p-2']);
    expect(readFileSync(out, 'utf8')).toContain('# Outcomes: ');
  });

  it('leaves out assessments outside --from/--to', async () => {
    const r = await runCli(['report', 'outcomes', '--organization-npi', ORG, '--instrument', 'barc-10', '--period', '2025-01', '--fhir-url', server.url, '--json']);
    const all = (JSON.parse(r.stdout).programs as ProgramLine[]).find((p) => p.program === 'all')!;
    expect(all).toMatchObject({ scored: 6, assessed: 0, singleAssessment: 6, shareRose: 0 });
  });

  it('exits 2 on an unknown instrument', async () => {
    const r = await runCli(['report', 'outcomes', '--organization-npi', ORG, '--instrument', 'gad-7', '--fhir-url', server.url]);
    expect(r.code).toBe(2);
  });
});

describe('help', () => {
  it.each(['compliance', 'outcomes'])('peer-fhir report %s --help shows usage and examples', async (cmd) => {
    const r = await runCli(['report', cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: peer-fhir report ${cmd}`);
    expect(r.stdout).toContain('Examples:');
  });
});
