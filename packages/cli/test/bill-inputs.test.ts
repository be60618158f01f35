/**
 * `peer-fhir bill` reads the agency's service orders, prior authorizations and already-billed units from the server
 * (issue 14, acceptance 4). Expectations come from the packs' rules: NC CCP 8G needs a service order signed on or
 * before the date of service; Texas Medicaid needs a prior authorization beyond its rolling six-month unit threshold,
 * sent as 837P 2300 REF*G1. Orders and authorizations are written with the billing mappers through the client.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { identifierSystems, type Participant, type PeerEncounter } from '@peer-fhir/core';
import { getPack, priorAuthorizationToFhir, serviceOrderToFhir } from '@peer-fhir/billing';
import { generateAgency, startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { parseConfig } from '../src/config.js';
import { CliUsageError } from '../src/errors.js';
import { runBill, runImport, type BillReport } from '../src/index.js';
import type { CommandIo } from '../src/internal/io.js';
import { configFor } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-bill-inputs-'));
const io = (): CommandIo => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink, stderr: sink, json: true, env: {}, cwd: dir };
};
let server: EmbeddedFhirServer;
let client: PeerFhirClient;

/** One participant of a synthetic agency, covered all year and with an address (2010BA N3/N4). */
function rosterOf(state: 'NC' | 'TX', seed: number) {
  const agency = generateAgency({ seed, months: 2, participants: 1, state, start: '2025-01-01', encountersPerParticipantPerMonth: 4 });
  const base = agency.participants[0] as Participant;
  const coverage = { ...(base.coverages[0] as Participant['coverages'][number]), period: { start: '2024-01-01' } };
  const participant: Participant = { ...base, birthDate: '1980-04-02', coverages: [coverage], address: { line: ['1 Main St'], city: 'Raleigh', state, postalCode: '27601' } };
  return { agency, participant, specialist: agency.specialists[0]!, config: parseConfig(configFor(agency)) };
}

/** A finished one-hour individual encounter (4 fifteen-minute units) on `date`. */
function encounter(r: ReturnType<typeof rosterOf>, id: string, date: string): PeerEncounter {
  const { supervisorNpi: _other, ...template } = r.agency.encounters[0] as PeerEncounter;
  return {
    ...template,
    ...(r.specialist.supervisor ? { supervisorNpi: r.specialist.supervisor.npi } : {}),
    id,
    status: 'finished',
    mode: 'individual',
    modality: 'in-person',
    placeOfService: '11',
    part2: false,
    program: 'mental-health',
    specialistNpi: r.specialist.npi,
    start: `${date}T10:00:00-05:00`,
    end: `${date}T11:00:00-05:00`,
    attendees: [{ ...(template.attendees[0] as PeerEncounter['attendees'][number]), participantId: r.participant.id }],
  };
}

async function record(r: ReturnType<typeof rosterOf>, encounters: PeerEncounter[]): Promise<void> {
  const peer = new PeerClient(client, { agency: r.agency.organization.npi });
  await peer.recordEncounters(encounters, { participants: [r.participant], specialists: [r.specialist], organizations: [r.agency.organization] });
}

async function patientRef(r: ReturnType<typeof rosterOf>): Promise<string> {
  const system = identifierSystems({ agency: r.agency.organization.npi }).participant;
  const found = await client.search('Patient', { identifier: `${system}|${r.participant.id}` });
  return `Patient/${found.entry?.[0]?.resource?.id ?? ''}`;
}

function packFile(name: string, pack: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(pack));
  return path;
}

const bill = async (r: ReturnType<typeof rosterOf>, pack: string, period: string, out: string) =>
  runBill({ pack, period, out: join(dir, out), configValue: r.config, fhirUrl: server.url, date: new Date('2025-08-01T12:00:00Z') }, io());

/** The NC seed pack without its recovery-plan requirement (this test stores no plans; the order is what it checks). */
function ncPack(id: string) {
  const base = getPack('nc-alliance-peer-support-2019');
  const { plan: _plan, ...artefacts } = base.artefacts;
  return { ...base, id, artefacts };
}

const holds = (report: BillReport, code: string) => report.held.filter((h) => h.reasons.some((x) => x.code === code)).map((h) => h.encounterId).sort();

beforeAll(async () => {
  server = await startFhirServer();
  client = new PeerFhirClient({ baseUrl: server.url });
}, 180_000);
afterAll(async () => {
  await server?.close();
});

