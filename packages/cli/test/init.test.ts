// `peer-fhir init` through the built binary: a config written from flags is the one every command reads, an existing
// file is kept without --force, bad or missing options are named (never their values), and, from an empty folder,
// init -> import -> bill runs on the config it wrote. In-process: the prompts path and properties of the NPI check
// (CMS NPI standard: Luhn over the prefix 80840 + the first nine digits) and of value-free errors.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InitOptionError, loadConfig, runInit, type CommandIo, type InitOptions, type InitPrompter } from '../src/index.js';
import { IMPORT_COLUMNS } from '../src/import/columns.js';
import { BIN, configFor, runCli, syntheticRows } from './support.js';

const fresh = (p: string) => mkdtempSync(join(tmpdir(), `peer-fhir-init-${p}-`));

/** NPI check digit by the CMS standard: Luhn over "80840" followed by the nine-digit base. */
function luhnNpiDigit(nine: string): number {
  const digits = `80840${nine}`.split('').map(Number);
  let sum = 0;
  // Doubling starts with the rightmost digit of the base (the check digit would follow it).
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = digits[i]!;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

const GOOD = ['--name', 'Harbor Peer Agency', '--npi', '1234567893', '--tax-id', '123456789', '--address', '1 Main St', '--city', 'Austin', '--state', 'TX', '--zip', '787011234', '--phone', '5125550100', '--payer-id', 'TXMCD', '--pack', 'tx-medicaid-peer-specialist-2019', '--charge', 'H0038=18.50'];

const good: InitOptions = {
  name: 'Harbor Peer Agency', npi: '1234567893', taxId: '123456789', address: '1 Main St', city: 'Austin', state: 'TX', zip: '787011234', phone: '5125550100',
  payerId: 'TXMCD', pack: 'tx-medicaid-peer-specialist-2019', charge: ['H0038=18.50'],
};

const sink = () => {
  let text = '';
  return { stream: { write: (s: string) => ((text += s), true) } as unknown as CommandIo['stdout'], text: () => text };
};
const ioIn = (cwd: string): CommandIo => ({ stdout: sink().stream, stderr: sink().stream, json: false, env: {}, cwd });

describe('help of the new commands', () => {
  it.each(['init', 'report html'])('peer-fhir %s --help shows usage and examples and exits 0', async (cmd) => {
    const r = await runCli([...cmd.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: peer-fhir ${cmd}`);
    expect(r.stdout).toContain('Examples:');
  });
});

describe('peer-fhir init from flags', () => {
  it('writes a config that the other commands read, and says what to do next', async () => {
    const dir = fresh('ok');
    const r = await runCli(['init', ...GOOD], { cwd: dir });
    expect(r.code).toBe(0);
    const config = await loadConfig(join(dir, 'peer-fhir.config.json'));
    expect(config.organization).toMatchObject({ npi: '1234567893', taxId: '123456789', taxonomy: '251S00000X', address: { state: 'TX', postalCode: '787011234' } });
    expect(config.payer).toEqual({ id: 'TXMCD', name: 'Texas Medicaid' });
    expect(config.pack).toBe('tx-medicaid-peer-specialist-2019');
    expect(config.charges).toEqual({ H0038: 18.5 });
    expect(r.stdout).toContain('Next:');
    expect(r.stdout).toContain('peer-fhir import');
    expect(r.stdout).toContain('peer-fhir bill');
  });

  it('refuses to replace an existing config without --force, and replaces it with --force', async () => {
    const dir = fresh('exists');
    const file = join(dir, 'peer-fhir.config.json');
    writeFileSync(file, '{"kept":true}\n');
    const r = await runCli(['init', ...GOOD], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[cli.init.file-exists]');
    expect(r.stderr).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe('{"kept":true}\n');
    const forced = await runCli(['init', ...GOOD, '--force', '--json'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).config.pack).toBe('tx-medicaid-peer-specialist-2019');
    await expect(loadConfig(file)).resolves.toBeDefined();
  });

  it('names each bad option with a typed error and never echoes the values given', async () => {
    const dir = fresh('bad');
    const secrets = { npi: '1234567890', taxId: '98765SECRET', zip: '78701', state: 'Texasish', charge: 'H0038=lotsofmoney' };
    const r = await runCli(['init', ...GOOD, '--npi', secrets.npi, '--tax-id', secrets.taxId, '--zip', secrets.zip, '--state', secrets.state, '--charge', secrets.charge], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[cli.init.option-invalid]');
    expect(r.stderr).toContain('--npi: NPI check digit is invalid');
    expect(r.stderr).toContain('--tax-id: must be a nine-digit EIN');
    expect(r.stderr).toContain('--zip: must be ZIP+4');
    expect(r.stderr).toContain('--state: must be a two-letter state code');
    expect(r.stderr).toMatch(/--charge: item \d must be CODE=AMOUNT/);
    for (const v of Object.values(secrets)) expect(r.stderr + r.stdout).not.toContain(v);
    expect(existsSync(join(dir, 'peer-fhir.config.json'))).toBe(false);
  });

  it('without a terminal, names every missing required option instead of asking', async () => {
    const r = await runCli(['init'], { cwd: fresh('missing') });
    expect(r.code).toBe(2);
    for (const o of ['--name', '--npi', '--tax-id', '--address', '--city', '--state', '--zip', '--phone', '--payer-id', '--pack']) expect(r.stderr).toContain(`${o}: is required`);
  });

  it('refuses a pack of another state, and a pack without a published rate until the agency gives its charge (837P SV102)', async () => {
    const dir = fresh('pack');
    const other = await runCli(['init', ...GOOD, '--pack', 'nc-alliance-peer-support-2019'], { cwd: dir });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--pack: is for another state than --state');
    const noCharge = GOOD.slice(0, GOOD.indexOf('--charge'));
    const unpriced = await runCli(['init', ...noCharge], { cwd: dir });
    expect(unpriced.code).toBe(2);
    expect(unpriced.stderr).toContain('--charge: H0038 needs a charge');
  });
});

/**
 * Run the CLI on a pseudo-terminal (util-linux `script`), answering each prompt once its text (or an error under it)
 * has appeared: like a person at the keyboard, without timing guesses.
 */
function runInTerminal(args: readonly string[], cwd: string, steps: readonly (readonly [string, string])[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', [process.execPath, BIN, ...args].join(' '), '/dev/null'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let step = 0;
    let from = 0;
    const timer = setTimeout(() => child.kill(), 40_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      for (let at; step < steps.length && (at = output.indexOf(steps[step]![0], from)) >= 0; step++) {
        from = at + steps[step]![0].length;
        child.stdin.write(steps[step]![1]);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('peer-fhir init in a terminal', () => {
  const hasScript = existsSync('/usr/bin/script');
  it.skipIf(!hasScript)('asks for each value, re-asks after a bad NPI, offers the state\'s packs, and writes the config', async () => {
    const dir = fresh('tty');
    const erase = '\x7f'.repeat(12);
    const r = await runInTerminal(['init'], dir, [
      ['Agency legal name', 'Harbor Peer Agency\r'],
      ['Agency NPI', '1234567890\r'],
      ['NPI check digit is invalid', `${erase}1234567893\r`],
      ['Tax id', '123456789\r'],
      ['Agency taxonomy', '\r'],
      ['Street address', '1 Main St\r'],
      ['City', 'Austin\r'],
      ['State (two letters)', 'TX\r'],
      ['ZIP+4', '787011234\r'],
      ['Billing office phone', '5125550100\r'],
      ['Medicaid payer id', 'TXMCD\r'],
      ['Rule pack', '\r'],
      ['Payer name', '\r'],
      ['Your charge per unit of H0038', '18.50\r'],
    ]);
    expect(r.code, r.output.slice(-2000)).toBe(0);
    const config = await loadConfig(join(dir, 'peer-fhir.config.json'));
    expect(config).toMatchObject({ organization: { npi: '1234567893', taxonomy: '251S00000X', phone: '5125550100' }, payer: { id: 'TXMCD', name: 'Texas Medicaid' }, pack: 'tx-medicaid-peer-specialist-2019', charges: { H0038: 18.5 } });
    expect(r.output).toContain('Next:');
  }, 180_000);
});

describe('peer-fhir init, then import, bill and report html with the config it wrote (from an empty folder)', () => {
  it('imports every row, bills the month and reports it', async () => {
    const dir = fresh('flow');
    const { agency, rows } = syntheticRows(60, 21);
    const c = configFor(agency);
    const o = c.organization;
    const r = await runCli(
      ['init', '--name', o.name, '--npi', o.npi, '--tax-id', o.taxId, '--taxonomy', o.taxonomy, '--address', o.address.line[0]!, '--city', o.address.city, '--state', o.address.state, '--zip', o.address.postalCode, '--phone', '5125550100',
        '--payer-id', c.payer.id, '--payer-name', c.payer.name, '--pack', c.pack, '--charge', 'H0038=18.50'],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    writeFileSync(join(dir, 'export.csv'), stringify(rows, { header: true, columns: [...IMPORT_COLUMNS] }));
    const imported = await runCli(['import', 'export.csv', '--json'], { cwd: dir });
    expect(JSON.parse(imported.stdout)).toMatchObject({ created: rows.length, rejected: 0 });
    const month = rows[0]!['start']!.slice(0, 7);
    const billed = await runCli(['bill', '--period', month, '--out', 'claims.x12', '--json'], { cwd: dir });
    expect([0, 1], billed.stderr).toContain(billed.code);
    const report = JSON.parse(billed.stdout);
    expect(report.pack.id).toBe('tx-medicaid-peer-specialist-2019');
    expect(report.totals.items).toBeGreaterThan(0);
    const html = await runCli(['report', 'html', '--period', month, '--bill-report', 'claims.report.json', '--out', 'month.html', '--json'], { cwd: dir });
    expect(html.code, html.stderr).toBe(0);
    const figures = JSON.parse(html.stdout);
    expect(figures.agency).toEqual({ name: o.name, npi: o.npi });
    expect(figures.billing.totals).toMatchObject({ items: report.totals.items, held: report.totals.held, claims: report.claims });
    expect(figures.money).toMatchObject({ claims: report.claims, claimResponses: 0, claimsWithoutResponse: report.claims });
    expect(readFileSync(join(dir, 'month.html'), 'utf8')).toContain('<!DOCTYPE html>');
  }, 120_000);
});

describe('runInit in-process', () => {
  it('asks for each missing value when interactive, re-asking until the answer passes the same checks as the flags', async () => {
    const dir = fresh('prompt');
    const answers: Record<string, string[]> = {
      'Agency legal name': ['Harbor Peer Agency'],
      'Agency NPI': ['1234567890', '1234567893'], // first answer fails the check digit
      'Tax id': ['12-3456789', '123456789'],
      'Agency taxonomy': [''],
      'Street address': ['1 Main St'],
      City: ['Austin'],
      State: ['TX'],
      'ZIP+4': ['78701', '78701-1234'],
      'Billing office phone': ['555-0100', '5125550100'],
      'Medicaid payer id': ['TXMCD'],
      'Payer name': [''],
      'Your charge per unit of H0038': ['0', '18.50'],
    };
    const rejected: string[] = [];
    const prompter: InitPrompter = {
      async text(q) {
        const key = Object.keys(answers).find((k) => q.message.startsWith(k));
        expect(key, q.message).toBeDefined();
        for (const a of answers[key!]!) {
          const value = a === '' && q.default !== undefined ? q.default : a;
          const ok = q.validate(value);
          if (ok === true) return value;
          rejected.push(`${key}: ${ok}`);
        }
        throw new Error(`no valid answer for ${key}`);
      },
      async choose(q) {
        expect(q.choices.map((c) => c.value)).toContain('tx-medicaid-peer-specialist-2019');
        expect(q.choices.map((c) => c.value)).not.toContain('nc-alliance-peer-support-2019');
        return 'tx-medicaid-peer-specialist-2019';
      },
    };
    const { config } = await runInit({ interactive: true, prompter }, ioIn(dir));
    expect(rejected).toEqual([
      'Agency NPI: NPI check digit is invalid',
      'Tax id: must be a nine-digit EIN',
      'ZIP+4: must be ZIP+4, nine digits (837P 2010AA N403)',
      'Billing office phone: must be 10 digits',
      'Your charge per unit of H0038: must be a positive dollar amount',
    ]);
    expect(config).toMatchObject({ organization: { npi: '1234567893', phone: '5125550100', taxonomy: '251S00000X', address: { postalCode: '787011234' } }, payer: { id: 'TXMCD', name: 'Texas Medicaid' }, charges: { H0038: 18.5 } });
    expect(await loadConfig(join(dir, 'peer-fhir.config.json'))).toEqual(config);
  });

  it('accepts an NPI exactly when its tenth digit is the Luhn check digit of the first nine (CMS NPI standard)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[12]\d{8}$/), fc.integer({ min: 0, max: 9 }), async (nine, digit) => {
        const dir = fresh('npi');
        const run = runInit({ ...good, npi: `${nine}${digit}` }, ioIn(dir));
        if (digit === luhnNpiDigit(nine)) await expect(run).resolves.toMatchObject({ config: { organization: { npi: `${nine}${digit}` } } });
        else await expect(run).rejects.toSatisfy((e) => e instanceof InitOptionError && e.invalid.some((p) => p.option === '--npi'));
      }),
      { numRuns: 40 },
    );
  });

  it('never puts a value it was given into an error, whatever the values', async () => {
    const junk = fc.string({ minLength: 1, maxLength: 20 }).map((s) => `Zq${s}`);
    await fc.assert(
      fc.asyncProperty(fc.record({ npi: junk, taxId: junk, state: junk, zip: junk, taxonomy: junk, phone: junk, charge: junk }), async (v) => {
        const err = await runInit({ ...good, ...v, charge: [v.charge] }, ioIn(fresh('junk'))).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(InitOptionError);
        const text = JSON.stringify({ message: (err as InitOptionError).message, problems: (err as InitOptionError).problems, details: (err as InitOptionError).details });
        for (const value of Object.values(v)) expect(text).not.toContain(value);
      }),
      { numRuns: 30 },
    );
  });
});
