// Issue 11, acceptance 4, end to end against the embedded server: disclose twice, bill one month in which the
// participant has one claim carrying Part 2 data, then `report disclosures` lists exactly three disclosures (one
// AuditEvent per disclosed bundle, one per claim carrying Part 2 data) with recipient, purpose, consent and
// resource count, and nothing for a refused disclosure (42 CFR 2.24 / 2.25, 45 CFR 164.528).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Encounter } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { ConsentDirective, ConsentRequiredError } from '@peer-fhir/core';
import { billableAgency, generateAgency, startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { runBill, runDisclosuresReport } from '../src/index.js';
import type { CommandIo } from '../src/internal/io.js';
import { configFor } from './support.js';

const io = (): CommandIo => {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink(), stderr: sink(), json: false, env: {}, cwd: tmpdir() };
};

let server: EmbeddedFhirServer;
let peer: PeerClient;
const agency = billableAgency(generateAgency({ seed: 21, months: 1, participants: 4, state: 'TX', start: '2025-03-01' }));
// Every service is from a Part 2 program; every participant signs a single TPO consent (42 CFR 2.33).
const encounters = agency.encounters.map((e) => ({ ...e, part2: true }));
const consentOf = (participantId: string) =>
  ConsentDirective.parse({
    id: `c-${participantId}`, participantId, kind: 'part2-tpo', status: 'active', recipients: [],
    purposes: ['treatment', 'payment', 'operations'], period: { start: '2025-01-01' }, signedDate: '2025-01-01',
    disclosingOrganizationNpi: agency.organization.npi,
  });

beforeAll(async () => {
  server = await startFhirServer();
  peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi });
  await peer.recordEncounters(encounters, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants });
  for (const plan of agency.plans) await peer.upsertRecoveryPlan(plan);
  for (const p of agency.participants) await peer.grantConsent(consentOf(p.id));
}, 120_000);
afterAll(async () => {
  await server?.close();
});

describe('report disclosures after disclose and bill', () => {
  it('lists exactly the two disclosed bundles and the one Part 2 claim, with recipient, purpose, consent and count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-disclosures-'));
    const config = configFor(agency);
    const bill = await runBill({ period: '2025-03', out: join(dir, 'march.x12'), fhirUrl: server.url, configValue: config, date: new Date('2025-04-02T12:00:00Z') }, io());
    expect(bill.report.disclosuresRecorded).toBe(bill.report.claims);
    expect(bill.report.claims).toBeGreaterThan(0);

    // A participant with exactly one claim this month.
    const billedIds = (await server.repository.search('Claim')).map((c) => (c as { patient: { identifier?: { value?: string } } }).patient.identifier?.value);
    const participantId = billedIds.find((id) => id !== undefined && billedIds.filter((x) => x === id).length === 1)!;
    const patient = (await server.repository.search('Patient')).find((p) => JSON.stringify(p).includes(`"value":"${participantId}"`))!;
    const mine = (await server.repository.search('Encounter')).filter((e) => (e as Encounter).subject?.reference === `Patient/${patient.id}`) as Encounter[];
    const treating = { npi: '1234567802', kind: 'organization' as const, isTpoRecipient: true };
    const discloser = { npi: agency.organization.npi, kind: 'organization' as const };
    await peer.disclose([mine[0]!], { recipient: treating, purpose: 'treatment', at: '2025-04-03T09:00:00-05:00', discloser });
    await peer.disclose(mine.slice(0, 2), { recipient: treating, purpose: 'operations', at: '2025-04-04T09:00:00-05:00', discloser });
    // Refused (research is outside a TPO consent): nothing is recorded.
    await expect(peer.disclose([mine[0]!], { recipient: treating, purpose: 'research', at: '2025-04-05T09:00:00-05:00', discloser })).rejects.toBeInstanceOf(ConsentRequiredError);

    const { report } = await runDisclosuresReport({ participant: participantId, organizationNpi: agency.organization.npi, fhirUrl: server.url }, io());
    expect(report.disclosures.map((d) => [d.channel, d.purpose, d.consentIds, d.resourceCount])).toEqual([
      ['x12-837p', 'payment', [`c-${participantId}`], 1],
      ['fhir-bundle', 'treatment', [`c-${participantId}`], 1],
      ['fhir-bundle', 'operations', [`c-${participantId}`], Math.min(2, mine.length)],
    ]);
    expect(report.disclosures[0]?.recipient.identifier?.value).toBe(config.payer.id);
    expect(report.disclosures.slice(1).every((d) => d.recipient.npi === treating.npi)).toBe(true);
    // No PHI in the accounting: references and codes only.
    const participant = agency.participants.find((p) => p.id === participantId)!;
    expect(JSON.stringify(report)).not.toContain(participant.name.family);
  }, 120_000);
});