describe('bill reads service orders from the server (NC CCP 8G)', () => {
  it('holds PB-SERVICE-ORDER before an order is stored and bills the same encounters after one is', async () => {
    const nc = rosterOf('NC', 21);
    const pack = packFile('my-nc-pack.json', ncPack('my-nc-pack'));
    await record(nc, [encounter(nc, 'nc-1', '2025-01-10'), encounter(nc, 'nc-2', '2025-01-20')]);

    const before = await bill(nc, pack, '2025-01', 'nc-before.x12');
    expect(holds(before.report, 'PB-SERVICE-ORDER')).toEqual(['nc-1', 'nc-2']);
    expect(before.report.loaded?.serviceOrders).toBe(0);

    const order = { id: 'so-1', participantId: nc.participant.id, signedDate: '2025-01-05', signerNpi: nc.specialist.supervisor!.npi, codes: ['H0038'] };
    const patient = await patientRef(nc);
    await client.create(serviceOrderToFhir(order, { agency: nc.agency.organization.npi, existing: () => patient }));

    const after = await bill(nc, pack, '2025-01', 'nc-after.x12');
    expect(after.report.loaded?.serviceOrders).toBe(1);
    expect(holds(after.report, 'PB-SERVICE-ORDER')).toEqual([]);
    expect(after.report.held, JSON.stringify(after.report.held)).toEqual([]);
    expect(after.report.lines).toBe(2);
  });

  it("ignores another agency's service order for the same participant id", async () => {
    const nc = rosterOf('NC', 22);
    const other = rosterOf('NC', 23);
    const pack = packFile('my-nc-pack-2.json', ncPack('my-nc-pack-2'));
    await record(nc, [encounter(nc, 'nc-x', '2025-02-10')]);
    const patient = await patientRef(nc);
    // Written under the other agency's identifier system, pointing at this agency's Patient
    await client.create(serviceOrderToFhir({ id: 'so-x', participantId: nc.participant.id, signedDate: '2025-01-05' }, { agency: other.agency.organization.npi, existing: () => patient }));
    const r = await bill(nc, pack, '2025-02', 'nc-other.x12');
    expect(holds(r.report, 'PB-SERVICE-ORDER')).toEqual(['nc-x']);
  });
});

describe('bill counts billed units across months and draws on stored prior authorizations (TX rolling cap)', () => {
  it('holds PB-PRIOR-AUTH in the month units cross the rolling threshold, then bills them with REF*G1 once an authorization is stored', async () => {
    const tx = rosterOf('TX', 31);
    const base = getPack('tx-medicaid-peer-specialist-2019');
    // The seed pack's 104 units per rolling six months, lowered to 12 so two months of weekly hours cross it
    const pack = packFile('my-tx-pack.json', { ...base, id: 'my-tx-pack', caps: base.caps.map((c) => ({ ...c, maxUnits: 12 })) });
    await record(tx, [encounter(tx, 'tx-1', '2025-01-08'), encounter(tx, 'tx-2', '2025-01-22'), encounter(tx, 'tx-3', '2025-02-05'), encounter(tx, 'tx-4', '2025-02-19')]);

    const jan = await bill(tx, pack, '2025-01', 'tx-jan.x12');
    expect(jan.report.held, JSON.stringify(jan.report.held)).toEqual([]);
    expect(jan.report.totals.billedUnits).toBe(8);

    // February: January's 8 billed units count, so tx-3 fills the threshold (12) and tx-4 crosses it
    const feb = await bill(tx, pack, '2025-02', 'tx-feb.x12');
    expect(feb.report.loaded?.billedLines).toBe(2);
    expect(holds(feb.report, 'PB-PRIOR-AUTH')).toEqual(['tx-4']);
    expect(feb.report.totals.billedUnits).toBe(4);
    expect(readFileSync(join(dir, 'tx-feb.x12'), 'utf8')).not.toMatch(/^REF\*G1\*/m);

    const patient = await patientRef(tx);
    const auth = { id: 'pa-1', participantId: tx.participant.id, code: 'H0038', period: { start: '2025-02-01', end: '2025-07-31' }, units: 20, unitsUsed: 0, reference: 'AUTH0001' };
    await client.create(priorAuthorizationToFhir(auth, { agency: tx.agency.organization.npi, existing: () => patient }));

    // Issue 12: tx-3 went out on February's first claim and is never billed again as an original; tx-4 now bills,
    // on a claim of its own
    const again = await bill(tx, pack, '2025-02', 'tx-feb-auth.x12');
    expect(again.report.loaded?.priorAuthorizations).toBe(1);
    expect(again.report.held).toEqual([]);
    expect(again.report.corrections?.alreadyBilled).toBe(1);
    expect(again.report.totals.billedUnits).toBe(4);
    // 837P 2300 REF*G1: the prior authorization number, once per claim
    expect(readFileSync(join(dir, 'tx-feb-auth.x12'), 'utf8').match(/^REF\*G1\*AUTH0001~$/gm)).toHaveLength(1);
  });
});

