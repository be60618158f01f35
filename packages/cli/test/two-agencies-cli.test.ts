// Issue 12 acceptance 1 through the CLI: two agencies (different NPIs, the same local ids) import the same export into
// one server; each one's bill and compliance report hold its own records only. A report that read nothing says so and
// exits 1 instead of "No findings.".
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifierSystems, isValidNpi } from '@peer-fhir/core';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { ExitCode, IMPORT_COLUMNS, parseConfig, runBill, runComplianceReport, runImport, type CommandIo } from '../src/index.js';
import { configFor, syntheticRows } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-two-agencies-'));
const captured = { stderr: '' };
const io = (): CommandIo => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const err = new Writable({ write: (c: Buffer, _e, cb) => ((captured.stderr += c.toString()), cb()) });
  return { stdout: sink, stderr: err, json: true, env: {}, cwd: dir };
};

/** A Type 2 NPI: nine digits and the Luhn check digit over the 80840 prefix (CMS NPI check digit rule). */
function npi(nine: string): string {
  const digits = `80840${nine}`.split('').map(Number);
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    const d = double ? digits[i]! * 2 : digits[i]!;
    sum += d > 9 ? d - 9 : d;
  }
  return `${nine}${(10 - (sum % 10)) % 10}`;
}

const { agency, rows } = syntheticRows(40, 41);
const configA = parseConfig(configFor(agency));
const npiB = npi('177777777');
const configB = parseConfig({ ...configFor(agency), organization: { ...configFor(agency).organization, npi: npiB, name: 'Second Agency' } });
let server: EmbeddedFhirServer;
let month = '';

beforeAll(async () => {
  expect(isValidNpi(npiB)).toBe(true);
  expect(npiB).not.toBe(configA.organization.npi);
  server = await startFhirServer();
  const path = join(dir, 'rows.csv');
  writeFileSync(path, stringify(rows, { header: true, columns: [...IMPORT_COLUMNS] }));
  month = rows[0]!['start']!.slice(0, 7);
  for (const config of [configA, configB]) {
    const s = await runImport([path], { fhirUrl: server.url, configValue: config }, io());
    // The second agency's rows meet nothing of the first: all created, no conflicts.
    expect(s).toMatchObject({ conflict: 0, rejected: 0, unchanged: 0, created: rows.length });
  }
}, 120_000);
afterAll(() => server?.close());

describe('two agencies with the same local ids on one server, through the CLI', () => {
  it("bills each agency's encounters once, under its own NPI, and nothing of the other", async () => {
    const a = await runBill({ period: month, out: join(dir, 'a.x12'), configValue: configA, fhirUrl: server.url }, io());
    const b = await runBill({ period: month, out: join(dir, 'b.x12'), configValue: configB, fhirUrl: server.url }, io());
    expect(a.report.encounters).toBe(b.report.encounters);
    expect(a.claims.length).toBeGreaterThan(0);
    for (const [result, own] of [[a, configA.organization.npi], [b, npiB]] as const) {
      expect(result.claims.every((c) => c.provider.identifier?.value === own)).toBe(true);
      expect(result.claims.every((c) => c.identifier?.[0]?.system === identifierSystems({ agency: own }).claim)).toBe(true);
    }
    expect(a.claims.map((c) => c.total?.value)).toEqual(b.claims.map((c) => c.total?.value));
  });

  it("reports compliance over each agency's own specialists and encounters", async () => {
    const range = { period: `${month}..${month}` };
    const a = await runComplianceReport({ ...range, configValue: configA, fhirUrl: server.url }, io());
    const b = await runComplianceReport({ ...range, configValue: configB, fhirUrl: server.url }, io());
    expect(a.read.encounters).toBeGreaterThan(0);
    expect(a.read.encounters).toBe(b.read.encounters);
    expect(a.read.specialists).toBe(b.read.specialists);
  });

  it('says it read nothing, and exits 1, under a namespace nobody wrote and for a month with no encounters', async () => {
    captured.stderr = '';
    const elsewhere = parseConfig({ ...configFor(agency), namespace: 'https://other.example.org/ids' });
    const r = await runComplianceReport({ period: `${month}..${month}`, configValue: elsewhere, fhirUrl: server.url }, io());
    expect(r.read).toMatchObject({ specialists: 0, encounters: 0 });
    expect(r.exitCode).toBe(ExitCode.SOME_REJECTED);
    expect(captured.stderr).toContain('read 0 records');
    const bill = await runBill({ period: '2019-01', out: join(dir, 'empty.x12'), configValue: configA, fhirUrl: server.url }, io());
    expect(bill.exitCode).toBe(ExitCode.SOME_REJECTED);
  });
});
