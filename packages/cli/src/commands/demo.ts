import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { ClaimItem } from 'fhir/r4.js';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import type { X12ClaimInput } from '@peer-fhir/x12';
import { build835ForTest, type LineDecision } from '@peer-fhir/x12/testing';
import { generateAgency } from '@peer-fhir/testing/synthetic';
import { parseConfig, type CliConfig } from '../config.js';
import { ExitCode } from '../errors.js';
import { IMPORT_COLUMNS } from '../import/columns.js';
import { rowsOf } from '../internal/synthetic-rows.js';
import { startPersistentServer } from '../internal/embedded.js';
import { printJson, say, type CommandIo } from '../internal/io.js';
import { runBill } from './bill.js';
import { runImport } from './import.js';
import { runRemit } from './remit.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runDemo} (`peer-fhir demo`).
 *
 * @example
 * ```ts
 * const opts: DemoOptions = { out: 'peer-fhir-demo' };
 * ```
 * @category Demo
 */
export interface DemoOptions {
  /** Output folder (default `.peer-fhir/demo`); its FHIR data is started afresh each run. */
  out?: string | undefined;
  /** Seed of the synthetic agency (default 2025). */
  seed?: number | undefined;
  /** Participants of the synthetic agency (default 40). */
  participants?: number | undefined;
}

/**
 * What the demo produced and where.
 *
 * @example
 * ```ts
 * const { files, billed } = await runDemo({}, io);
 * ```
 * @category Demo
 */
export interface DemoResult {
  pack: string;
  period: string;
  rows: number;
  imported: { created: number; alreadyPresent: number; rejected: number };
  billed: { items: number; billed: number; held: number; claims: number; lines: number; charge: number };
  remit: Record<string, number>;
  files: { csv: string; config: string; x12: string; claims: string; report: string; reportJson: string; remit: string; fhirData: string };
  exitCode: ExitCode;
}

const PACK = 'tx-medicaid-peer-specialist-2019';
const PERIOD = '2025-03';

/** The synthetic payer's decision per line: most paid, some reduced, some with units cut, some denied. */
function payerDecision(): (input: X12ClaimInput, item: ClaimItem) => LineDecision {
  let n = 0;
  return (_input, item) => {
    const charge = Math.round((item.net?.value ?? 0) * 100);
    const k = n++ % 8;
    if (k === 0) return { kind: 'denied', reason: '197' };
    if (k === 1) return { kind: 'partial', paid: Math.floor(charge * 0.8) / 100 };
    if (k === 2) {
      const paid = Math.floor(charge / 2);
      return { kind: 'partial', paid: paid / 100, adjustments: [{ group: 'CO', reason: '151', amount: (charge - paid) / 100 }] };
    }
    return { kind: 'paid' };
  };
}

/**
 * The whole flow on synthetic data (no real person's data): start the embedded FHIR server, generate a month of
 * encounters for a small Texas agency as an import CSV, import it, bill it under the Texas Medicaid pack, answer the
 * claims with a generated 835 (some paid, some adjusted, some denied), read it back, and say where everything is.
 *
 * @param opts - the options of `peer-fhir demo` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the files written, the import, bill and remit results and the exit code
 * @example
 * ```ts
 * import { runDemo } from '@peer-fhir/cli';
 * const result = await runDemo({ out: 'peer-fhir-demo' }, io);
 * console.log(result.files.x12);
 * ```
 * @category Commands
 */
