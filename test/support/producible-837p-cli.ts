/**
 * The 837Ps the project writes outside the seed-pack path, for the TR3 suite (test/e2e/tr3-837p.test.ts):
 * - the demo's (`peer-fhir demo` in-process: embedded server, import, bill under the Texas pack);
 * - the examples' (examples/billing-run's `billMonth`, which examples/remittance bills with too);
 * - corrections by the real path: `peer-fhir bill` on the embedded server after the payer answered, one claim whose
 *   encounters were all entered in error (void, frequency 8) and one with an amended encounter (replacement, 7).
 * Each is kept small (a few participants, one month) so the suite stays fast.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { Claim, ClaimResponse } from 'fhir/r4.js';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { Systems } from '@peer-fhir/core';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { IMPORT_COLUMNS, parseConfig, runBill, runDemo, runImport, type CommandIo } from '../../packages/cli/src/index.js';
import { configFor, syntheticRows } from '../../packages/cli/test/support.js';
import type { Produced837P } from './producible-837p.js';

const root = resolve(import.meta.dirname, '../..');

function quietIo(cwd: string): CommandIo {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink, stderr: sink, json: true, env: {}, cwd };
}

/** What `peer-fhir demo` writes as its 837P (14 participants, as the HTML report fixture uses, not the default 40). */
export async function demoFile(): Promise<Produced837P> {
  const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-tr3-demo-'));
  const demo = await runDemo({ out: dir, participants: 12 }, { ...quietIo(dir), json: false });
  return { name: 'demo', text: readFileSync(demo.files.x12, 'utf8') };
}

/** The 837P of examples/billing-run (examples/remittance bills the same month with the same function). */
export async function exampleFiles(): Promise<Produced837P[]> {
  const url = pathToFileURL(join(root, 'examples/billing-run/bill.mjs')).href;
  const example = (await import(url)) as { billMonth: (o?: { packId?: string }) => { text837: string } };
  return [{ name: 'example billing-run / remittance', text: example.billMonth().text837 }];
}

/** RFC 4180 CSV, every cell quoted (the rows hold commas in addresses). */
const csvOf = (rows: readonly Record<string, string>[], columns: readonly string[]): string =>
  [columns, ...rows.map((r) => columns.map((c) => r[c] ?? ''))].map((cells) => cells.map((v) => `"${v.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';

const encounterOf = (item: NonNullable<Claim['item']>[number]): string => item.encounter?.[0]?.identifier?.value?.split(':')[0] ?? '';

/** The payer's 835 answer as `remit` stores it: a ClaimResponse per stored claim with the payer's claim number. */
async function payerAnswers(server: EmbeddedFhirServer): Promise<void> {
  const claims = (await server.repository.search('Claim')) as (Claim & { id: string })[];
  const repo = server.repository as unknown as { create(r: ClaimResponse): Promise<ClaimResponse> };
  for (const [i, c] of claims.entries()) {
    await repo.create({
      resourceType: 'ClaimResponse',
      identifier: [{ system: Systems.PAYER_CLAIM_CONTROL_NUMBER, value: `ICN${i + 1}` }],
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'claim',
      patient: c.patient,
      created: '2026-01-05',
      insurer: c.insurer ?? { display: 'payer' },
      request: { reference: `Claim/${c.id}` },
      outcome: 'complete',
    });
  }
}

/** Void every encounter of the claim with the fewest, amend one encounter of another claim (a longer session). */
async function correct(peer: PeerClient, claims: readonly Claim[], month: string): Promise<void> {
  const byEncounters = [...claims].sort((a, b) => new Set((a.item ?? []).map(encounterOf)).size - new Set((b.item ?? []).map(encounterOf)).size);
  const [voided, amended] = byEncounters;
  if (!voided || !amended) throw new Error('the correction producer needs two claims');
  for (const id of new Set((voided.item ?? []).map(encounterOf))) await peer.markEnteredInError(id, { reason: 'recorded twice in the EHR' });
  const target = encounterOf(amended.item![0]!);
  for await (const e of peer.findEncounters({ from: `${month}-01`, to: `${month}-31` })) {
    if (e.id !== target) continue;
    await peer.amendEncounter({ ...e, end: new Date(Date.parse(e.end) + 45 * 60_000).toISOString() }, { reason: 'sign-out sheet shows a longer session' });
  }
}

/** A replacement (7) and a void (8) written by `peer-fhir bill` after the payer answered the month's claims. */
export async function correctionFile(): Promise<Produced837P> {
  const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-tr3-corrections-'));
  const server = await startFhirServer();
  try {
    const { agency, rows } = syntheticRows(24, 31);
    const config = parseConfig(configFor(agency));
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, csvOf(rows, IMPORT_COLUMNS));
    await runImport([csv], { fhirUrl: server.url, configValue: config }, quietIo(dir));
    const month = rows[0]!['start']!.slice(0, 7);
    const bill = (n: number) => runBill({ period: month, out: join(dir, `run-${n}.x12`), configValue: config, fhirUrl: server.url, date: new Date(Date.UTC(2026, 0, n)) }, quietIo(dir));
    const first = await bill(1);
    await payerAnswers(server);
    await correct(new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: config.organization.npi }), first.claims, month);
    const second = await bill(2);
    return { name: 'corrections from peer-fhir bill (7 and 8)', text: readFileSync(second.report.files.x12, 'utf8') };
  } finally {
    await server.close();
  }
}