describe('billing roles and SBR09 follow the pack (837P 2310B, 2310D, SBR09)', () => {
  const segments = (file: string) => readFileSync(join(dir, file), 'utf8').split(/~\s*/).filter(Boolean);
  const txWith = (id: string, billingRoles: object) => packFile(`${id}.json`, { ...getPack('tx-medicaid-peer-specialist-2019'), id, billingRoles });
  const source = { url: 'https://example.org/payer-manual', title: 'Payer manual', confirmed: false };

  it('names the peer as rendering and the supervisor as supervising, SBR09 MC, when the pack says the peer renders', async () => {
    const tx = rosterOf('TX', 41);
    await record(tx, [encounter(tx, 'roles-1', '2025-03-04')]);
    const r = await bill(tx, txWith('peer-renders', { rendering: 'peer', supervising: 'supervisor', claimFilingIndicator: 'MC', source }), '2025-03', 'peer-renders.x12');
    expect(r.report.lines).toBe(1);
    const segs = segments('peer-renders.x12');
    expect(segs.filter((s) => s.startsWith('NM1*82*'))).toEqual([expect.stringMatching(new RegExp(`\\*XX\\*${tx.specialist.npi}$`))]);
    expect(segs).toContain('PRV*PE*PXC*175T00000X');
    expect(segs.filter((s) => s.startsWith('NM1*DQ*'))).toEqual([expect.stringMatching(new RegExp(`\\*XX\\*${tx.specialist.supervisor!.npi}$`))]);
    expect(segs.find((s) => s.startsWith('SBR*'))?.split('*')[9]).toBe('MC');
  });

  it('bills under the supervisor (incident-to): the supervisor renders, no 2310D, the peer is not on the 837P, SBR09 MB', async () => {
    const tx = rosterOf('TX', 42);
    await record(tx, [encounter(tx, 'roles-2', '2025-03-05')]);
    const r = await bill(tx, txWith('incident-to', { rendering: 'supervisor', supervising: 'none', claimFilingIndicator: 'MB', source }), '2025-03', 'incident-to.x12');
    expect(r.report.lines).toBe(1);
    const segs = segments('incident-to.x12');
    expect(segs.filter((s) => s.startsWith('NM1*82*'))).toEqual([expect.stringMatching(new RegExp(`\\*XX\\*${tx.specialist.supervisor!.npi}$`))]);
    expect(segs.some((s) => s.startsWith('NM1*DQ*'))).toBe(false);
    expect(segs.some((s) => s.includes(tx.specialist.npi))).toBe(false);
    expect(segs.find((s) => s.startsWith('SBR*'))?.split('*')[9]).toBe('MB');
    // The FHIR Claim keeps the peer as an assisting care-team member
    const roles = r.claims[0]?.careTeam?.map((m) => m.role?.coding?.[0]?.code);
    expect(roles).toEqual(['primary', 'assist']);
    // No taxonomy known for the supervisor: no 2310B PRV (situational), never the peer's 175T00000X
    expect(segs.some((s) => s.startsWith('PRV*PE*'))).toBe(false);
  });

  it("writes the rendering supervisor's taxonomy from the config's supervisors as 2310B PRV*PE*PXC", async () => {
    const tx = rosterOf('TX', 43);
    await record(tx, [encounter(tx, 'roles-3', '2025-03-06')]);
    const configValue = parseConfig({ ...configFor(tx.agency), supervisors: [{ npi: tx.specialist.supervisor!.npi, taxonomy: '1041C0700X' }] });
    const pack = txWith('incident-to-tax', { rendering: 'supervisor', supervising: 'none', claimFilingIndicator: 'MB', source });
    await runBill({ pack, period: '2025-03', out: join(dir, 'incident-to-tax.x12'), configValue, fhirUrl: server.url, date: new Date('2025-08-01T12:00:00Z') }, io());
    const segs = segments('incident-to-tax.x12');
    const at = segs.findIndex((s) => s.startsWith('NM1*82*'));
    expect(segs[at]).toMatch(new RegExp(`\\*XX\\*${tx.specialist.supervisor!.npi}$`));
    expect(segs[at + 1]).toBe('PRV*PE*PXC*1041C0700X');
  });

  it('refuses a config whose supervisor taxonomy is not a NUCC code, naming the position only', () => {
    const npi = rosterOf('TX', 44).specialist.supervisor!.npi;
    const bad = () => parseConfig({ ...configFor(rosterOf('TX', 44).agency), supervisors: [{ npi, taxonomy: 'LCSW~PRV' }] });
    expect(bad).toThrow(CliUsageError);
    try {
      bad();
    } catch (e) {
      expect((e as CliUsageError).problems).toEqual(['supervisors.0.taxonomy: must be a 10-character NUCC taxonomy code ending in X']);
      expect([(e as CliUsageError).message, ...(e as CliUsageError).problems].join(' ')).not.toContain(npi);
    }
  });
});

