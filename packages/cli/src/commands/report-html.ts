import { readFile } from 'node:fs/promises';
import type { Claim, ClaimResponse, ClaimResponseItemAdjudication } from 'fhir/r4.js';
import { z } from 'zod';
import { ADJUSTMENT_GROUP_SYSTEM } from '@peer-fhir/x12';
import { resolveConfig, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { disclosureFigures, type DisclosureFigures } from '../html/disclosures.js';
import { renderHtmlReport } from '../html/render.js';
import { printJson, say, writePrivateFile, type CommandIo } from '../internal/io.js';
import { parseDateRange, type DateRange } from '../internal/period.js';
import { openTarget, type FhirTarget, type FhirTargetOptions } from '../internal/target.js';
import { runComplianceReport } from './report-compliance.js';
import { runOutcomesReport, type OutcomesReport } from './report-outcomes.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runHtmlReport} (`peer-fhir report html`).
 *
 * @example
 * ```ts
 * const opts: HtmlReportOptions = { period: '2025-03', billReport: ['out/march.report.json'], out: 'out/march.html' };
 * ```
 * @category Reports
 */
export interface HtmlReportOptions extends FhirTargetOptions {
  /** The month, `YYYY-MM`. */
  period: string;
  /** The HTML file to write; omitted with `--json` only prints the figures. */
  out?: string | undefined;
  /** JSON billing reports of `peer-fhir bill` for the month (`FILE.report.json`), one per pack billed. */
  billReport?: readonly string[] | undefined;
  /** Add participant-level tables (held items, score trends): PHI. Default: aggregates only. */
  includePhi?: boolean | undefined;
  /** Config file (agency, identifier namespace); default `peer-fhir.config.json` in the working folder when it exists. */
  config?: string | undefined;
  configValue?: CliConfig | undefined;
}

/** A count of something by a code (hold reason, finding kind). @category Reports */
export interface CodeCount {
  code: string;
  count: number;
}

/** Billed and held items of one pack's billing report. @category Reports */
export interface PackBilling {
  pack: string;
  version: string;
  items: number;
  billed: number;
  partial: number;
  held: number;
  claims: number;
  lines: number;
  units: number;
  charge: number;
  holdsByReason: CodeCount[];
}

/**
 * Every figure of the HTML report; `report html --json` prints exactly this, and each number in the page carries
 * its path here (`data-figure="money.paid"`). Money is in dollars, rounded to the cent.
 *
 * @example
 * ```ts
 * const { figures } = await runHtmlReport({ period: '2025-03', billReport: ['march.report.json'] }, io);
 * console.log(figures.money.paid, figures.billing.totals.held);
 * ```
 * @category Reports
 */
export interface HtmlReportFigures {
  period: string;
  range: DateRange;
  agency: { name: string; npi: string } | undefined;
  /** Participant-level tables are in the page (`--include-phi`). */
  includesPhi: boolean;
  billing: {
    /** Billing reports read; 0 means the section says how to get one. */
    reports: number;
    totals: Omit<PackBilling, 'pack' | 'version' | 'holdsByReason'>;
    byPack: PackBilling[];
    holdsByReason: CodeCount[];
  };
  /** From the ClaimResponses stored by `peer-fhir remit` for the period's Claims (835 CLP/SVC/CAS). */
  money: {
    claims: number;
    claimResponses: number;
    claimsWithoutResponse: number;
    billed: number;
    paid: number;
    /** Every CAS adjustment (all groups, claim and line level). */
    adjusted: number;
    /** Charges of lines paid nothing. */
    denied: number;
    patientResponsibility: number;
    /** 835 balancing: billed equals paid plus adjusted. */
    balanced: boolean;
  };
  /** Units on the period's stored Claims by rendering peer specialist. */
  unitsBySpecialist: { npi: string; name: string; lines: number; units: number; charge: number }[];
  compliance: {
    available: boolean;
    /** Why not, when not available (value-free). */
    reason?: string | undefined;
    findings: number;
    byKind: CodeCount[];
    peers: { npi: string; name: string; caseload: number; encounters: number; serviceHours: number; supervisionHours: number; findings: number }[];
  };
  /** BARC-10 up to the period's end. */
  outcomes: {
    instrument: string;
    scored: number;
    assessed: number;
    improved: number;
    shareImproved: number;
    meanChange: number;
    byProgram: { program: string; scored: number; assessed: number; shareImproved: number; meanChange: number }[];
    byMonth: { month: string; assessments: number; meanScore: number }[];
  };
  /** Disclosures the agency made in the month (AuditEvents of `disclose` and `bill`), aggregates only. */
  disclosures: DisclosureFigures;
  /** Only with `--include-phi`. */
  phi?: {
    held: { encounterId: string; participantId: string; dateOfService: string; status: string; reasons: string[] }[];
    trends: { participantId: string; assessments: number; first: number | undefined; latest: number | undefined; change: number }[];
  };
}

/**
 * Result of {@link runHtmlReport}.
 *
 * @example
 * ```ts
 * const { figures, file } = await runHtmlReport({ period: '2025-03', out: 'march.html' }, io);
 * ```
 * @category Reports
 */
export interface HtmlReportResult {
  figures: HtmlReportFigures;
  /** The HTML file written, if any. */
  file: string | undefined;
  exitCode: ExitCode;
}

/** The fields of `peer-fhir bill`'s JSON report this command reads (more may be there). */
const BillReportFile = z.object({
  pack: z.object({ id: z.string(), version: z.string() }),
  period: z.string(),
  totals: z.object({ items: z.number(), billed: z.number(), partial: z.number(), held: z.number(), billedUnits: z.number(), charge: z.number() }),
  claims: z.number(),
  lines: z.number(),
  holdsByCode: z.record(z.string(), z.number()),
  held: z.array(z.object({ encounterId: z.string(), participantId: z.string(), dateOfService: z.string(), status: z.string(), reasons: z.array(z.object({ code: z.string() })) })),
});
type BillReportFile = z.infer<typeof BillReportFile>;

const cents = (n: number | undefined): number => Math.round((n ?? 0) * 100);
const dollars = (c: number): number => c / 100;
const round2 = (n: number): number => Math.round(n * 100) / 100;

async function readBillReport(file: string, period: string): Promise<BillReportFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new CliUsageError(`cannot read ${file} as JSON (--bill-report takes the .report.json that peer-fhir bill writes)`);
  }
  const r = BillReportFile.safeParse(json);
  if (!r.success) throw new CliUsageError(`${file} is not a billing report of peer-fhir bill`, r.error.issues.map((i) => `${i.path.map(String).join('.')}: is missing or of the wrong type`));
  if (r.data.period !== period) throw new CliUsageError(`${file} is the billing report of another month than --period`);
  return r.data;
}

