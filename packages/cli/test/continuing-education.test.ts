// Issue 19, acceptance 1 (sixth kind): continuing-education records import like every other kind (a template, the
// same idempotency and conflict rules) and are stored as FHIR Basic resources (profile peer-continuing-education);
// `report compliance` counts the stored hours of the period, and a `--ce` file adds to them without counting a record
// twice (the same id in both is one record).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Basic } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkforceProfiles } from '@peer-fhir/core';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { parseConfig, runComplianceReport, runImport, type CommandIo } from '../src/index.js';
import { IMPORT_TEMPLATES } from '../src/import/templates.js';

const CONFIG = parseConfig({
  organization: { name: 'Harbor Peer Agency', npi: '1234567893', taxId: '123456789', taxonomy: '251S00000X', address: { line: ['1 Main St'], city: 'Austin', state: 'TX', postalCode: '787011234' } },
  payer: { id: 'TXMCD', name: 'Texas Medicaid' },
  pack: 'tx-medicaid-peer-specialist-2019',
  charges: { H0038: 18.5 },
});
const CE = IMPORT_TEMPLATES['continuing-education']!;
const PEER = '1245319599';

const quiet = (cwd: string): CommandIo => {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink(), stderr: sink(), json: true, env: {}, cwd };
};

describe('continuing education: import, store, report', () => {
  let server: EmbeddedFhirServer;
  let dir: string;
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  beforeAll(async () => {
    server = await startFhirServer();
    dir = mkdtempSync(join(tmpdir(), 'peer-fhir-ce-'));
    await runImport([file('encounters.csv', IMPORT_TEMPLATES.encounters!)], { fhirUrl: server.url, configValue: CONFIG }, quiet(dir));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('stores each template row as one Basic of profile peer-continuing-education; a second run is unchanged; a changed row under a stored id is a conflict, not an overwrite', async () => {
    const ce = file('ce.csv', CE);
    const first = await runImport([ce], { fhirUrl: server.url, configValue: CONFIG }, quiet(dir));
    expect(first.records).toEqual({ 'continuing-education': expect.objectContaining({ created: 2, rejected: 0 }) });
    const stored = (await server.repository.search('Basic')) as Basic[];
    expect(stored).toHaveLength(2);
    for (const b of stored) expect(b.meta?.profile).toContain(WorkforceProfiles.ContinuingEducation);

    const again = await runImport([ce], { fhirUrl: server.url, configValue: CONFIG }, quiet(dir));
    expect(again).toMatchObject({ created: 0, unchanged: 2, conflict: 0 });

    const changed = file('ce-changed.csv', CE.replace(',6,Ethics', ',16,Ethics'));
    const conflict = await runImport([changed], { fhirUrl: server.url, configValue: CONFIG }, quiet(dir));
    expect(conflict).toMatchObject({ unchanged: 1, conflict: 1 });
    expect(((await server.repository.search('Basic')) as Basic[]).length).toBe(2);
  }, 120_000);

  it('counts the stored hours of the period in compliance, and a --ce record with a stored id replaces it rather than adding to it', async () => {
    const io = quiet(dir);
    const march = await runComplianceReport({ period: '2025-03', fhirUrl: server.url, configValue: CONFIG }, io);
    expect(march.read).toMatchObject({ continuingEducation: 1, continuingEducationStored: 1, continuingEducationFromFile: 0 });
    expect(march.report.peers.find((p) => p.npi === PEER)?.ceHours).toBe(6);

    // ce-1002 again (8 h instead of 6) and a new ce-2001 of 1.5 h: 8 + 1.5, never 6 + 8 + 1.5.
    const extra = file('extra.csv', 'id,peerNpi,date,hours,topic\nce-1002,1245319599,2025-03-12,8,Ethics in peer support\nce-2001,1245319599,2025-03-30,1.5,Trauma-informed care\n');
    const withFile = await runComplianceReport({ period: '2025-03', ce: extra, fhirUrl: server.url, configValue: CONFIG }, io);
    expect(withFile.read).toMatchObject({ continuingEducation: 2, continuingEducationStored: 1, continuingEducationFromFile: 2 });
    expect(withFile.report.peers.find((p) => p.npi === PEER)?.ceHours).toBe(9.5);
  }, 120_000);
});
