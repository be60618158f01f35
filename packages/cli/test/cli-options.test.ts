// One option vocabulary: a flag that several commands offer means one thing, with one help text, one default and
// one set of choices (internal/command.ts declares each once). Read from the commander program as it is registered,
// so a command that spells an option out again with other words fails here.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram, ExitCode, main, type CommandIo } from '../src/index.js';

/**
 * Flags whose value is a different thing per command; each command's own help says what. Every other flag offered by
 * more than one command must be declared once.
 */
const OWN_MEANING: Record<string, string> = {
  '--out': 'the file or folder written differs: an 837P, a 270, a 276, an HTML page, Markdown, NDJSON, a config, the demo folder',
  '--read': 'the X12 answer read differs: a 271 (eligibility), a 277 (status)',
  '--period': 'a billing month (bill, report html) or a range of months (report compliance, report outcomes)',
  '--since': "sync's checkpoint (auto, all or an instant), the disclosures report's first day",
  '--as-of': "status's day ages are counted from, compliance's day credentials are judged on",
  '--participant': 'several source-system ids to ask about (eligibility), the one participant of a report (disclosures)',
  '--pack': 'the pack init writes into the config (an id), the pack bill applies (an id or a pack file)',
};

/**
 * Commands where a shared flag names the other side of the wire: the server's `--auth-token`/`--auth-env` are what it
 * demands, a client's what it sends; sync's `--from`/`--to` are FHIR base URLs, the reports' days.
 */
const OTHER_SIDE: Record<string, readonly string[]> = {
  serve: ['--auth-token', '--auth-env'],
  sync: ['--from', '--to'],
};

interface Declared {
  command: string;
  flags: string;
  description: string;
  defaultValue: unknown;
  choices: readonly string[] | undefined;
  mandatory: boolean;
}

const declared = (command: string, o: Option): Declared => ({
  command,
  flags: o.flags,
  description: o.description,
  defaultValue: o.defaultValue,
  choices: o.argChoices,
  mandatory: o.mandatory,
});

/** Every registered command (the reports under `report`) with its options, as commander holds them. */
function registeredOptions(): Declared[] {
  const { program } = createProgram();
  const walk = (cmd: Command, prefix: string): Declared[] =>
    cmd.commands.flatMap((c) => {
      const name = `${prefix}${c.name()}`;
      return [...c.options.map((o) => declared(name, o)), ...walk(c, `${name} `)];
    });
  return walk(program, '');
}

const all = registeredOptions();
const byFlag = new Map<string, Declared[]>();
for (const d of all) {
  const long = d.flags.split(/[ ,]+/).find((f) => f.startsWith('--')) ?? d.flags;
  if (OWN_MEANING[long] !== undefined || OTHER_SIDE[d.command]?.includes(long)) continue;
  byFlag.set(long, [...(byFlag.get(long) ?? []), d]);
}
const repeated = [...byFlag].filter(([, ds]) => ds.length > 1);

describe('one option vocabulary across commands', () => {
  it('finds the options every command shares (the check reads the registered program)', () => {
    const offering = (flag: string) => (byFlag.get(flag) ?? []).map((d) => d.command);
    expect(offering('--json')).toEqual(expect.arrayContaining(['init', 'import', 'bill', 'remit', 'ack', 'eligibility', 'status', 'report compliance', 'report outcomes', 'report html', 'report disclosures', 'validate', 'packs', 'serve', 'export', 'sync', 'demo']));
    expect(offering('--config')).toEqual(expect.arrayContaining(['import', 'bill', 'remit', 'ack', 'eligibility', 'status', 'report compliance', 'report outcomes', 'report html', 'report disclosures', 'validate']));
    expect(repeated.length).toBeGreaterThanOrEqual(8);
  });

  it.each(repeated)('%s has one flag spelling, help text, default and choices in every command that offers it', (_flag, ds) => {
    const [first] = ds;
    const shape = ({ flags, description, defaultValue, choices, mandatory }: Declared) => ({ flags, description, defaultValue, choices, mandatory });
    for (const d of ds) expect({ command: d.command, ...shape(d) }).toEqual({ command: d.command, ...shape(first ?? d) });
  });

  it('gives --config no default value: every command finds ./peer-fhir.config.json the same way (resolveConfig)', () => {
    expect((byFlag.get('--config') ?? []).map((d) => d.defaultValue)).toEqual((byFlag.get('--config') ?? []).map(() => undefined));
  });
});

describe('the default config is an input too', () => {
  it('import refuses a rejects file that would overwrite ./peer-fhir.config.json when --config is not given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-options-'));
    const config = join(dir, 'peer-fhir.config.json');
    writeFileSync(config, '{"kept":true}\n');
    writeFileSync(join(dir, 'rows.csv'), 'encounter_id\n1\n');
    let err = '';
    const sink = { write: () => true } as unknown as CommandIo['stdout'];
    const stderr = { write: (t: string) => ((err += t), true) } as unknown as CommandIo['stderr'];
    const code = await main(['node', 'peer-fhir', 'import', join(dir, 'rows.csv'), '--rejects', config], { stdout: sink, stderr, cwd: dir, env: {} });
    expect(code).toBe(ExitCode.USAGE);
    expect(err).toContain('is also an input file');
    expect(readFileSync(config, 'utf8')).toBe('{"kept":true}\n');
  });
});