const sortedCounts = (m: Map<string, number>): CodeCount[] => [...m].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));

function billingFigures(reports: readonly BillReportFile[]): HtmlReportFigures['billing'] {
  const all = new Map<string, number>();
  const byPack: PackBilling[] = reports.map((r) => {
    const holds = new Map<string, number>();
    for (const [code, n] of Object.entries(r.holdsByCode)) {
      holds.set(code, (holds.get(code) ?? 0) + n);
      all.set(code, (all.get(code) ?? 0) + n);
    }
    return {
      pack: r.pack.id,
      version: r.pack.version,
      items: r.totals.items,
      billed: r.totals.billed,
      partial: r.totals.partial,
      held: r.totals.held,
      claims: r.claims,
      lines: r.lines,
      units: r.totals.billedUnits,
      charge: r.totals.charge,
      holdsByReason: sortedCounts(holds),
    };
  });
  const sum = (k: 'items' | 'billed' | 'partial' | 'held' | 'claims' | 'lines' | 'units') => byPack.reduce((t, p) => t + p[k], 0);
  return {
    reports: reports.length,
    totals: {
      items: sum('items'), billed: sum('billed'), partial: sum('partial'), held: sum('held'), claims: sum('claims'), lines: sum('lines'), units: sum('units'),
      charge: dollars(byPack.reduce((t, p) => t + cents(p.charge), 0)),
    },
    byPack,
    holdsByReason: sortedCounts(all),
  };
}

