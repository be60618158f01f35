import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import type { Claim } from 'fhir/r4.js';
import type { IdentityScope } from '@peer-fhir/core';
import { getPack, loadPack, RulePackError, type BillingResult, type RulePack } from '@peer-fhir/billing';
import { watchHeap } from '@peer-fhir/server';
import type { X12ClaimInput } from '@peer-fhir/x12';
import { configFilesOf, resolveConfig, scopeOf, supervisorTaxonomiesOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { assertNotAnInput, note, type CommandIo } from '../internal/io.js';
import { openTarget, type FhirTargetOptions } from '../internal/target.js';
import type { BillCorrectionSummary } from './bill/corrections.js';
import { ENCOUNTERS_PER_READ, monthInputs, PARTICIPANTS_PER_CHUNK, readMonth, type MonthRead } from './bill/month.js';
import { printBill } from './bill/report.js';
import { HeldSpool, partialReportFiles, writeBillReportFiles } from './bill/report-stream.js';
import { SessionSpool } from './bill/sessions.js';
import { BillTally } from './bill/tally.js';
import { ClaimWriter, write837PFile, type BillWrite } from './bill/write.js';
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
export function runBill(opts: BillOptions, io: CommandIo): Promise<BillResult> {
  return billMonth(opts, io, { keep: true });
}

/** How a run is cut: participants per chunk, encounters per read, whether the claims and inputs are kept for the result, and the heap budget. */
export interface BillStreaming {
  /**
   * Keep every claim, 837P input and held item for {@link BillResult} (the command does not: it holds one chunk at a
   * time, and its result's `report.held` is empty: the report files list every held item).
   */
  keep: boolean;
  /** Participants per chunk (default {@link PARTICIPANTS_PER_CHUNK}). */
  chunkSize?: number;
  /** Encounters read back together within a chunk (default {@link ENCOUNTERS_PER_READ}). */
  encountersPerRead?: number;
  /**
   * Read a group session again in every chunk its attendees fall in, instead of once per run (kept in a private
   * temporary file between chunks, bill/sessions.ts): what the runs before it did, for comparing the two.
   */
  rereadSessions?: boolean;
  /**
   * Heap in use (bytes) above which the process runs full collections while it bills (`watchHeap` of @peer-fhir/server); the
   * command sets {@link BILL_HEAP_BUDGET}, a library caller's process is left to V8 (undefined).
   */
  heapBudget?: number;
}

/** The heap budget of `peer-fhir bill`: a 10k-row month (~50 MB of heap in use at its peak) stays under it, so only larger runs ever collect for it. */
export const BILL_HEAP_BUDGET = 64 * 2 ** 20;

/** Temporary files of a run, next to the files they become (private, removed whatever happens). */
const tempFiles = (files: BillReport['files']) => ({ x12: `${files.x12}.partial`, claims: `${files.claims}.partial`, spool: `${files.claims}.store.partial`, held: `${files.reportJson}.held.partial`, sessions: `${files.x12}.sessions.partial`, chunks: `${files.x12}.participants.partial`, ...partialReportFiles(files) });

/**
 * `bill` streamed per chunk of participants (steps 2-5 of {@link runBill} per chunk), the 837P and Claims NDJSON
 * written under temporary names and renamed once complete, the Claims stored after that; then the report, its held
 * items merged from the chunks' spooled runs (bill/report-stream.ts). `peakHeldInMemory` is the most held items
 * the run held at once.
 */
export async function billMonth(opts: BillOptions, io: CommandIo, streaming: BillStreaming): Promise<BillResult & { peakHeldInMemory: number }> {
  const run = await setUpRun(opts, io);
  const target = await openTarget(opts, io);
  const temp = tempFiles(run.files);
  const w: BillWrite = { client: target.client, config: run.config, scope: run.scope, pack: run.pack, date: run.date, files: run.files, supervisorTaxonomies: supervisorTaxonomiesOf(run.config) };
  const heap = streaming.heapBudget === undefined ? undefined : watchHeap({ bytes: streaming.heapBudget });
  const spool = new HeldSpool(temp.held);
  let sessions: SessionSpool | undefined;
  let month: MonthRead | undefined;
  try {
    month = await readMonth(target.client, w, { from: run.from, to: run.to, chunkSize: streaming.chunkSize ?? PARTICIPANTS_PER_CHUNK, encountersPerRead: streaming.encountersPerRead ?? ENCOUNTERS_PER_READ, chunkFile: temp.chunks });
    sessions = streaming.rereadSessions ? undefined : new SessionSpool(temp.sessions, month.lastChunk);
    const tally = new BillTally({ pack: { id: run.pack.id, version: run.pack.version }, period: opts.period, files: run.files }, { spool, keep: streaming.keep });
    const writer = new ClaimWriter(w, temp, streaming.keep);
    let sent: boolean;
    try {
      sent = await write837PFile(w, monthInputs(month, w, run, writer, tally, sessions), temp.x12);
    } finally {
      await writer.close();
    }
    // Disclosures are on the server; the 837P and the Claims exist only now, complete; then the Claims are stored.
    if (sent) await rename(temp.x12, run.files.x12);
    await rename(temp.claims, run.files.claims);
    if (sent) await writer.store();
    if (tally.unreadable > 0) note(io, `${tally.unreadable} stored service order(s) or prior authorization(s) could not be read and authorize nothing`);
    const report = tally.report({ claims: writer.claims, disclosuresRecorded: writer.disclosuresRecorded });
    await writeBillReportFiles(report, spool.merged());
    // Already billed is not a problem to fix; a correction awaiting the payer's claim number, or reading nothing, is.
    const awaiting = report.corrections?.awaitingPayerClaimNumber.length ?? 0;
    const exitCode = tally.held > 0 || awaiting > 0 || report.encounters === 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
    printBill(io, report, { held: tally.held, exitCode, targetUrl: target.url, agency: run.scope.agency });
    return { report, claims: writer.kept?.claims ?? [], inputs: writer.kept?.inputs ?? [], exitCode, peakHeldInMemory: tally.peakHeldInMemory };
  } finally {
    heap?.stop();
    await spool.close().catch(() => undefined);
    await sessions?.close().catch(() => undefined);
    await month?.chunks.close().catch(() => undefined);
    await Promise.all(Object.values(temp).map((f) => rm(f, { force: true })));
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
  run: (o, io) => billMonth(o, io, { keep: false, heapBudget: BILL_HEAP_BUDGET }),
};
