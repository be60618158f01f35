// `peer-fhir import` against the embedded FHIR server over HTTP, through the built binary: 5,000 rows with 50 bad
// ones land once, the bad ones go to a rejects file that imports cleanly once fixed, and nothing leaks PHI.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifierSystems } from '@peer-fhir/core';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { IMPORT_COLUMNS } from '../src/index.js';
import { configFor, readCsv, runCli, syntheticRows, type Run } from './support.js';

// The acceptance size: 5,000 rows with 50 bad ones (about 35 s with the embedded server's token index).
// PEER_FHIR_CLI_QUICK=1 keeps the proportions at 1,000 rows for a fast local loop.
const QUICK = process.env['PEER_FHIR_CLI_QUICK'] === '1';
const ROWS = QUICK ? 1000 : 5000;
const BAD = ROWS / 100;
// Distinctive synthetic values put on bad rows: none may appear in any output.
const SECRET_FAMILY = 'Quillfeatherby';
const SECRET_MEDICAID = 'MCDSECRET4242';

let server: EmbeddedFhirServer;
let dir: string;
let csv: string;
let cfg: string;
let goodIndividual: Set<string>;
let goodGroups: Set<string>;
let badRows: Map<number, string>; // row number -> what was broken
let first: Run;
let firstSeconds: number;
let agencyNpi: string;

/** Break `BAD` rows of individual encounters, each a different way, with PHI-looking values next to the fault. */
function breakRows(rows: Record<string, string>[]): Map<number, string> {
  const broken = new Map<number, string>();
  const faults: [string, (r: Record<string, string>) => void][] = [
    ['participant_birth_date', (r) => (r['participant_birth_date'] = '1990-02-31')],
    ['specialist_npi', (r) => (r['specialist_npi'] = '1234567890')],
    ['end', (r) => (r['end'] = r['start']!)],
    ['diagnosis_codes', (r) => (r['diagnosis_codes'] = 'NOTACODE')],
    ['modality', (r) => (r['modality'] = 'carrier-pigeon')],
  ];
  const step = Math.floor(rows.length / BAD);
  let k = 0;
  for (let i = 0; broken.size < BAD && i < rows.length; i += 1) {
    const idx = (broken.size * step + i) % rows.length;
    const r = rows[idx]!;
    if (r['group_id'] || broken.has(idx + 1)) continue;
    const [column, apply] = faults[k++ % faults.length]!;
    apply(r);
    r['participant_family'] = SECRET_FAMILY;
    r['medicaid_id'] = SECRET_MEDICAID;
    broken.set(idx + 1, column);
    i = -1 + ((broken.size * step) % rows.length === 0 ? 0 : 0);
  }
  return broken;
}

beforeAll(async () => {
  server = await startFhirServer();
  dir = mkdtempSync(join(tmpdir(), 'peer-fhir-import-'));
  const { agency, rows } = syntheticRows(ROWS);
  agencyNpi = agency.organization.npi;
  expect(rows.length).toBeGreaterThan(ROWS - 20);
  badRows = breakRows(rows);
  goodIndividual = new Set();
  goodGroups = new Set();
  const badEnc = new Set([...badRows.keys()].map((n) => rows[n - 1]!['encounter_id']));
  for (const r of rows) if (!badEnc.has(r['encounter_id'])) (r['group_id'] ? goodGroups : goodIndividual).add(r['encounter_id']!);
  csv = join(dir, 'export.csv');
  cfg = join(dir, 'peer-fhir.config.json');
  writeFileSync(csv, stringify(rows, { header: true, columns: [...IMPORT_COLUMNS] }));
  writeFileSync(cfg, JSON.stringify(configFor(agency)));
  const t = Date.now();
  first = await runCli(['import', csv, '--fhir-url', server.url, '--config', cfg, '--json']);
  firstSeconds = (Date.now() - t) / 1000;
}, 240_000);

afterAll(async () => {
  await server?.close();
});

/** Encounters on the server per identifier value of a system. */
async function countsBy(system: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const e of await server.repository.search('Encounter')) {
    for (const i of e.identifier ?? []) if (i.system === system) counts.set(i.value!, (counts.get(i.value!) ?? 0) + 1);
  }
  return counts;
}

