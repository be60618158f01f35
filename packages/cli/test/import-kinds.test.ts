// Issue 19: every record kind imports with per-row validation whose reasons name the row and column, never a value
// from the file, and a record of several rows blames only the row at fault. `validate` is the import run dry: the same
// rejections and counts as a real import, nothing written.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { parseConfig, runImport, runValidate, type CommandIo } from '../src/index.js';
import { RECORD_KINDS, detectKind } from '../src/import/kinds.js';
import { assembleEncounter } from '../src/import/assemble.js';
import { assembleRecord } from '../src/import/record-kind.js';
import { IMPORT_TEMPLATES } from '../src/import/templates.js';

const CONFIG = parseConfig({
  organization: { name: 'Harbor Peer Agency', npi: '1234567893', taxId: '123456789', taxonomy: '251S00000X', address: { line: ['1 Main St'], city: 'Austin', state: 'TX', postalCode: '787011234' } },
  payer: { id: 'TXMCD', name: 'Texas Medicaid' },
  pack: 'tx-medicaid-peer-specialist-2019',
  charges: { H0038: 18.5 },
});
const SECRET = 'Zyx-Quillfeather-99';
const SUPERVISION_HEADER = IMPORT_TEMPLATES.supervision!.split('\n')[0]!;

const quiet = (cwd: string): CommandIo => {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink(), stderr: sink(), json: true, env: {}, cwd };
};

const templateRows = (kind: string): Record<string, string>[] => parse(IMPORT_TEMPLATES[kind as 'consents']!, { columns: true }) as Record<string, string>[];

describe('templates', () => {
  it('docs/templates holds exactly the templates init writes, one per kind', () => {
    for (const kind of Object.keys(IMPORT_TEMPLATES)) {
      const doc = readFileSync(fileURLToPath(new URL(`../../../docs/templates/${kind}-template.csv`, import.meta.url)), 'utf8');
      expect(doc, kind).toBe(IMPORT_TEMPLATES[kind as 'consents']);
    }
    expect(Object.keys(IMPORT_TEMPLATES).sort()).toEqual(['consents', 'continuing-education', 'encounters', 'outcomes', 'plans', 'prior-authorizations', 'service-orders', 'supervision']);
  });
});

describe('kind detection', () => {
  it('tells each kind from its id column, an outcome file naming encounters included, and takes --kind over the header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-kinds-'));
    for (const kind of Object.keys(IMPORT_TEMPLATES)) {
      const file = join(dir, `${kind}.csv`);
      writeFileSync(file, IMPORT_TEMPLATES[kind as 'consents']!);
      expect(await detectKind(file, 'csv')).toBe(kind);
    }
    writeFileSync(join(dir, 'rows.ndjson'), `${JSON.stringify({ session_id: 's-1', supervisor_npi: '1003000126' })}\n`);
    expect(await detectKind(join(dir, 'rows.ndjson'), 'ndjson')).toBe('supervision');
    expect(await detectKind(join(dir, 'consents.csv'), 'csv', 'consents')).toBe('consents');
  });
});

describe('row validation of every record kind', () => {
  it('accepts every template row as written', () => {
    for (const { kind } of RECORD_KINDS) {
      const rows = templateRows(kind.name).map((values, i) => ({ row: i + 1, values }));
      const ids = [...new Set(rows.map((r) => r.values[kind.idColumn]))];
      const groups = kind.multiRow ? ids.map((id) => rows.filter((r) => r.values[kind.idColumn] === id)) : rows.map((r) => [r]);
      for (const g of groups) expect(assembleRecord(kind, g, CONFIG), kind.name).toMatchObject({ ok: true });
    }
  });

  it('names the column of a broken cell and the row it is on, never its value, and blames no other row (property)', () => {
    const kinds = RECORD_KINDS.map((k) => k.kind);
    let rejected = 0;
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.nat(), fc.constantFrom(SECRET, `${SECRET};${SECRET}`, `1990-02-31${SECRET}`, `q1=${SECRET}`), (kind, pick, bad) => {
        const rows = templateRows(kind.name).map((values, i) => ({ row: i + 1, values }));
        // The first record of the template: a plan's rows share its id; other kinds are one row each.
        const record = kind.multiRow ? rows.filter((r) => r.values[kind.idColumn] === rows[0]!.values[kind.idColumn]) : [rows[0]!];
        const target = record[pick % record.length]!;
        const breakable = kind.required.filter((c) => c !== kind.idColumn && !(kind.multiRow && kind.shared.includes(c)));
        const column = breakable[pick % breakable.length]!;
        target.values = { ...target.values, [column]: bad };
        const result = assembleRecord(kind, record, CONFIG);
        if (result.ok) return; // e.g. free text accepts any words: nothing to blame
        rejected++;
        for (const r of result.rejected) {
          expect(r.reasons.join(' ')).not.toContain(SECRET);
          if (r.row === target.row) expect(r.reasons.some((x) => x.startsWith(`${column}`) || x.startsWith('answers')), r.reasons.join('; ')).toBe(true);
          else expect(r.reasons).toEqual([`rejected with its record (row ${target.row})`]);
        }
      }),
      { numRuns: 300, seed: Number(process.env['PEER_FHIR_SEED'] ?? 19) },
    );
    expect(rejected).toBeGreaterThan(150);
  });
});

