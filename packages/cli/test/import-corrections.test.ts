// Issue 12 acceptance 2: a row changed after import (times, status, diagnoses, participant name) and imported again is
// a correction: the server holds the new version, its _history the old one, the summary says `updated`; with
// --no-update it is a conflict (exit 1), nothing written over it; an entered-in-error row leaves billing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Bundle, Encounter, Patient } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifierSystems } from '@peer-fhir/core';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { ExitCode, IMPORT_COLUMNS, parseConfig, runBill, runImport, type CommandIo } from '../src/index.js';
import { configFor, syntheticRows } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-corrections-'));
const io = (): CommandIo => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink, stderr: sink, json: true, env: {}, cwd: dir };
};
const { agency, rows } = syntheticRows(40, 23);
const config = parseConfig(configFor(agency));
const ids = identifierSystems({ agency: config.organization.npi });
let server: EmbeddedFhirServer;

// An individual encounter's row (group rows share an encounter).
const single = rows.filter((r) => !r['group_id']);
const target = single[0]!;
const file = (name: string, list: Record<string, string>[]): string => {
  const path = join(dir, name);
  writeFileSync(path, stringify(list, { header: true, columns: [...IMPORT_COLUMNS] }));
  return path;
};
const changedRows = (change: (r: Record<string, string>) => void): Record<string, string>[] =>
  rows.map((r) => {
    if (r !== target) return r;
    const copy = { ...r };
    change(copy);
    return copy;
  });
const importFile = (path: string, extra: { update?: boolean } = {}) => runImport([path], { fhirUrl: server.url, configValue: config, ...extra }, io());

async function stored(): Promise<Encounter & { id: string }> {
  const [e] = (await server.repository.search('Encounter', `identifier=${ids.encounter}|${target['encounter_id']}`)) as (Encounter & { id: string })[];
  return e!;
}
async function versions(ref: string): Promise<number> {
  const res = await fetch(`${server.url}/${ref}/_history`, { headers: { accept: 'application/fhir+json' } });
  return ((await res.json()) as Bundle).entry?.length ?? 0;
}

beforeAll(async () => {
  server = await startFhirServer();
  const first = await importFile(file('first.csv', rows));
  expect(first.rejected).toBe(0);
}, 120_000);
afterAll(() => server?.close());

describe('re-importing a changed row', () => {
  it('with --no-update reports it as a conflict by path (exit 1) and writes nothing over it', async () => {
    const later = new Date(Date.parse(target['end']!) + 10 * 60_000).toISOString();
    const s = await importFile(file('later-no-update.csv', changedRows((r) => (r['end'] = later))), { update: false });
    expect(s).toMatchObject({ updated: 0, conflict: 1, exitCode: ExitCode.SOME_REJECTED });
    expect(s.conflictRows[0]?.conflicts.join(' ')).toContain('period.end');
    expect(await versions(`Encounter/${(await stored()).id}`)).toBe(1);
  });

  it('updates the stored encounter by default: updated 1, exit 0, the old version kept in _history', async () => {
    const later = new Date(Date.parse(target['end']!) + 10 * 60_000).toISOString();
    const s = await importFile(file('later.csv', changedRows((r) => (r['end'] = later))));
    expect(s).toMatchObject({ updated: 1, conflict: 0, rejected: 0, exitCode: ExitCode.OK });
    expect(s.encounters.updated).toBe(1);
    const e = await stored();
    expect(Date.parse(e.period?.end ?? '')).toBe(Date.parse(later));
    expect(await versions(`Encounter/${e.id}`)).toBe(2);
    // Running the same file again changes nothing.
    expect(await importFile(file('later-again.csv', changedRows((r) => (r['end'] = later))))).toMatchObject({ updated: 0, unchanged: rows.length, conflict: 0 });
  });

  it('updates changed diagnoses and a corrected participant name', async () => {
    const s = await importFile(file('dx.csv', changedRows((r) => {
      r['end'] = new Date(Date.parse(target['end']!) + 10 * 60_000).toISOString();
      r['diagnosis_codes'] = 'F10.20';
      r['participant_family'] = 'Correctedname';
    })));
    expect(s).toMatchObject({ updated: 1, conflict: 0, exitCode: ExitCode.OK });
    expect(s.participantsUpdated).toBe(1);
    const [patient] = (await server.repository.search('Patient', `identifier=${ids.participant}|${target['participant_id']}`)) as Patient[];
    expect(patient?.name?.[0]?.family).toBe('Correctedname');
  });

  it('an entered-in-error row takes the encounter out of billing', async () => {
    const month = target['start']!.slice(0, 7);
    const before = await runBill({ period: month, out: join(dir, 'before.x12'), configValue: config, fhirUrl: server.url }, io());
    expect(before.report.held.some((h) => h.encounterId === target['encounter_id'] && h.reasons.some((x) => x.code === 'PB-ENCOUNTER-STATUS'))).toBe(false);
    const s = await importFile(file('eie.csv', changedRows((r) => {
      r['end'] = new Date(Date.parse(target['end']!) + 10 * 60_000).toISOString();
      r['diagnosis_codes'] = 'F10.20';
      r['participant_family'] = 'Correctedname';
      r['status'] = 'entered-in-error';
    })));
    expect(s).toMatchObject({ updated: 1, exitCode: ExitCode.OK });
    expect((await stored()).status).toBe('entered-in-error');
    const after = await runBill({ period: month, out: join(dir, 'after.x12'), configValue: config, fhirUrl: server.url }, io());
    const billed = after.claims.flatMap((c) => (c.item ?? []).flatMap((i) => (i.encounter ?? []).map((r) => r.identifier?.value)));
    expect(billed).not.toContain(target['encounter_id']);
    expect(after.report.held.find((h) => h.encounterId === target['encounter_id'])?.reasons.map((x) => x.code)).toContain('PB-ENCOUNTER-STATUS');
  });
});
