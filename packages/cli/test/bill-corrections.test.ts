// (x12-parser keys composite components after the first as '5-1', '5-2': CLM05-3 is '5-2'.)
// Issue 12 acceptance 3 through the CLI: `bill` run twice for a month produces no second original; after an amendment
// exactly one replacement (CLM05-3 = 7) with REF*F8 = the payer's claim number, after a void one frequency-8 claim;
// before the payer's number is known the correction waits (counted, exit 1). The 837Ps pass the independent parser.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Claim, ClaimResponse } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { Systems } from '@peer-fhir/core';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { ExitCode, IMPORT_COLUMNS, parseConfig, runBill, runImport, type CommandIo } from '../src/index.js';
import { configFor, el, parseX12, syntheticRows } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-bill-corrections-'));
const io = (): CommandIo => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink, stderr: sink, json: true, env: {}, cwd: dir };
};
const { agency, rows } = syntheticRows(60, 31);
const config = parseConfig(configFor(agency));
let server: EmbeddedFhirServer;
let month = '';
let run = 0;
const bill = () => runBill({ period: month, out: join(dir, `run-${++run}.x12`), configValue: config, fhirUrl: server.url, date: new Date(Date.UTC(2026, 0, run)) }, io());
const peer = () => new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: config.organization.npi });

async function clm(file: string): Promise<{ frequency: string; f8: string | undefined }[]> {
  const segs = await parseX12(readFileSync(file, 'utf8'));
  const out: { frequency: string; f8: string | undefined }[] = [];
  segs.forEach((s, i) => {
    if (s.name !== 'CLM') return;
    const next = segs.slice(i + 1).findIndex((x) => x.name === 'CLM' || x.name === 'SE');
    const mine = segs.slice(i + 1, next < 0 ? undefined : i + 1 + next);
    out.push({ frequency: el(s, '5-2'), f8: mine.find((x) => x.name === 'REF' && el(x, 1) === 'F8') ? el(mine.find((x) => x.name === 'REF' && el(x, 1) === 'F8')!, 2) : undefined });
  });
  return out;
}

/** What `remit` stores from an 835: a ClaimResponse per claim naming it, with the payer's claim control number. */
async function payerAnswers(): Promise<void> {
  const claims = (await server.repository.search('Claim')) as (Claim & { id: string })[];
  for (const [i, c] of claims.entries()) {
    const response: ClaimResponse = {
      resourceType: 'ClaimResponse',
      identifier: [{ system: Systems.PAYER_CLAIM_CONTROL_NUMBER, value: `ICN${i + 1}` }],
      status: 'active', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'claim', patient: c.patient, created: '2026-01-05', insurer: c.insurer ?? { display: 'payer' }, request: { reference: `Claim/${c.id}` }, outcome: 'complete',
    };
    await (server.repository as unknown as { create(r: ClaimResponse): Promise<ClaimResponse> }).create(response);
  }
}

beforeAll(async () => {
  server = await startFhirServer();
  const path = join(dir, 'rows.csv');
  writeFileSync(path, stringify(rows, { header: true, columns: [...IMPORT_COLUMNS] }));
  expect((await runImport([path], { fhirUrl: server.url, configValue: config }, io())).rejected).toBe(0);
  month = rows[0]!['start']!.slice(0, 7);
}, 120_000);
afterAll(() => server?.close());