// Issue 14: a CLI-only agency stores its service orders and prior authorizations with `peer-fhir import` (kinds told
// by their header's id column or by --kind), and `bill` releases the lines those records allow.
describe('orders and authorizations imported with peer-fhir import release held lines', () => {
  const importFile = (r: ReturnType<typeof rosterOf>, name: string, text: string, kind?: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return runImport([path], { fhirUrl: server.url, configValue: r.config, ...(kind ? { kind } : {}) }, io());
  };

  it('NC: PB-SERVICE-ORDER holds until a service-orders CSV is imported; the same file again stores nothing; bad rows are rejected by column', async () => {
    const nc = rosterOf('NC', 24);
    const pack = packFile('cli-nc-pack.json', ncPack('cli-nc-pack'));
    await record(nc, [encounter(nc, 'nci-1', '2025-03-10'), encounter(nc, 'nci-2', '2025-03-20')]);
    expect(holds((await bill(nc, pack, '2025-03', 'nci-before.x12')).report, 'PB-SERVICE-ORDER')).toEqual(['nci-1', 'nci-2']);

    const csv = [
      'order_id,participant_id,signed_date,signer_npi,codes,expires',
      `so-cli-1,${nc.participant.id},2025-03-01,${nc.specialist.supervisor!.npi},H0038,`,
      'so-cli-2,no-such-participant,2025-03-01,,,',
      `so-cli-3,${nc.participant.id},2025-02-30,,,`,
    ].join('\n');
    const first = await importFile(nc, 'orders.csv', `${csv}\n`);
    expect(first.kinds.map((k) => k.kind)).toEqual(['service-orders']);
    expect(first).toMatchObject({ created: 1, rejected: 2 });
    expect(first.rejectedRows.map((r) => [r.row, r.reasons[0]!.split(':')[0]]).sort()).toEqual([[3, 'participant_id'], [4, 'signed_date']]); // rows numbered as file lines (the header is line 1)
    const again = await importFile(nc, 'orders.csv', `${csv}\n`);
    expect(again).toMatchObject({ created: 0, unchanged: 1, rejected: 2 });
    // Another order under a used id is a conflict: nothing is written over the stored one.
    const changed = await importFile(nc, 'orders-changed.csv', `${csv.split('\n')[0]}\nso-cli-1,${nc.participant.id},2025-03-02,,,\n`);
    expect(changed).toMatchObject({ created: 0, conflict: 1 });

    const after = await bill(nc, pack, '2025-03', 'nci-after.x12');
    expect(after.report.loaded?.serviceOrders).toBe(1);
    expect(after.report.held, JSON.stringify(after.report.held)).toEqual([]);
    expect(after.report.lines).toBe(2);
  });

  it('TX: units past the rolling threshold are held PB-PRIOR-AUTH until a prior-authorizations NDJSON is imported, then billed with REF*G1', async () => {
    const tx = rosterOf('TX', 33);
    const base = getPack('tx-medicaid-peer-specialist-2019');
    const pack = packFile('cli-tx-pack.json', { ...base, id: 'cli-tx-pack', caps: base.caps.map((c) => ({ ...c, maxUnits: 12 })) });
    await record(tx, [encounter(tx, 'txi-1', '2025-01-08'), encounter(tx, 'txi-2', '2025-01-22'), encounter(tx, 'txi-3', '2025-02-05'), encounter(tx, 'txi-4', '2025-02-19')]);
    expect((await bill(tx, pack, '2025-01', 'txi-jan.x12')).report.held).toEqual([]);
    expect(holds((await bill(tx, pack, '2025-02', 'txi-feb.x12')).report, 'PB-PRIOR-AUTH')).toEqual(['txi-4']);

    const auth = { authorization_id: 'pa-cli-1', participant_id: tx.participant.id, code: 'H0038', period_start: '2025-02-01', period_end: '2025-07-31', units: '20', authorization_number: 'AUTHCLI01' };
    const imported = await importFile(tx, 'auths.ndjson', `${JSON.stringify(auth)}\n`, 'prior-authorizations');
    expect(imported).toMatchObject({ created: 1, rejected: 0 });

    const again = await bill(tx, pack, '2025-02', 'txi-feb-auth.x12');
    expect(again.report.loaded?.priorAuthorizations).toBe(1);
    expect(again.report.held).toEqual([]);
    expect(readFileSync(join(dir, 'txi-feb-auth.x12'), 'utf8').match(/^REF\*G1\*AUTHCLI01~$/gm)).toHaveLength(1);
  });
});
