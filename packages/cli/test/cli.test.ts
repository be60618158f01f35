// The other commands through the built binary: help, exit codes, --json, config errors, and the demo's bill and
// remit files read back by the independent x12-parser with totals that reconcile.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, runValidate, type CommandIo } from '../src/index.js';
import { IMPORT_TEMPLATES } from '../src/import/templates.js';
import { cents, el, parseX12, runCli, type Run } from './support.js';

const COMMANDS = ['import', 'bill', 'remit', 'validate', 'packs', 'serve', 'demo'];

describe('help', () => {
  it.each(COMMANDS)('peer-fhir %s --help shows usage and examples and exits 0', async (cmd) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: peer-fhir ${cmd}`);
    expect(r.stdout).toContain('Examples:');
  });
});

describe('exit codes and errors', () => {
  it('exits 2 on an unknown option', async () => {
    expect((await runCli(['packs', '--nope'])).code).toBe(2);
  });

  it('exits 2 on a bad --period and says why', async () => {
    const r = await runCli(['bill', '--pack', 'tx-medicaid-peer-specialist-2019', '--period', '2025-13', '--out', '/tmp/x.x12', '--fhir-url', 'http://127.0.0.1:9/fhir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--period must be a month YYYY-MM');
  });

  it('exits 2 on an invalid config, listing each problem by path and never its value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-cfg-'));
    const cfg = join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ organization: { name: 'X', npi: '1234567890', taxId: 'SECRETTAX', taxonomy: '251S00000X', address: { line: ['1 A St'], city: 'B', state: 'TX', postalCode: '78701' } }, payer: { id: 'P', name: 'P' } }));
    writeFileSync(join(dir, 'a.csv'), 'encounter_id\n');
    const r = await runCli(['import', join(dir, 'a.csv'), '--config', cfg, '--fhir-url', 'http://127.0.0.1:9/fhir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('organization.npi');
    expect(r.stderr).toContain('organization.taxId');
    expect(r.stderr).not.toContain('SECRETTAX');
  });

  it('does not echo an auth token when the server cannot be reached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-tok-'));
    const r = await runCli(['remit', join(dir, 'missing.835'), '--fhir-url', 'http://127.0.0.1:9/fhir', '--auth-token', 'TOKEN-SECRET-123']);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).not.toContain('TOKEN-SECRET-123');
  });

  it('explains row problems with validate and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-val-'));
    const f = join(dir, 'rows.ndjson');
    writeFileSync(f, `${JSON.stringify({ encounter_id: 'e1', participant_id: 'p1', participant_family: 'Secretname', start: 'yesterday' })}\n`);
    const r = await runCli(['validate', f, '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.problems.map((p: { problem: string }) => p.problem)).toContain('specialist_npi: required');
    expect(r.stdout).not.toContain('Secretname');
  });

  it('warns and exits 1 when validate reads nothing (a header without rows, an empty NDJSON file): never "0 problems" over nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-val0-'));
    writeFileSync(join(dir, 'header-only.csv'), `${IMPORT_TEMPLATES.supervision!.split('\n')[0]}\n`);
    writeFileSync(join(dir, 'empty.ndjson'), '');
    let err = '';
    const io: CommandIo = { stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr: new Writable({ write: (c: Buffer, _e, cb) => ((err += c.toString()), cb()) }), json: false, env: {}, cwd: dir };
    const r = await runValidate([join(dir, 'header-only.csv'), join(dir, 'empty.ndjson')], {}, io);
    expect(r).toMatchObject({ checked: 0, problems: [], exitCode: ExitCode.SOME_REJECTED });
    expect(err).toContain('read 0 rows or resources from 2 file(s): nothing validated');
  });
});

describe('packs', () => {
  it('lists every pack with effective dates and sources as JSON', async () => {
    const r = await runCli(['packs', '--json']);
    expect(r.code).toBe(0);
    const { packs } = JSON.parse(r.stdout);
    expect(packs.length).toBeGreaterThan(5);
    for (const p of packs) {
      expect(p.effective.start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.sources.length).toBeGreaterThan(0);
    }
  });
});

describe('the demo: import, bill, remit', () => {
  let dir: string;
  let run: Run;
  let result: {
    files: Record<string, string>;
    billed: { claims: number; lines: number; charge: number; held: number };
    remit: Record<string, number>;
    imported: { created: number; alreadyPresent: number; rejected: number };
    rows: number;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'peer-fhir-demo-'));
    run = await runCli(['demo', '--out', dir, '--json']);
    result = JSON.parse(run.stdout);
  }, 120_000);

  it('runs end to end with exit code 0 and imports every row once', () => {
    expect(run.code).toBe(0);
    expect(result.imported.created).toBe(result.rows);
    expect(result.imported.alreadyPresent).toBe(result.rows);
    expect(result.imported.rejected).toBe(0);
  });

  it('writes an 837P that x12-parser reads with the claims, lines and charge of the report', async () => {
    const segs = await parseX12(readFileSync(result.files['x12']!, 'utf8'));
    const report = JSON.parse(readFileSync(result.files['reportJson']!, 'utf8'));
    expect(segs[0]!.name).toBe('ISA');
    expect(segs.at(-1)!.name).toBe('IEA');
    const clm = segs.filter((s) => s.name === 'CLM');
    const sv1 = segs.filter((s) => s.name === 'SV1');
    expect(clm).toHaveLength(report.claims);
    expect(sv1).toHaveLength(report.lines);
    const charge = sv1.reduce((t, s) => t + cents(el(s, 2)), 0);
    expect(charge).toBe(cents(report.totals.charge));
    expect(clm.reduce((t, s) => t + cents(el(s, 2)), 0)).toBe(charge);
    const byCode = Object.values(report.byCode as Record<string, { charge: number }>).reduce((t, v) => t + cents(v.charge), 0);
    expect(byCode).toBe(charge);
    const claims = readFileSync(result.files['claims']!, 'utf8').trim().split('\n');
    expect(claims).toHaveLength(report.claims);
    expect(report.held.length).toBe(report.totals.held + report.totals.partial);
  });

  it('writes an 835 and a reconciliation in which paid plus adjusted equals billed, with every outcome', async () => {
    const segs = await parseX12(readFileSync(result.files['remit']!, 'utf8'));
    const clp = segs.filter((s) => s.name === 'CLP');
    expect(clp).toHaveLength(result.billed.claims);
    expect(result.remit['paid']).toBeGreaterThan(0);
    expect(result.remit['adjusted']).toBeGreaterThan(0);
    expect(result.remit['denied']).toBeGreaterThan(0);
    expect(Object.values(result.remit).reduce((a, b) => a + b, 0)).toBe(result.billed.lines);
    const paid = clp.reduce((t, s) => t + cents(el(s, 4)), 0);
    const billed = clp.reduce((t, s) => t + cents(el(s, 3)), 0);
    expect(billed).toBe(cents(result.billed.charge));
    expect(paid).toBeLessThan(billed);
  });

  it('reads the 835 again without storing anything new', async () => {
    const r = await runCli(['remit', result.files['remit']!, '--data', result.files['fhirData']!, '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.claimResponsesStored).toBe(0);
    expect(cents(out.totals.billed)).toBe(cents(out.totals.paid) + cents(out.totals.adjusted));
    expect(r.code).toBe(1); // some lines were denied
  });
});