describe('bill follows corrections', () => {
  let first: Awaited<ReturnType<typeof bill>>;
  it('a second run for the month produces no original claim for what is already billed', async () => {
    first = await bill();
    expect(first.claims.length).toBeGreaterThan(0);
    expect((await clm(first.report.files.x12)).every((c) => c.frequency === '1')).toBe(true);
    const second = await bill();
    expect(second.claims).toEqual([]);
    expect(second.report.corrections).toMatchObject({ priorClaims: first.claims.length, replacements: 0, voids: 0, awaitingPayerClaimNumber: [] });
    expect(second.report.corrections?.alreadyBilled).toBe(first.report.totals.billed + first.report.totals.partial);
  });

  it('holds a correction as awaiting the payer claim number until the payer has answered (exit 1)', async () => {
    const billedEncounter = first.claims[0]!.item![0]!.encounter![0]!.identifier!.value!.split(':')[0]!;
    expect((await peer().markEnteredInError(billedEncounter, { reason: 'duplicate entry in the EHR' })).status).toBe('updated');
    const r = await bill();
    expect(r.claims).toEqual([]);
    expect(r.report.corrections?.awaitingPayerClaimNumber).toHaveLength(1);
    expect(r.exitCode).toBe(ExitCode.SOME_REJECTED);
  });

  it('after the 835, sends exactly one correction (7 or 8) with REF*F8 = the payer claim number', async () => {
    await payerAnswers();
    const r = await bill();
    expect(r.claims).toHaveLength(1);
    const [c] = await clm(r.report.files.x12);
    // A month's claim with other encounters left is replaced; one whose only encounter was voided is voided.
    expect(['7', '8']).toContain(c?.frequency);
    expect(c?.f8).toMatch(/^ICN\d+$/);
    expect(r.report.corrections).toMatchObject({ replacements: c?.frequency === '7' ? 1 : 0, voids: c?.frequency === '8' ? 1 : 0 });
    // Billing again sends nothing more: the correction stands.
    await payerAnswersFor(r.claims);
    expect((await bill()).claims).toEqual([]);
  });

  it('after an amendment (a longer session), sends exactly one replacement claim with REF*F8', async () => {
    const other = first.claims[1]!.item![0]!.encounter![0]!.identifier!.value!.split(':')[0]!;
    let enc;
    for await (const e of peer().findEncounters({ from: `${month}-01`, to: `${month}-31` })) if (e.id === other) enc = e;
    expect(enc).toBeDefined();
    const end = new Date(Date.parse(enc!.end) + 45 * 60_000).toISOString();
    expect((await peer().amendEncounter({ ...enc!, end }, { reason: 'sign-out sheet shows a longer session' })).status).toBe('updated');
    const r = await bill();
    expect(r.claims).toHaveLength(1);
    expect(await clm(r.report.files.x12)).toEqual([{ frequency: '7', f8: expect.stringMatching(/^ICN\d+$/) as unknown as string }]);
    expect(r.report.corrections).toMatchObject({ replacements: 1, voids: 0, awaitingPayerClaimNumber: [] });
  });
});

/** The payer answers the corrections too (their own claim numbers). */
async function payerAnswersFor(claims: readonly Claim[]): Promise<void> {
  const stored = (await server.repository.search('Claim')) as (Claim & { id: string })[];
  for (const c of claims) {
    const s = stored.find((x) => x.identifier?.[0]?.value === c.identifier?.[0]?.value);
    if (!s) continue;
    await (server.repository as unknown as { create(r: ClaimResponse): Promise<ClaimResponse> }).create({
      resourceType: 'ClaimResponse', identifier: [{ system: Systems.PAYER_CLAIM_CONTROL_NUMBER, value: `ICN-C${s.id.slice(0, 6)}` }],
      status: 'active', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'claim', patient: s.patient, created: '2026-01-09', insurer: s.insurer ?? { display: 'payer' }, request: { reference: `Claim/${s.id}` }, outcome: 'complete',
    });
  }
}

describe('bill output folder', () => {
  it('creates a missing --out folder before anything is disclosed, so every recorded disclosure has its 837P', async () => {
    const out = join(dir, 'not', 'yet', 'there.x12');
    const result = await runBill({ period: month, out, configValue: config, fhirUrl: server.url, date: new Date(Date.UTC(2026, 1, 1)) }, io());
    expect(result.claims.length === 0 || readFileSync(out, 'utf8').startsWith('ISA')).toBe(true);
    expect(readFileSync(result.report.files.reportJson, 'utf8')).toContain('"period"');
  });
});
