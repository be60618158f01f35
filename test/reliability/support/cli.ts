/**
 * Helpers for the CLI parts of the reliability tests: an import CSV of synthetic rows with a few rows broken on
 * purpose (each carrying PHI-looking marker values), its config, and counts of what landed on the server by
 * identifier. The CLI itself runs as a child process (the BUILT binary, packages/cli/dist/bin.js).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { identifierSystems } from '@peer-fhir/core';
import type { EmbeddedFhirServer } from '@peer-fhir/testing';
import { IMPORT_COLUMNS } from '../../../packages/cli/src/index.js';
import { BIN, configFor, readCsv, runCli, syntheticRows, type Run } from '../../../packages/cli/test/support.js';

export { BIN, readCsv, runCli, type Run };

export const CLI_BUILT = existsSync(BIN);

/** Marker values put on the broken rows: they must never appear in any output but the rejects file. */
export const BAD_FAMILY = 'Zyxquillion';
export const BAD_MEDICAID = 'MCDPHI90210X';

export interface ImportFixture {
  dir: string;
  csv: string;
  cfg: string;
  rows: Record<string, string>[];
  agency: ReturnType<typeof syntheticRows>['agency'];
  /** encounter_id of every good individual / group encounter. */
  goodIndividual: string[];
  goodGroups: string[];
  /** encounter_id of each broken row (individual encounters only, one row each). */
  badIds: string[];
}

const cell = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
/** CSV with every import column, in order. */
export function toCsv(rows: readonly Record<string, string>[]): string {
  return `${[IMPORT_COLUMNS.join(','), ...rows.map((r) => IMPORT_COLUMNS.map((c) => cell(r[c] ?? '')).join(','))].join('\n')}\n`;
}

/** `rows` synthetic rows (TX agency), `bad` individual rows among them broken in different columns. */
export function importFixture(rows: number, bad: number, seed = 11): ImportFixture {
  const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-rel-cli-'));
  const { agency, rows: data } = syntheticRows(rows, seed);
  const faults: ((r: Record<string, string>) => void)[] = [
    (r) => (r['participant_birth_date'] = '1990-02-31'),
    (r) => (r['specialist_npi'] = '1234567890'),
    (r) => (r['modality'] = 'carrier-pigeon'),
    (r) => (r['diagnosis_codes'] = 'NOTACODE'),
  ];
  const badIds: string[] = [];
  const step = Math.max(1, Math.floor(data.length / (bad + 1)));
  for (let i = step; badIds.length < bad && i < data.length; i++) {
    const r = data[i]!;
    if (r['group_id'] || (i > 0 && data[i - 1]!['encounter_id'] === r['encounter_id'])) continue;
    faults[badIds.length % faults.length]!(r);
    r['participant_family'] = BAD_FAMILY;
    r['medicaid_id'] = BAD_MEDICAID;
    badIds.push(r['encounter_id']!);
    i = Math.max(i, step * (badIds.length + 1) - 1);
  }
  const badSet = new Set(badIds);
  const goodIndividual = [...new Set(data.filter((r) => !r['group_id'] && !badSet.has(r['encounter_id']!)).map((r) => r['encounter_id']!))];
  const goodGroups = [...new Set(data.filter((r) => r['group_id']).map((r) => r['encounter_id']!))];
  const csv = join(dir, 'export.csv');
  const cfg = join(dir, 'peer-fhir.config.json');
  writeFileSync(csv, toCsv(data));
  writeFileSync(cfg, JSON.stringify(configFor(agency)));
  return { dir, csv, cfg, rows: data, agency, goodIndividual, goodGroups, badIds };
}

/** Identifier values of Encounters under a system, as stored (one entry per stored resource). */
export async function storedEncounterIds(server: EmbeddedFhirServer, system: string): Promise<string[]> {
  return (await server.repository.search('Encounter')).flatMap((e) => (e.identifier ?? []).filter((i) => i.system === system).map((i) => i.value ?? ''));
}

export function duplicatesOf(values: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([v]) => v);
}

export function expectExactlyOnce(values: readonly string[], expected: readonly string[]): void {
  const have = new Set(values);
  const missing = expected.filter((v) => !have.has(v));
  expect({ duplicated: duplicatesOf(values), missing, stored: values.length }).toEqual({ duplicated: [], missing: [], stored: expected.length });
}

/** Every good encounter of the fixture on the server exactly once (individual and group sessions), no bad one. */
export async function expectImportedOnce(server: EmbeddedFhirServer, f: ImportFixture): Promise<void> {
  const ids = identifierSystems({ agency: f.agency.organization.npi });
  expectExactlyOnce(await storedEncounterIds(server, ids.encounter), f.goodIndividual);
  expectExactlyOnce(await storedEncounterIds(server, ids.groupSession), f.goodGroups);
  const participants = new Set(f.rows.filter((r) => !f.badIds.includes(r['encounter_id']!)).map((r) => r['participant_id']!));
  const patients = (await server.repository.search('Patient')).flatMap((p) => (p.identifier ?? []).filter((i) => i.system === ids.participant).map((i) => i.value ?? ''));
  expect(duplicatesOf(patients)).toEqual([]);
  for (const p of participants) expect(patients).toContain(p);
}