const categoryIs = (a: ClaimResponseItemAdjudication, code: string): boolean => a.category.coding?.some((c) => c.code === code && c.system !== ADJUSTMENT_GROUP_SYSTEM) === true;
const isAdjustment = (a: ClaimResponseItemAdjudication): boolean => a.category.coding?.some((c) => c.system === ADJUSTMENT_GROUP_SYSTEM) === true;

/** Money from the stored ClaimResponses of the period's Claims, in cents until the end (835 amounts are cents). */
function moneyFigures(claims: readonly Claim[], responses: readonly ClaimResponse[]): HtmlReportFigures['money'] {
  const byRef = new Map<string, Claim>(claims.flatMap((c) => (c.id ? [[`Claim/${c.id}`, c] as const] : [])));
  const mine = responses.filter((r) => r.request?.reference !== undefined && byRef.has(r.request.reference));
  const answered = new Set(mine.flatMap((r) => (r.request?.reference !== undefined ? [r.request.reference] : [])));
  let billed = 0;
  let paid = 0;
  let adjusted = 0;
  let denied = 0;
  let patient = 0;
  for (const r of mine) {
    for (const t of r.total ?? []) {
      const code = t.category.coding?.[0]?.code;
      if (code === 'submitted') billed += cents(t.amount.value);
      else if (code === 'benefit') paid += cents(t.amount.value);
      else if (code === 'patient-responsibility') patient += cents(t.amount.value);
    }
    for (const a of r.adjudication ?? []) if (isAdjustment(a)) adjusted += cents(a.amount?.value);
    for (const line of [...(r.item ?? []), ...(r.addItem ?? [])]) {
      const adj = line.adjudication ?? [];
      for (const a of adj) if (isAdjustment(a)) adjusted += cents(a.amount?.value);
      const submitted = adj.filter((a) => categoryIs(a, 'submitted')).reduce((t, a) => t + cents(a.amount?.value), 0);
      const benefit = adj.filter((a) => categoryIs(a, 'benefit')).reduce((t, a) => t + cents(a.amount?.value), 0);
      if (submitted > 0 && benefit === 0) denied += submitted;
    }
  }
  return {
    claims: claims.length,
    claimResponses: mine.length,
    claimsWithoutResponse: claims.filter((c) => c.id === undefined || !answered.has(`Claim/${c.id}`)).length,
    billed: dollars(billed),
    paid: dollars(paid),
    adjusted: dollars(adjusted),
    denied: dollars(denied),
    patientResponsibility: dollars(patient),
    balanced: billed === paid + adjusted,
  };
}

/** Lines, units and charge per rendering specialist (careTeam role `primary`; its identifier is `NPI:ORGNPI`). */
function unitsBySpecialist(claims: readonly Claim[], names: ReadonlyMap<string, string>): HtmlReportFigures['unitsBySpecialist'] {
  const out = new Map<string, { npi: string; name: string; lines: number; units: number; charge: number }>();
  for (const c of claims) {
    const primary = new Map<number, string>();
    for (const t of c.careTeam ?? []) {
      if (!t.role?.coding?.some((x) => x.code === 'primary')) continue;
      const npi = /^(\d{10})(?::|$)/.exec(t.provider.identifier?.value ?? '')?.[1];
      if (npi) primary.set(t.sequence, npi);
    }
    for (const item of c.item ?? []) {
      const npi = (item.careTeamSequence ?? []).map((s) => primary.get(s)).find((x) => x !== undefined) ?? 'unknown';
      const row = out.get(npi) ?? { npi, name: names.get(npi) ?? '', lines: 0, units: 0, charge: 0 };
      row.lines++;
      row.units += item.quantity?.value ?? 0;
      row.charge = dollars(cents(row.charge) + cents(item.net?.value));
      out.set(npi, row);
    }
  }
  return [...out.values()].sort((a, b) => b.units - a.units || a.npi.localeCompare(b.npi));
}

