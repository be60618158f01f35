import { PeerClient } from '@peer-fhir/client';
import { complianceReport, complianceReportToMarkdown, isValidNpi, type ComplianceReport, type ContinuingEducation } from '@peer-fhir/core';
import { resolveConfig, scopeOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { loadContinuingEducation } from '../internal/continuing-education.js';
import { note, printJson, say, type CommandIo } from '../internal/io.js';
import { parseDateRange, parseDay } from '../internal/period.js';
import { reportFilesOf, writeReportFiles, type ReportFiles } from '../internal/report-output.js';
import { loadRequirements } from '../internal/requirements.js';
import { warnIfReadNothing } from '../internal/read-nothing.js';
import { openTarget, type FhirTargetOptions } from '../internal/target.js';
import { loadWorkforceRecords } from '../internal/workforce-context.js';
import { type CommandDefinition, examples, sharedOptions, rangeOptions } from '../internal/command.js';

/**
 * Options of {@link runComplianceReport} (`peer-fhir report compliance`). The period is `period`
 * (`YYYY-MM` or `YYYY-MM..YYYY-MM`) or `from` and `to`.
 *
 * @example
 * ```ts
 * const opts: ComplianceReportOptions = { period: '2025-01..2025-03', ce: 'ce.csv', out: 'q1-compliance.md' };
 * ```
 * @category Reports
 */
export interface ComplianceReportOptions extends FhirTargetOptions {
  /** `YYYY-MM` or `YYYY-MM..YYYY-MM`. */
  period?: string | undefined;
  /** First day (`YYYY-MM-DD`, or a month: its first day). */
  from?: string | undefined;
  /** Last day (`YYYY-MM-DD`, or a month: its last day). */
  to?: string | undefined;
  /** Day credentials are judged on (default: the last day of the period). */
  asOf?: string | undefined;
  /** JSON file of requirements laid over the defaults (docs/cli.md). */
  requirements?: string | undefined;
  /**
   * More continuing-education records, CSV or NDJSON of core's `ContinuingEducation`, besides those stored on the
   * server (`peer-fhir import`); a file record replaces a stored one with the same id.
   */
  ce?: string | undefined;
  /** The agency (default: the config's organization, else the only Organization on the server). */
  organizationNpi?: string | undefined;
  /** Config file, for the identifier namespace and the agency; optional. */
  config?: string | undefined;
  configValue?: CliConfig | undefined;
  /** Markdown file to write; the JSON goes next to it (`FILE.json`). */
  out?: string | undefined;
}

/**
 * Result of {@link runComplianceReport}: core's report, what was read, the files written, and the exit code (1 when
 * there are findings).
 *
 * @example
 * ```ts
 * const { report, exitCode } = await runComplianceReport({ period: '2025-03' }, io);
 * ```
 * @category Reports
 */
export interface ComplianceReportResult {
  report: ComplianceReport;
  /**
   * Records read: encounters of the period, supervision sessions, CE records (stored and from `--ce`, after merging
   * by id), and the supervision Encounters and CE Basics skipped (not readable in this namespace).
   */
  read: {
    specialists: number;
    encounters: number;
    supervisionSessions: number;
    continuingEducation: number;
    continuingEducationStored: number;
    continuingEducationFromFile: number;
    unreadableSupervision: number;
    unreadableContinuingEducation: number;
  };
  files: ReportFiles | undefined;
  exitCode: ExitCode;
}

/** Stored records and file records by id: a file record replaces the stored one with its id (hours never count twice). */
function mergeById(stored: readonly ContinuingEducation[], fromFile: readonly ContinuingEducation[]): ContinuingEducation[] {
  const byId = new Map(stored.map((c) => [c.id, c]));
  for (const c of fromFile) byId.set(c.id, c);
  return [...byId.values()];
}

/**
 * Workforce compliance for a period: reads the agency's peer specialists (PractitionerRole + Practitioner), the
 * period's encounters, supervision sessions and continuing-education records from the FHIR server (plus a `--ce` file),
 * runs core's
 * `complianceReport` and prints it as Markdown (or JSON). Exit code 1 when there are findings.
 *
 * @param opts - the options of `peer-fhir report compliance` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns core's compliance report, the records read, the files written and the exit code
 * @see https://hl7.org/fhir/R4/practitioner-definitions.html#Practitioner.qualification
 * @example
 * ```ts
 * import { runComplianceReport } from '@peer-fhir/cli';
 * const { report } = await runComplianceReport({ period: '2025-01..2025-03', ce: 'ce.csv', fhirUrl: 'http://127.0.0.1:8080/fhir' }, io);
 * ```
 * @category Commands
 */
export async function runComplianceReport(opts: ComplianceReportOptions, io: CommandIo): Promise<ComplianceReportResult> {
  const range = parseDateRange(opts, true) as { start: string; end: string };
  const asOf = opts.asOf === undefined ? undefined : parseDay(opts.asOf, '--as-of');
  if (opts.organizationNpi !== undefined && !isValidNpi(opts.organizationNpi)) throw new CliUsageError('--organization-npi is not a valid NPI (10 digits with a check digit)');
  const config = await resolveConfig(opts, io.cwd);
  const scope = scopeOf(config, opts.organizationNpi);
  const requirements = await loadRequirements(opts.requirements);
  const fromFile: ContinuingEducation[] = opts.ce ? await loadContinuingEducation(opts.ce) : [];
  const files = opts.out ? reportFilesOf(opts.out, [opts.config, opts.ce, opts.requirements]) : undefined;
  const npi = scope.agency;

  const target = await openTarget(opts, io);
  try {
    const peer = new PeerClient(target.client, scope);
    const records = await loadWorkforceRecords(peer, { from: range.start, to: range.end, scope });
    const continuingEducation = mergeById(records.continuingEducation, fromFile);
    const org = records.organizations.find((o) => o.npi === npi) ?? (config?.organization.npi === npi ? config.organization : undefined);
    if (!org) throw new CliUsageError('no Organization with the agency NPI is on the server (check --organization-npi)');
    const report = complianceReport({
      organization: { npi, name: org.name },
      period: range,
      asOf,
      specialists: records.specialists,
      encounters: records.encounters,
      supervisionSessions: records.supervisionSessions,
      continuingEducation,
      requirements,
    });
    const read = {
      specialists: records.specialists.filter((s) => s.organizationNpi === npi).length,
      encounters: records.encounters.length,
      supervisionSessions: records.supervisionSessions.length,
      continuingEducation: continuingEducation.length,
      continuingEducationStored: records.continuingEducation.length,
      continuingEducationFromFile: fromFile.length,
      unreadableSupervision: records.unreadableSupervision,
      unreadableContinuingEducation: records.unreadableContinuingEducation,
    };
    const empty = warnIfReadNothing(io, { specialists: read.specialists, encounters: read.encounters }, scope, target.url);
    const exitCode = report.findings.length > 0 || empty ? ExitCode.SOME_REJECTED : ExitCode.OK;
    const markdown = complianceReportToMarkdown(report);
    if (files) await writeReportFiles(files, markdown, report);
    if (io.json) printJson(io, { ...report, read, ...(files ? { files } : {}), exitCode });
    else {
      io.stdout.write(markdown);
      if (files) say(io, `\nreport: ${files.markdown}, ${files.json}`);
      if (continuingEducation.length === 0) note(io, 'no continuing-education records stored or given (--ce): CE hours count as 0');
      if (records.unreadableSupervision > 0) note(io, `${records.unreadableSupervision} supervision Encounter(s) skipped (not readable in this identifier namespace)`);
      if (records.unreadableContinuingEducation > 0) note(io, `${records.unreadableContinuingEducation} continuing-education record(s) skipped (not readable in this identifier namespace)`);
      if (exitCode !== ExitCode.OK) note(io, `${report.findings.length} finding(s)`);
    }
    return { report, read, files, exitCode };
  } finally {
    await target.close();
  }
}

/** `peer-fhir report compliance`: its options and help, and how it runs (docs/cli.md). */
export const complianceReportCommand: CommandDefinition<ComplianceReportOptions> = {
  name: 'compliance',
  parent: 'report',
  define: (cmd) =>
    sharedOptions(
      rangeOptions(cmd.description('credentials, services without a valid credential, supervision, continuing education and caseload of the agency\'s peers over a period'), 'a month or a range of months')
        .option('--as-of <date>', 'day credentials are judged on (default: the last day of the period)')
        .option('--requirements <file.json>', 'requirements laid over the defaults (docs/cli.md)')
        .option('--ce <file>', 'more continuing-education records besides those imported, CSV or NDJSON (docs/cli.md)')
        .option('--out <file.md>', 'write the report as Markdown and, next to it, JSON'),
      'config', 'organizationNpi', 'json', 'fhir',
    )
      .addHelpText('after', examples([
        'peer-fhir report compliance --period 2025-03',
        'peer-fhir report compliance --period 2025-01..2025-06 --ce ce.csv --requirements nc.json --out out/h1-compliance.md',
        'peer-fhir report compliance --from 2025-01-01 --to 2025-03-31 --organization-npi 1234567893 --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN --json',
      ])),
  run: (o, io) => runComplianceReport(o, io),
};
