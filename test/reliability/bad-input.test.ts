// R3 Bad input: every public parser, fed mutated input (fast-check), either succeeds or throws one of the SDK's typed
// errors, and no synthetic PHI value placed in the input ever appears in an error. Short mode ~500 cases per parser;
// `pnpm test:long` runs 100,000 each.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { Bundle } from 'fhir/r4.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConsentDirective,
  FhirMappingError,
  fromFhir,
  Organization,
  parseRecord,
  Participant,
  PeerEncounter,
  PeerFhirValidationError,
  PeerSpecialist,
  RecoveryPlan,
  toFhir,
  type DomainRecords,
} from '@peer-fhir/core';
import { listPacks, loadPack, RulePackError } from '@peer-fhir/billing';
import { read835, X12InputError, X12ParseError } from '@peer-fhir/x12';
import { recordSet } from '../../packages/core/test/arbitraries.js';
import { billedAgency, remittanceFor } from './support/billing.js';
import { CliUsageError, parseConfig, runValidate, type CommandIo } from '../../packages/cli/src/index.js';
import { configFor, syntheticRows } from '../../packages/cli/test/support.js';
import { toCsv } from './support/cli.js';
import { pick } from './support/mode.js';
import { errorText, jsonMutation, mutateJson, mutateX12, PHI_PREFIX, textMutation, type TextMutation } from './support/mutate.js';

const RUNS = pick(500, 100_000);
const SEED = Number(process.env.PEER_FHIR_SEED ?? 20261122);
const TIMEOUT = pick(60_000, 3_600_000);
const mutations = fc.array(jsonMutation, { minLength: 1, maxLength: 4 });

/** The error is one of ours, and carries no PHI marker. Returns the error's class name for the tally. */
function expectTypedAndPhiFree(e: unknown, allowed: readonly (new (...a: never[]) => Error)[]): string {
  if (!allowed.some((C) => e instanceof C)) throw new Error(`untyped error escaped: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`);
  const text = errorText(e);
  if (text.includes(PHI_PREFIX)) throw new Error(`PHI marker in error: ${text.slice(0, 500)}`);
  return (e as Error).name;
}

const schemas = [
  ['Organization', Organization],
  ['PeerSpecialist', PeerSpecialist],
  ['Participant', Participant],
  ['PeerEncounter', PeerEncounter],
  ['RecoveryPlan', RecoveryPlan],
  ['ConsentDirective', ConsentDirective],
] as const;