/** The month as a range of days, after the usage checks: a month `YYYY-MM`, and `--out` unless `--json`. */
function checkedRange(opts: HtmlReportOptions, io: CommandIo): DateRange {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.period)) throw new CliUsageError('--period must be a month YYYY-MM');
  const range = parseDateRange({ period: opts.period }, true);
  if (range?.start === undefined || range.end === undefined) throw new CliUsageError('--period must be a month YYYY-MM');
  if (opts.out === undefined && !io.json) throw new CliUsageError('give --out FILE.html (or --json for the figures)');
  return { start: range.start, end: range.end };
}

/** The `--bill-report` files, each of this month; two of one pack would count the same items twice. */
async function readBillReports(files: readonly string[], period: string): Promise<BillReportFile[]> {
  const reports: BillReportFile[] = [];
  for (const f of files) {
    const r = await readBillReport(f, period);
    // A month billed again replaces its report: only the latest of a pack counts.
    if (reports.some((x) => x.pack.id === r.pack.id)) throw new CliUsageError(`${f} is a second billing report of the same pack and month; give only the latest`);
    reports.push(r);
  }
  return reports;
}

/** The month's stored Claims (month of service: the month its first service date is in) and, when any, the ClaimResponses. */
async function storedClaims(target: FhirTarget, range: DateRange): Promise<{ claims: Claim[]; responses: ClaimResponse[] }> {
  const claims: Claim[] = [];
  for await (const c of target.client.searchAll('Claim', new URLSearchParams({ _count: '500' }))) {
    const start = c.billablePeriod?.start?.slice(0, 10);
    if (start !== undefined && start >= range.start && start <= range.end) claims.push(c);
  }
  const responses: ClaimResponse[] = [];
  if (claims.length > 0) for await (const r of target.client.searchAll('ClaimResponse', new URLSearchParams({ _count: '500' }))) responses.push(r);
  return { claims, responses };
}

/** How the other reports run inside this one: against the same server (the embedded one stays up), printing nothing. */
interface SubReport {
  opts: FhirTargetOptions & { configValue?: CliConfig | undefined };
  io: CommandIo;
}

function subReport(opts: HtmlReportOptions, target: FhirTarget, config: CliConfig | undefined, io: CommandIo): SubReport {
  const sink = { write: () => true } as unknown as CommandIo['stdout'];
  return {
    opts: { fhirUrl: opts.fhirUrl ?? target.url, ...(opts.fhirUrl !== undefined ? { authToken: opts.authToken, authEnv: opts.authEnv } : {}), ...(config ? { configValue: config } : {}) },
    io: { ...io, json: true, stdout: sink, stderr: sink },
  };
}

/**
 * The compliance section from `report compliance` for the month, and the peers' names by NPI (for units by
 * specialist). A usage error of that report (no config, say) makes the section "not available" with its reason.
 */