export async function runDemo(opts: DemoOptions, io: CommandIo): Promise<DemoResult> {
  const out = opts.out === undefined ? join(io.cwd, '.peer-fhir/demo') : isAbsolute(opts.out) ? opts.out : join(io.cwd, opts.out);
  const rel = (p: string) => relative(io.cwd, p) || '.';
  const fhirData = join(out, 'fhir-data');
  await rm(fhirData, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const quiet: CommandIo = { ...io, json: true, stdout: { write: () => true } as unknown as CommandIo['stdout'] };
  const step = (s: string) => say(io, `\n== ${s}`);

  step('1. a synthetic agency (Texas, one month)');
  const { agency, config, files, rows } = await syntheticAgency(opts, out, fhirData, io, rel);

  step('2. the embedded FHIR server');
  const server = await startPersistentServer({ dataDir: fhirData });
  say(io, `FHIR R4 at ${server.url}, data saved to ${rel(fhirData)}`);
  try {
    step('3. import (twice: the second run writes nothing)');
    const imported = await demoImport(agency, config, files.csv, out, server.url, io, quiet);

    step(`4. bill ${PERIOD} under ${PACK}`);
    const bill = await runBill({ pack: PACK, period: PERIOD, out: files.x12, fhirUrl: server.url, configValue: config, date: new Date('2025-04-02T12:00:00Z') }, quiet);
    const t = bill.report.totals;
    say(io, `items ${t.items}: billed ${t.billed}, partly ${t.partial}, held ${t.held}; ${bill.report.claims} claims, ${bill.report.lines} lines, $${t.charge.toFixed(2)}`);
    for (const [code, count] of Object.entries(bill.report.holdsByCode)) say(io, `  held ${code}: ${count}`);

    if (bill.inputs.length === 0) throw new Error('the demo billed nothing; see the report');
    step('5. the payer answers with an 835');
    const remit = await demoRemit(bill.inputs, config, files.remit, server.url, io, quiet);

    const saved = await server.save();
    step('done');
    printDemoFiles(io, files, rel, saved);
    const result: DemoResult = {
      pack: PACK,
      period: PERIOD,
      rows: rows.length,
      imported,
      billed: { items: t.items, billed: t.billed, held: t.held, claims: bill.report.claims, lines: bill.report.lines, charge: t.charge },
      remit: remit.counts,
      files,
      exitCode: ExitCode.OK,
    };
    if (io.json) printJson(io, result);
    return result;
  } finally {
    await server.close();
  }
}

/** Step 1: a synthetic Texas agency for one month, its import rows (CSV) and its config, written to `out`. */
async function syntheticAgency(opts: DemoOptions, out: string, fhirData: string, io: CommandIo, rel: (p: string) => string) {
  const agency = generateAgency({ seed: opts.seed ?? 2025, months: 1, participants: opts.participants ?? 40, state: 'TX', start: `${PERIOD}-01` });
  // 2010AA N403: the billing provider's ZIP must be ZIP+4.
  const organization = { ...agency.organization, address: { ...agency.organization.address, postalCode: `${agency.organization.address.postalCode.slice(0, 5)}1234` } };
  const payer = agency.payers[0]!;
  const config: CliConfig = parseConfig({
    organization,
    payer: { id: payer.payerId, name: payer.payerName, ...(payer.planName ? { planName: payer.planName } : {}) },
    pack: PACK,
    charges: { H0038: 18.5 },
  });
  const files = {
    csv: join(out, 'encounters-2025-03.csv'),
    config: join(out, 'peer-fhir.config.json'),
    x12: join(out, `claims-${PERIOD}.x12`),
    claims: join(out, `claims-${PERIOD}.claims.ndjson`),
    report: join(out, `claims-${PERIOD}.report.md`),
    reportJson: join(out, `claims-${PERIOD}.report.json`),
    remit: join(out, `remit-${PERIOD}.835`),
    fhirData: fhirData,
  };
  const rows = agency.encounters.flatMap((e) => rowsOf(agency, e));
  await writeFile(files.csv, stringify(rows, { header: true, columns: [...IMPORT_COLUMNS] }));
  await writeFile(files.config, `${JSON.stringify(config, null, 2)}\n`);
  say(io, `${agency.participants.length} participants, ${agency.specialists.length} peer specialists, ${agency.encounters.length} encounters -> ${rows.length} rows in ${rel(files.csv)}`);
  say(io, `config: ${rel(files.config)} (the agency, its payer and pack ${PACK}; for your own agency: peer-fhir init)`);
  say(io, 'The synthetic records are seeded with problems (expired credentials, expired or revoked Part 2 consents, modalities the pack does not pay for, participants outside its age range and more), so some items are held: the holds in step 4 are the pre-bill edits at work, not a failure.');
  return { agency, config, files, rows };
}

/** Step 3: import the rows twice (the second run writes nothing), then the consents and plans through the SDK. */
async function demoImport(agency: ReturnType<typeof generateAgency>, config: CliConfig, csv: string, out: string, url: string, io: CommandIo, quiet: CommandIo): Promise<DemoResult['imported']> {
  const rejects = join(out, 'encounters-2025-03.rejects.csv');
  const imported = await runImport([csv], { fhirUrl: url, configValue: config, rejects }, quiet);
  say(io, `rows ${imported.rowsRead}: created ${imported.created}, already present ${imported.alreadyPresent}, rejected ${imported.rejected} (${imported.seconds.toFixed(1)} s)`);
  const again = await runImport([csv], { fhirUrl: url, configValue: config, rejects }, quiet);
  say(io, `again: created ${again.created}, already present ${again.alreadyPresent}`);
  // Plans and consents come from the EHR's other screens; the demo records them through the SDK directly.
  const peer = new PeerClient(new PeerFhirClient({ baseUrl: url }), { agency: config.organization.npi, namespace: config.namespace });
  // Only participants with a visit were imported: a consent or plan of anyone else has no patient to point to.
  const seen = new Set(agency.encounters.flatMap((e) => e.attendees.map((a) => a.participantId)));
  const consents = agency.consents.filter((c) => seen.has(c.participantId));
  const plans = agency.plans.filter((p) => seen.has(p.participantId));
  for (const c of consents) await peer.grantConsent(c);
  for (const plan of plans) {
    const specialist = agency.specialists.find((s) => s.npi === plan.peerNpi);
    await peer.upsertRecoveryPlan(plan, specialist ? { specialist } : {});
  }
  const skipped = agency.consents.length - consents.length + agency.plans.length - plans.length;
  say(io, `recorded ${consents.length} consents and ${plans.length} recovery plans${skipped ? ` (${skipped} of participants without a visit skipped)` : ''}`);
  return { created: imported.created, alreadyPresent: again.alreadyPresent, rejected: imported.rejected };
}

/** Step 5: the payer's 835 for what was billed, read back with `remit`. */
async function demoRemit(inputs: readonly X12ClaimInput[], config: CliConfig, file: string, url: string, io: CommandIo, quiet: CommandIo) {
  const text835 = build835ForTest(inputs, payerDecision(), {
    sender: { id: config.payer.id.slice(0, 15) },
    receiver: { id: config.organization.taxId },
    traceNumber: `EFT${PERIOD.replace('-', '')}`,
    payer: { name: config.payer.name, tin: '999999999', id: config.payer.id.slice(0, 15) },
    date: new Date('2025-04-20T12:00:00Z'),
    controlNumbers: { isa: 501, gs: 501, st: 1 },
  });
  await writeFile(file, text835);
  const remit = await runRemit(file, { fhirUrl: url, configValue: config }, quiet);
  const r = remit.reconciliation.totals;
  say(io, `${Object.entries(remit.counts).map(([k, v]) => `${k} ${v}`).join(', ')} lines; billed $${r.billed.toFixed(2)}, paid $${r.paid.toFixed(2)}, adjusted $${r.adjusted.toFixed(2)}`);
  for (const l of remit.reconciliation.lines.filter((x) => x.outcome !== 'paid').slice(0, 3)) say(io, `  e.g. ${l.patientControlNumber}: ${l.explanation}`);
  return remit;
}

/** The files the demo wrote. */
function printDemoFiles(io: CommandIo, files: DemoResult['files'], rel: (p: string) => string, saved: number): void {
  say(io, `config        ${rel(files.config)}`);
  say(io, `837P          ${rel(files.x12)}`);
  say(io, `FHIR Claims   ${rel(files.claims)}`);
  say(io, `report        ${rel(files.report)} (and .json)`);
  say(io, `835           ${rel(files.remit)}`);
  say(io, `FHIR data     ${rel(files.fhirData)} (${saved} resources; browse with: peer-fhir serve --data ${rel(files.fhirData)})`);
}

/** `peer-fhir demo`: its options and help, and how it runs (docs/cli.md). */
export const demoCommand: CommandDefinition<DemoOptions> = {
  name: 'demo',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('the whole flow on synthetic data: embedded server, import, bill (837P), remit (835), summary')
        .option('--out <dir>', 'output folder', '.peer-fhir/demo'),
      'json',
    )
      .addHelpText('after', examples(['peer-fhir demo', 'peer-fhir demo --out /tmp/demo --json'])),
  run: (o, io) => runDemo(o, io),
};