describe('core domain schemas (parseRecord) with mutated records', () => {
  it.each(schemas)('%s: never throws, reports issues with paths and no PHI', (name, schema) => {
    const key = { Organization: 'organizations', PeerSpecialist: 'specialists', Participant: 'participants', PeerEncounter: 'encounters', RecoveryPlan: 'plans', ConsentDirective: 'consents' }[name];
    let rejected = 0;
    fc.assert(
      fc.property(recordSet, mutations, (set, muts) => {
        const records = (set as unknown as Record<string, unknown[]>)[key]!;
        const input = mutateJson(records[0] ?? {}, muts);
        const r = parseRecord(schema, input, name);
        if (!r.ok) {
          rejected++;
          expect(r.issues.length).toBeGreaterThan(0);
          expectTypedAndPhiFree(r.error, [PeerFhirValidationError]);
          for (const i of r.issues) expect(`${i.path} ${i.message}`).not.toContain(PHI_PREFIX);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(rejected).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe('core fromFhir with mutated FHIR bundles', () => {
  it('returns records or throws FhirMappingError, never anything else, never with PHI', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(recordSet, mutations, (set, muts) => {
        const bundle = toFhir(set as unknown as DomainRecords);
        const input = mutateJson(bundle, muts) as Bundle;
        try {
          fromFhir(input);
          seen.set('ok', (seen.get('ok') ?? 0) + 1);
        } catch (e) {
          const n = expectTypedAndPhiFree(e, [FhirMappingError]);
          seen.set(n, (seen.get(n) ?? 0) + 1);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(seen.get('FhirMappingError') ?? 0).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe('billing loadPack with mutated rule packs', () => {
  it('returns a pack or throws RulePackError, never with PHI', () => {
    const packs = listPacks().map((p) => JSON.parse(JSON.stringify(p)) as unknown);
    let rejected = 0;
    fc.assert(
      fc.property(fc.nat(), mutations, (i, muts) => {
        const input = mutateJson(packs[i % packs.length], muts);
        try {
          loadPack(input);
        } catch (e) {
          rejected++;
          expectTypedAndPhiFree(e, [RulePackError]);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(rejected).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe('x12 read835 with mutated 835 text', () => {
  let text: string;
  beforeAll(() => {
    const { inputs } = billedAgency({ participants: 12 });
    text = remittanceFor(inputs.slice(0, 6));
  });

  it('reads the unmutated 835', () => {
    expect(read835(text).length).toBe(1);
  });

  it('returns remittances or throws X12ParseError / X12InputError, never with PHI', () => {
    let rejected = 0;
    fc.assert(
      fc.property(fc.array(textMutation, { minLength: 1, maxLength: 4 }), (muts) => {
        const input = mutateX12(text, muts);
        try {
          read835(input);
        } catch (e) {
          rejected++;
          expectTypedAndPhiFree(e, [X12ParseError, X12InputError]);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(rejected).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe('CLI config (parseConfig) with mutated config files', () => {
  it('returns a config or throws CliUsageError, never with PHI (message or per-path details)', () => {
    const { agency } = syntheticRows(10);
    const config = JSON.parse(JSON.stringify({ ...configFor(agency), namespace: 'https://ehr.example.org/ids' })) as unknown;
    expect(() => parseConfig(config)).not.toThrow();
    let rejected = 0;
    fc.assert(
      fc.property(mutations, (muts) => {
        try {
          parseConfig(mutateJson(config, muts));
        } catch (e) {
          rejected++;
          expectTypedAndPhiFree(e, [CliUsageError]);
          const details = (e as CliUsageError).problems.join('\n');
          if (details.includes(PHI_PREFIX)) throw new Error(`PHI marker in config problem details: ${details.slice(0, 500)}`);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(rejected).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe('CLI import rows (runValidate, the checks `import` runs) with mutated CSV and NDJSON', () => {
  // Each case writes a file and validates it in-process: 200 cases in CI, the full 100,000 in the long mode.
  const CLI_RUNS = pick(200, 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-r3-cli-'));
  const { agency, rows } = syntheticRows(12);
  const cfg = join(dir, 'peer-fhir.config.json');
  writeFileSync(cfg, JSON.stringify(configFor(agency)));

  /** Validate `file` with output captured; every outcome but a problem list or a CliUsageError fails. */
  async function validateCaptured(file: string): Promise<{ problems: number; text: string }> {
    let text = '';
    const sink = () => new Writable({ write: (chunk: Buffer | string, _enc, cb) => ((text += chunk.toString()), cb()) });
    const io: CommandIo = { stdout: sink(), stderr: sink(), json: false, env: {}, cwd: dir };
    try {
      const r = await runValidate([file], { config: cfg }, io);
      return { problems: r.problems.length, text: `${text}\n${JSON.stringify(r.problems)}` };
    } catch (e) {
      expectTypedAndPhiFree(e, [CliUsageError]);
      return { problems: 1, text: `${text}\n${errorText(e)}\n${(e as CliUsageError).problems.join('\n')}` };
    }
  }

  it('accepts the unmutated rows', async () => {
    const file = join(dir, 'clean.csv');
    writeFileSync(file, toCsv(rows));
    expect(await validateCaptured(file)).toMatchObject({ problems: 0 });
  });

  /** CSV text mutations: PHI markers in cells, deleted or inserted characters (quotes, commas, newlines), truncation, duplicated lines. */
  function mutateCsv(text: string, muts: readonly TextMutation[]): string {
    let t = text;
    for (const m of muts) {
      if (m.kind === 'element') {
        const lines = t.split('\n');
        const li = 1 + (m.pick % Math.max(1, lines.length - 1));
        const cells = (lines[li] ?? '').split(',');
        cells[m.pick % cells.length] = m.marker;
        lines[li] = cells.join(',');
        t = lines.join('\n');
      } else if (m.kind === 'duplicate-segment') {
        const lines = t.split('\n');
        const li = m.pick % lines.length;
        lines.splice(li, 0, lines[li]!);
        t = lines.join('\n');
      } else t = mutateX12(t, [m.kind === 'insert' ? { ...m, text: m.text.replaceAll('~', '"').replaceAll('*', ',') } : m]);
    }
    return t;
  }

  it('CSV: problems by row and column or CliUsageError, never a PHI marker in any output', async () => {
    let withProblems = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(textMutation, { minLength: 1, maxLength: 4 }), async (muts) => {
        const file = join(dir, `case-${n++ % 8}.csv`);
        // The header line is kept: header cells are column names, and a wrong one is reported by name (see the
        // known finding below). Everything after it is mutated.
        const csv = toCsv(rows);
        const cut = csv.indexOf('\n') + 1;
        writeFileSync(file, csv.slice(0, cut) + mutateCsv(`\n${csv.slice(cut)}`, muts).slice(1));
        const r = await validateCaptured(file);
        if (r.problems > 0) withProblems++;
        if (r.text.includes(PHI_PREFIX)) throw new Error(`PHI marker in validate output: ${r.text.slice(0, 500)}`);
      }),
      { numRuns: CLI_RUNS, seed: SEED },
    );
    expect(withProblems).toBeGreaterThan(0);
  }, TIMEOUT);

  // Known finding (R3, open): a CSV exported WITHOUT a header row has its first data row taken as the header, and the
  // CLI reports those cells by value as "unknown column(s): …", so PHI of the first row reaches stderr. `it.fails`
  // keeps this visible: it starts failing (and must become a plain `it`) once packages/cli stops echoing them.
  it('a header-less CSV is refused without echoing its first row as column names', async () => {
    const file = join(dir, 'no-header.csv');
    writeFileSync(file, toCsv(rows.map((r) => ({ ...r, participant_family: `${PHI_PREFIX}424242Q` }))).split('\n').slice(1).join('\n'));
    const r = await validateCaptured(file);
    expect(r.text).not.toContain(PHI_PREFIX);
  });

  it('NDJSON: problems by row and key or CliUsageError, never a PHI marker in any output', async () => {
    let withProblems = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutations, async (muts) => {
        const file = join(dir, `case-${n++ % 8}.ndjson`);
        const mutated = mutateJson(rows, muts);
        const lines = Array.isArray(mutated) ? mutated.map((r) => JSON.stringify(r) ?? 'null') : [JSON.stringify(mutated) ?? 'null'];
        writeFileSync(file, `${lines.join('\n')}\n`);
        const r = await validateCaptured(file);
        if (r.problems > 0) withProblems++;
        if (r.text.includes(PHI_PREFIX)) throw new Error(`PHI marker in validate output: ${r.text.slice(0, 500)}`);
      }),
      { numRuns: CLI_RUNS, seed: SEED },
    );
    expect(withProblems).toBeGreaterThan(0);
  }, TIMEOUT);
});