async function complianceFigures(sub: SubReport, period: string): Promise<{ compliance: HtmlReportFigures['compliance']; names: Map<string, string> }> {
  const names = new Map<string, string>();
  try {
    const { report } = await runComplianceReport({ ...sub.opts, period }, sub.io);
    for (const p of report.peers) names.set(p.npi, p.name);
    const kinds = new Map<string, number>();
    for (const f of report.findings) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
    const peers = report.peers.map((p) => ({
      npi: p.npi, name: p.name, caseload: p.caseload, encounters: p.encounters, serviceHours: round2(p.serviceHours), supervisionHours: round2(p.supervisionHours),
      findings: report.findings.filter((f) => f.peerNpi === p.npi).length,
    }));
    return { compliance: { available: true, findings: report.findings.length, byKind: sortedCounts(kinds), peers }, names };
  } catch (e) {
    if (!(e instanceof CliUsageError)) throw e;
    return { compliance: { available: false, reason: e.message, findings: 0, byKind: [], peers: [] }, names };
  }
}

/** Mean score and number of assessments per month, over every participant's scores. */
function byMonth(report: OutcomesReport): HtmlReportFigures['outcomes']['byMonth'] {
  const months = new Map<string, { n: number; sum: number }>();
  for (const t of report.participants)
    for (const p of t.points) {
      const m = months.get(p.date.slice(0, 7)) ?? { n: 0, sum: 0 };
      m.n++;
      m.sum += p.total;
      months.set(p.date.slice(0, 7), m);
    }
  return [...months].sort(([a], [b]) => a.localeCompare(b)).map(([month, m]) => ({ month, assessments: m.n, meanScore: round2(m.sum / m.n) }));
}

/** The outcomes section from `report outcomes` (BARC-10 up to the month's end): `improved` in the instrument's sense. */
function outcomesFigures(report: OutcomesReport): HtmlReportFigures['outcomes'] {
  const all = report.programs.find((p) => p.program === 'all');
  return {
    instrument: report.instrument.id,
    scored: all?.scored ?? 0,
    assessed: all?.assessed ?? 0,
    improved: (report.instrument.direction === 'higher-is-better' ? all?.rose : all?.fell) ?? 0,
    shareImproved: round2(all?.shareImproved ?? 0),
    meanChange: round2(all?.meanChange ?? 0),
    byProgram: report.programs.filter((p) => p.program !== 'all').map((p) => ({ program: p.program, scored: p.scored, assessed: p.assessed, shareImproved: round2(p.shareImproved), meanChange: round2(p.meanChange) })),
    byMonth: byMonth(report),
  };
}

/** The participant-level tables (`--include-phi` only): held items of the billing reports, score trends. */
function phiFigures(reports: readonly BillReportFile[], outcomes: OutcomesReport): NonNullable<HtmlReportFigures['phi']> {
  return {
    held: reports.flatMap((r) => r.held.map((h) => ({ encounterId: h.encounterId, participantId: h.participantId, dateOfService: h.dateOfService, status: h.status, reasons: h.reasons.map((x) => x.code) }))),
    trends: outcomes.participants.map((t) => ({ participantId: t.participantId, assessments: t.points.length, first: t.first?.total, latest: t.latest?.total, change: t.change })),
  };
}

/** Every figure of the page, read from the server, the bill reports and the other reports. */
async function gatherFigures(opts: HtmlReportOptions, range: DateRange, config: CliConfig | undefined, reports: readonly BillReportFile[], target: FhirTarget, io: CommandIo): Promise<HtmlReportFigures> {
  const { claims, responses } = await storedClaims(target, range);
  const sub = subReport(opts, target, config, io);
  const { compliance, names } = await complianceFigures(sub, opts.period);
  const outcomes = (await runOutcomesReport({ ...sub.opts, instrument: 'barc-10', to: range.end }, sub.io)).report;
  return {
    period: opts.period,
    range,
    agency: config ? { name: config.organization.name, npi: config.organization.npi } : undefined,
    includesPhi: opts.includePhi === true,
    billing: billingFigures(reports),
    money: moneyFigures(claims, responses),
    unitsBySpecialist: unitsBySpecialist(claims, names),
    compliance,
    outcomes: outcomesFigures(outcomes),
    disclosures: await disclosureFigures(target.client, config?.organization.npi, range),
    ...(opts.includePhi ? { phi: phiFigures(reports, outcomes) } : {}),
  };
}