describe('group encounters: the row at fault says so, the others are rejected with it', () => {
  it('blames only the attendee row whose cell is broken, for a shared or an own column (property)', () => {
    const rows = (parse(IMPORT_TEMPLATES.encounters!, { columns: true }) as Record<string, string>[]).map((values, i) => ({ row: i + 2, values }));
    const group = rows.filter((r) => r.values['encounter_id'] === 'enc-1002');
    expect(group).toHaveLength(2);
    const columns = ['specialist_npi', 'start', 'place_of_service', 'participant_birth_date', 'participant_gender', 'diagnosis_codes', 'part2'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...columns), fc.integer({ min: 0, max: 1 }), (column, which) => {
        const broken = group.map((r, i) => (i === which ? { ...r, values: { ...r.values, [column]: `${SECRET}1234567890` } } : r));
        const result = assembleEncounter(broken, CONFIG);
        if (result.ok) return; // a member id may hold any characters: nothing to blame
        const bad = broken[which]!.row;
        for (const r of result.rejected) {
          expect(r.reasons.join(' ')).not.toContain(SECRET);
          if (r.row === bad) expect(r.reasons.some((x) => x.startsWith(column)), r.reasons.join('; ')).toBe(true);
          // Another row is rejected with it, or told that it differs from the broken first row: never given its error.
          else expect(r.reasons, r.reasons.join('; ')).toEqual([which === 0 && !r.reasons[0]!.startsWith('rejected') ? `${column}: differs from the first row of this group encounter (row ${bad})` : `rejected with its group encounter (row ${bad})`]);
        }
      }),
      { numRuns: 100, seed: Number(process.env['PEER_FHIR_SEED'] ?? 19) },
    );
  });
});

describe('NDJSON rows of every kind', () => {
  it('reads each template as NDJSON objects with the same keys, told by its keys, every row valid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-ndjson-'));
    const files = Object.keys(IMPORT_TEMPLATES).map((kind) => {
      const file = join(dir, `${kind}.ndjson`);
      const rows = templateRows(kind).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== '')));
      writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      return file;
    });
    const r = await runValidate(files, { configValue: CONFIG }, quiet(dir));
    expect(r.problems).toEqual([]);
    const total = Object.keys(IMPORT_TEMPLATES).reduce((n, k) => n + templateRows(k).length, 0);
    expect(r.rows).toEqual({ read: total, valid: total, rejected: 0 });
  });
});

describe('validate is the import, run dry', () => {
  let server: EmbeddedFhirServer;
  beforeAll(async () => {
    server = await startFhirServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('prints each progress line once, and its counts add up to the rows read at that moment (read = settled + pending)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-progress-'));
    const file = join(dir, 'supervision.csv');
    const rows = Array.from({ length: 450 }, (_, i) => `sup-p${i},1003000126,1245319599,2025-03-${String((i % 28) + 1).padStart(2, '0')},30,individual,,`);
    writeFileSync(file, `${SUPERVISION_HEADER}\n${rows.join('\n')}\n`);
    let err = '';
    const io: CommandIo = { ...quiet(dir), json: false, stderr: new Writable({ write: (c: Buffer, _e, cb) => ((err += c.toString()), cb()) }) };
    const s = await runImport([file], { fhirUrl: server.url, configValue: CONFIG, progressIntervalMs: 0 }, io);
    const lines = err.split('\n').filter((l) => l.startsWith('import supervision.csv:'));
    expect(lines.length).toBeGreaterThan(1);
    expect(new Set(lines).size).toBe(lines.length); // no state printed twice
    for (const line of lines) {
      const m = /: (\d+)\/(\d+) rows read \((.*)\)$/.exec(line)!;
      const counts = Object.fromEntries(m[3]!.split(', ').map((kv) => [kv.split(' ')[0]!, Number(kv.split(' ')[1])]));
      expect(Object.values(counts).reduce((n, x) => n + x, 0), line).toBe(Number(m[1]));
    }
    expect(lines.at(-1)).toContain(`${s.rowsRead}/450 rows read (created 450, rejected 0)`);
  }, 120_000);

  it('rejects the same rows for the same reasons as a real import, the duplicate encounter_id included, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-validate-'));
    const encounters = join(dir, 'encounters.csv');
    const lines = IMPORT_TEMPLATES.encounters!.trimEnd().split('\n');
    // Line 5 repeats the individual encounter enc-1001 after another encounter: import rejects it (ids must be unique).
    writeFileSync(encounters, `${[...lines, lines[1]!].join('\n')}\n`);
    const supervision = join(dir, 'supervision.csv');
    writeFileSync(supervision, `${IMPORT_TEMPLATES.supervision!.trimEnd()}\nsup-1003,1003000126,1003000126,2025-03-21,600000,group,,\n`);

    const before = (await server.repository.search('Encounter')).length;
    const checked = await runValidate([encounters, supervision], { config: undefined }, { ...quiet(dir), json: true });
    expect((await server.repository.search('Encounter')).length).toBe(before); // validate writes nothing
    const imported = await runImport([encounters, supervision], { fhirUrl: server.url, configValue: CONFIG }, quiet(dir));

    const asProblems = imported.rejectedRows.flatMap((r) => r.reasons.map((problem) => ({ file: r.file, location: `row ${r.row}`, problem })));
    expect(checked.problems).toEqual(asProblems);
    expect(checked.rows).toEqual({ read: imported.rowsRead, valid: imported.created, rejected: imported.rejected });
    // Rows are named by file line: the repeated encounter on line 5, the bad supervision row on line 4.
    expect(checked.problems.map((p) => p.location)).toEqual(['row 5', 'row 4', 'row 4']);
    expect(checked.problems[0]!.problem).toMatch(/^encounter_id: used again/);
    expect(checked.problems.slice(1).map((p) => p.problem.split(':')[0])).toEqual(['minutes', 'supervisor_npi']);
  }, 120_000);
});
