import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import type { Claim } from 'fhir/r4.js';
import { PeerClient, type PeerFhirClient } from '@peer-fhir/client';
import { identifierSystems, type IdentityScope } from '@peer-fhir/core';
import { activePriorClaims, evaluateByParticipant, getPack, loadPack, mergeBillingResults, RulePackError, type BilledUnits, type BillingContext, type BillingResult, type PriorClaim, type RulePack } from '@peer-fhir/billing';
import type { X12ClaimInput } from '@peer-fhir/x12';
import { configFilesOf, resolveConfig, scopeOf, supervisorTaxonomiesOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { loadPeriodRecords, type PeriodRecords } from '../internal/billing-context.js';
import { eligibilityContext } from '../internal/eligibility-checks.js';
import { loadBillingInputs, type BillingInputs } from './bill/inputs.js';
import { assertNotAnInput, note, writePrivateFile, type CommandIo } from '../internal/io.js';
import { openTarget, type FhirTargetOptions } from '../internal/target.js';
import { correctionClaims, type BillCorrectionSummary } from './bill/corrections.js';
import { fillReport, onlyDuplicate, printBill, renderBillMarkdown } from './bill/report.js';
import { writeClaims } from './bill/write.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runBill} (`peer-fhir bill`).
 *
 * @example
 * ```ts
 * const opts: BillOptions = { pack: 'tx-medicaid-peer-specialist-2019', period: '2025-03', out: 'march.x12' };
 * ```
 * @category Bill
 */
export interface BillOptions extends FhirTargetOptions {
  /** Rule pack id (`peer-fhir packs`) or a path to a pack file ending in `.json` (validated); default the config's `pack`. */
  pack?: string | undefined;
  /** Billing month, `YYYY-MM`. */
  period: string;
  /** The 837P file to write. Claims (NDJSON) and the report (Markdown, JSON) are written next to it. */
  out: string;
  config?: string | undefined;
  configValue?: CliConfig | undefined;
  /** `Claim.created` and the 837P date (default now), for reproducible output. */
  date?: Date | undefined;
}

/**
 * The billing report `bill` writes as JSON (and as Markdown for people).
 *
 * @example
 * ```ts
 * const r: BillReport = (await runBill(opts, io)).report;
 * console.log(r.totals.charge, r.held.length);
 * ```
 * @category Bill
 */
export interface BillReport {
  pack: { id: string; version: string };
  period: string;
  encounters: number;
  totals: BillingResult['totals'];
  claims: number;
  lines: number;
  /** Billed charge and units by HCPCS code (with modifiers). */
  byCode: Record<string, { lines: number; units: number; charge: number }>;
  /** Billed charge and units by program. */
  byProgram: Record<string, { lines: number; units: number; charge: number }>;
  /** Counts of hold reasons by edit code. */
  holdsByCode: Record<string, number>;
  /** Every held or partly held encounter × participant with its reasons. */
  held: { encounterId: string; participantId: string; dateOfService: string; status: string; reasons: { code: string; reason: string }[] }[];
  files: { x12: string; claims: string; reportMarkdown: string; reportJson: string };
  /** Disclosure AuditEvents stored on the server before the 837P was written: one per claim carrying Part 2 data. */
  disclosuresRecorded?: number;
  /** Claims sent before: already billed (not billed again), replacements and voids sent, corrections awaiting the payer's claim number. */
  corrections?: BillCorrectionSummary;
  /**
   * Billing inputs read from the server for the period's participants: service orders, prior authorizations, service
   * lines of earlier claims counted against caps, and orders/authorizations that could not be read.
   */
  loaded?: { serviceOrders: number; priorAuthorizations: number; billedLines: number; unreadable: number };
}

/**
 * Result of {@link runBill}.
 *
 * @example
 * ```ts
 * const { report, exitCode } = await runBill(opts, io);
 * ```
 * @category Bill
 */
export interface BillResult {
  report: BillReport;
  /** The FHIR Claims written (also in the NDJSON file). */
  claims: Claim[];
  /** The claims as the 837P writer read them (for tools that build an 835 or resubmit). */
  inputs: X12ClaimInput[];
  exitCode: ExitCode;
}

/**
 * A pack by id (`peer-fhir packs`) or, when it names a `.json` file, loaded from that file and validated (problems by
 * JSON path, never values).
 */
async function packOf(idOrFile: string, cwd: string): Promise<RulePack> {
  if (!/\.json$/i.test(idOrFile)) {
    try {
      return getPack(idOrFile);
    } catch {
      throw new CliUsageError(`unknown rule pack ${idOrFile} (see peer-fhir packs), or give a pack file ending in .json`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(isAbsolute(idOrFile) ? idOrFile : join(cwd, idOrFile), 'utf8'));
  } catch {
    throw new CliUsageError(`cannot read ${idOrFile} as JSON`);
  }
  try {
    return loadPack(json);
  } catch (err) {
    if (err instanceof RulePackError) throw new CliUsageError(`${idOrFile} is not a valid rule pack`, err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`));
    throw err;
  }
}

/** The pack with the agency's charges for codes whose source gives no rate (837P SV102 needs a charge). */
function priced(pack: RulePack, charges: Record<string, number> | undefined): RulePack {
  if (!charges || pack.rates.every((r) => r.amount !== null)) return pack;
  return loadPack({
    ...pack,
    rates: pack.rates.map((r) => (r.amount !== null || charges[r.code] === undefined ? r : { ...r, amount: charges[r.code]! })),
  });
}

function monthRange(period: string): { from: string; to: string } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!m) throw new CliUsageError('--period must be a month YYYY-MM');
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` };
}

/** Units on the period's standing prior claims, as billed-units history (one entry per line). */
function billedInPeriod(priorClaims: readonly PriorClaim[]): BilledUnits[] {
  return activePriorClaims(priorClaims).flatMap((c) => c.items.map((i) => ({ participantId: i.participantId, date: i.dateOfService, code: i.code, units: i.units, priorAuthUnits: 0 })));
}

/** What a run is set up with before it reads anything: the month, config, pack, date and the files it writes. */
interface BillRun {
  from: string;
  to: string;
  config: CliConfig;
  scope: IdentityScope;
  pack: RulePack;
  date: Date;
  files: BillReport['files'];
}

/** Step 1: check the options, resolve the config and pack, name the output files and create their folder. */
async function setUpRun(opts: BillOptions, io: CommandIo): Promise<BillRun> {
  const { from, to } = monthRange(opts.period);
  if (!opts.out) throw new CliUsageError('--out FILE.x12 is required');
  const config = await resolveConfig(opts, io.cwd, true);
  const packId = opts.pack ?? config.pack;
  if (!packId) throw new CliUsageError('name a rule pack with --pack (see peer-fhir packs) or "pack" in the config');
  const pack = priced(await packOf(packId, io.cwd), config.charges);
  const base = join(dirname(opts.out), basename(opts.out, extname(opts.out)));
  const files = { x12: opts.out, claims: `${base}.claims.ndjson`, reportMarkdown: `${base}.report.md`, reportJson: `${base}.report.json` };
  assertNotAnInput(Object.values(files).map((f) => ['--out', f] as const), configFilesOf(opts, io.cwd));
  // The output folder exists before anything is disclosed: a missing folder must not leave a recorded disclosure
  // (AuditEvent) for an 837P that was never written.
  await mkdir(dirname(opts.out), { recursive: true, mode: 0o700 });
  return { from, to, config, scope: scopeOf(config), pack, date: opts.date ?? new Date(), files };
}

/** What step 2 read: the period's records, the billing inputs stored on the server, and the evaluation's context. */
interface PeriodRead {
  records: PeriodRecords;
  stored: BillingInputs;
  context: BillingContext;
}

/** Step 2: read the period's records, the claims sent before and the stored billing inputs into one BillingContext. */
async function readPeriod(client: PeerFhirClient, run: BillRun, io: CommandIo): Promise<PeriodRead> {
  const { from, to, scope, pack, config } = run;
  const records = await loadPeriodRecords(new PeerClient(client, scope), { from, to, scope });
  const stored = await loadBillingInputs(client, { scope, patients: Object.values(records.patients), pack, from, to });
  if (stored.unreadable > 0) note(io, `${stored.unreadable} stored service order(s) or prior authorization(s) could not be read and authorize nothing`);
  const context: BillingContext = {
    pack,
    encounters: records.encounters,
    participants: records.participants,
    specialists: records.specialists,
    plans: records.plans,
    consents: records.consents,
    serviceOrders: stored.serviceOrders,
    priorAuthorizations: stored.priorAuthorizations,
    // The month's own standing claims count against caps too: their encounters are not billed again.
    history: [...stored.history, ...billedInPeriod(stored.priorClaims)],
    priorClaims: stored.priorClaims,
    // The billing run is the disclosure to the payer: Part 2 consent is decided at it and on the date of service.
    billedAt: run.date.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(config.namespace ? { namespace: config.namespace } : {}),
    // 271 answers stored by `peer-fhir eligibility --read` (PB-ELIGIBILITY, PB-ELIGIBILITY-STALE).
    ...(await eligibilityContext(client, scope)),
  };
  return { records, stored, context };
}

/** The report of a run before its figures are filled in. */
function reportOf(run: BillRun, opts: BillOptions, read: PeriodRead, result: BillingResult, written: { claims: number; disclosuresRecorded: number }, corrections: BillCorrectionSummary): BillReport {
  const { stored } = read;
  return {
    pack: { id: run.pack.id, version: run.pack.version },
    period: opts.period,
    encounters: read.records.encounters.length,
    totals: result.totals,
    claims: written.claims,
    lines: result.lines.length,
    byCode: {},
    byProgram: {},
    holdsByCode: {},
    held: [],
    files: run.files,
    disclosuresRecorded: written.disclosuresRecorded,
    corrections,
    loaded: { serviceOrders: stored.serviceOrders.length, priorAuthorizations: stored.priorAuthorizations.length, billedLines: stored.history.length, unreadable: stored.unreadable },
  };
}

/**
 * Bill one month: read the period's encounters (and the participants, specialists, plans and consents they need)
 * from the FHIR server, apply the rule pack, write the X12 837P, the FHIR Claims (NDJSON next to the 837P, and stored
 * on the server), and a report of what was billed and what was held with reasons (Markdown and JSON).
 *
 * @param opts - the options of `peer-fhir bill` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the bill report, the claim inputs, the files written and the exit code
 * @example
 * ```ts
 * import { runBill } from '@peer-fhir/cli';
 * const { report } = await runBill({ pack: 'tx-medicaid-peer-specialist-2019', period: '2025-03', out: 'out/march.x12' }, io);
 * ```
 * @category Commands
 */
export async function runBill(opts: BillOptions, io: CommandIo): Promise<BillResult> {
  const run = await setUpRun(opts, io);
  const { config, scope, pack, date } = run;
  const target = await openTarget(opts, io);
  try {
    const read = await readPeriod(target.client, run, io);
    const { records, context } = read;
    // Step 3, evaluate: in bounded chunks of participants (every pack rule is per participant or per session), the
    // same decisions as one evaluation, with caps counted over one chunk's usage instead of the whole month's.
    const result = mergeBillingResults([...evaluateByParticipant(context)], context);
    // Step 4, corrections: replacements and voids of the claims sent before whose encounters changed.
    const organizations = [config.organization, ...records.organizations.filter((o) => o.npi !== config.organization.npi)];
    const claimRecords = { organizations, specialists: records.specialists, participants: records.participants };
    const supervisorTaxonomies = supervisorTaxonomiesOf(config);
    const corrections = correctionClaims(context, claimRecords, { pack, created: date.toISOString().slice(0, 10), scope, alreadyBilled: result.decisions.filter(onlyDuplicate).length, supervisorTaxonomies });
    // Step 5, write: disclosures, 837P, Claims; then the report.
    const written = await writeClaims({ client: target.client, config, scope, pack, date, files: run.files, result, corrections, context, records: claimRecords, patients: { system: identifierSystems(scope).participant, byParticipant: records.patients }, supervisorTaxonomies });
    const report = fillReport(reportOf(run, opts, read, result, { claims: written.claims.length, disclosuresRecorded: written.disclosuresRecorded }, corrections.summary), result, records.encounters);
    await writePrivateFile(run.files.reportJson, `${JSON.stringify(report, null, 2)}\n`);
    await writePrivateFile(run.files.reportMarkdown, renderBillMarkdown(report));
    // Already billed is not a problem to fix; a correction awaiting the payer's claim number, or reading nothing, is.
    const held = result.decisions.filter((d) => d.status !== 'billed' && !onlyDuplicate(d)).length;
    const exitCode = held > 0 || corrections.summary.awaitingPayerClaimNumber.length > 0 || records.encounters.length === 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
    printBill(io, report, { held, exitCode, targetUrl: target.url, agency: scope.agency });
    return { report, claims: written.claims, inputs: written.inputs, exitCode };
  } finally {
    await target.close();
  }
}

/** `peer-fhir bill`: its options and help, and how it runs (docs/cli.md). */
export const billCommand: CommandDefinition<BillOptions> = {
  name: 'bill',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('bill a month: pull encounters from the FHIR server, apply a rule pack, write the 837P, FHIR Claims and a report')
        .option('--pack <id|file.json>', 'rule pack id (see peer-fhir packs) or a pack file, validated (default: "pack" in the config)')
        .requiredOption('--period <YYYY-MM>', 'billing month')
        .requiredOption('--out <file.x12>', '837P file to write; claims and reports are written next to it'),
      'config', 'json', 'fhir',
    )
      .addHelpText('after', examples([
        'peer-fhir bill --pack tx-medicaid-peer-specialist-2019 --period 2025-03 --out out/march.x12',
        'peer-fhir bill --period 2025-03 --out march.x12 --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN --json',
      ])),
  run: (o, io) => runBill(o, io),
};