/** Write the page (owner only: with `--include-phi` it lists participants), then print the figures or two lines. */
async function writeAndPrint(opts: HtmlReportOptions, figures: HtmlReportFigures, io: CommandIo): Promise<void> {
  if (opts.out !== undefined) {
    try {
      await writePrivateFile(opts.out, renderHtmlReport(figures));
    } catch {
      throw new CliUsageError(`cannot write ${opts.out}`);
    }
  }
  if (io.json) {
    printJson(io, { ...figures, ...(opts.out !== undefined ? { file: opts.out } : {}) });
    return;
  }
  say(io, `${opts.period}: ${figures.billing.totals.billed} billed, ${figures.billing.totals.held} held (${figures.billing.reports} billing report(s)); paid $${figures.money.paid.toFixed(2)} of $${figures.money.billed.toFixed(2)}`);
  say(io, `report: ${opts.out}${figures.includesPhi ? ' (contains PHI: participant-level tables)' : ' (aggregates only)'}`);
}

/**
 * One self-contained HTML page for a month, for program directors and billing managers: billed and held items by
 * reason and pack (from `peer-fhir bill`'s JSON reports), money billed, paid, adjusted and denied (from the stored
 * ClaimResponses of the month's Claims), units by peer specialist, compliance findings, BARC-10 trends and the
 * disclosures section. Aggregates only unless `includePhi`. The page loads nothing (a Content-Security-Policy forbids
 * every load and it runs no script); every text is HTML-escaped; each figure equals the JSON (`--json`).
 *
 * @param opts - the options of `peer-fhir report html` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the figures of the page, the file written and the exit code
 * @example
 * ```ts
 * import { runHtmlReport } from '@peer-fhir/cli';
 * const { figures } = await runHtmlReport({ period: '2025-03', billReport: ['out/march.report.json'], out: 'out/march.html' }, io);
 * ```
 * @category Commands
 */
export async function runHtmlReport(opts: HtmlReportOptions, io: CommandIo): Promise<HtmlReportResult> {
  // 1. Usage: everything that can be refused is refused before a server is opened.
  const range = checkedRange(opts, io);
  // The config names the agency: `--config`, else the one `init` wrote in the working folder when it exists.
  const config = await resolveConfig(opts, io.cwd);
  const reports = await readBillReports(opts.billReport ?? [], opts.period);
  // 2. Figures: from the server, the billing reports and the other reports, all on one open target.
  const target = await openTarget(opts, io);
  try {
    const figures = await gatherFigures(opts, range, config, reports, target, io);
    // 3. Output: the page and what the command prints.
    await writeAndPrint(opts, figures, io);
    return { figures, file: opts.out, exitCode: ExitCode.OK };
  } finally {
    await target.close();
  }
}

/** `peer-fhir report html`: its options and help, and how it runs (docs/cli.md). */
export const htmlReportCommand: CommandDefinition<HtmlReportOptions> = {
  name: 'html',
  parent: 'report',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('one self-contained HTML page for a month: billed and held, money, units by specialist, compliance, outcomes (aggregates unless --include-phi)')
        .requiredOption('--period <YYYY-MM>', 'the month')
        .option('--bill-report <file.json...>', 'the .report.json files peer-fhir bill wrote for the month (one per pack)')
        .option('--include-phi', 'add participant-level tables (PHI); default: aggregates only')
        .option('--out <file.html>', 'the HTML file to write'),
      'config', 'json', 'fhir',
    )
      .addHelpText('after', examples([
        'peer-fhir report html --period 2025-03 --bill-report out/march.report.json --out out/march.html',
        'peer-fhir report html --period 2025-03 --bill-report out/march.report.json --json',
        'peer-fhir report html --period 2025-03 --include-phi --out /secure/march-phi.html',
      ])),
  run: (o, io) => runHtmlReport(o, io),
};