describe(`importing ${ROWS} rows with ${BAD} bad ones`, () => {
  it('writes every good row once and rejects the bad ones with exit code 1', async () => {
    expect(first.code).toBe(1);
    const s = JSON.parse(first.stdout);
    const rowCount = readCsv(csv).length;
    expect(s.rowsRead).toBe(rowCount);
    expect(s.rejected).toBe(BAD);
    expect(s.created).toBe(rowCount - BAD);
    expect(s.alreadyPresent).toBe(0);
    const ids = identifierSystems({ agency: agencyNpi });
    const individual = await countsBy(ids.encounter);
    const sessions = await countsBy(ids.groupSession);
    expect([...individual.keys()].sort()).toEqual([...goodIndividual].sort());
    expect([...sessions.keys()].sort()).toEqual([...goodGroups].sort());
    for (const n of [...individual.values(), ...sessions.values()]) expect(n).toBe(1);
    console.log(`import: ${s.rowsRead} rows in ${firstSeconds.toFixed(1)} s wall (${Math.round(s.rowsRead / firstSeconds)} rows/s)`);
  });

  it('writes the rejected rows, with reasons naming the broken column, to a rejects file in the input format', () => {
    const rejects = readCsv(join(dir, 'export.rejects.csv'));
    expect(rejects).toHaveLength(BAD);
    const s = JSON.parse(first.stdout);
    const byRow = new Map<number, string[]>(s.rejectedRows.map((r: { row: number; reasons: string[] }) => [r.row, r.reasons]));
    // rows are named by their file line: the header is line 1, so data row n (no line breaks in values) is line n + 1
    for (const [row, column] of badRows) expect(byRow.get(row + 1)?.some((x) => x.startsWith(`${column}:`))).toBe(true);
    for (const r of rejects) expect(r['reject_reasons']).toMatch(/\w+: /);
  });

  it('never prints the values of bad rows', () => {
    for (const out of [first.stdout, first.stderr]) {
      expect(out).not.toContain(SECRET_FAMILY);
      expect(out).not.toContain(SECRET_MEDICAID);
      expect(out).not.toContain('carrier-pigeon');
      expect(out).not.toContain('NOTACODE');
    }
  });

  it('prints plain progress lines when stderr is not a TTY', () => {
    expect(first.stderr).toMatch(/import export\.csv: \d+\/\d+ rows/);
  });

  it('writes nothing new when run again', async () => {
    const before = (await server.repository.search('Encounter')).length;
    const again = await runCli(['import', csv, '--fhir-url', server.url, '--config', cfg, '--json', '--rejects', join(dir, 'again.rejects.csv')]);
    const s = JSON.parse(again.stdout);
    expect(s.created).toBe(0);
    expect(s.alreadyPresent).toBe(s.rowsRead - BAD);
    expect((await server.repository.search('Encounter')).length).toBe(before);
  }, 180_000);

  it('imports the fixed rejects file cleanly, with exit code 0', async () => {
    const original = new Map(readCsv(csv).map((r, i) => [i + 1, r]));
    const rejects = readCsv(join(dir, 'export.rejects.csv'));
    const fixes: Record<string, (r: Record<string, string>) => void> = {
      participant_birth_date: (r) => (r['participant_birth_date'] = '1990-02-28'),
      specialist_npi: (r) => (r['specialist_npi'] = '1234567893'),
      end: (r) => (r['end'] = r['start']!.replace(/T(\d\d)/, (_, h: string) => `T${String(Number(h) + 1).padStart(2, '0')}`)),
      diagnosis_codes: (r) => (r['diagnosis_codes'] = 'F11.20'),
      modality: (r) => (r['modality'] = 'in-person'),
    };
    void original;
    for (const r of rejects) {
      const column = r['reject_reasons']!.split(':')[0]!;
      fixes[column]?.(r);
    }
    const fixed = join(dir, 'fixed.csv');
    writeFileSync(fixed, stringify(rejects, { header: true, columns: [...IMPORT_COLUMNS, 'reject_reasons'] }));
    const run = await runCli(['import', fixed, '--fhir-url', server.url, '--config', cfg, '--json']);
    expect(run.stderr).not.toContain('error');
    const s = JSON.parse(run.stdout);
    expect(s.rejectedRows).toEqual([]);
    expect(s.created).toBe(BAD);
    expect(run.code).toBe(0);
  }, 180_000);
});
