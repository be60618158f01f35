import { PeerClient } from '@peer-fhir/client';
import { isValidNpi, type DisclosureAccountingEntry } from '@peer-fhir/core';
import { resolveConfig, scopeOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { printJson, say, type CommandIo } from '../internal/io.js';
import { reportFilesOf, writeReportFiles, type ReportFiles } from '../internal/report-output.js';
import { openTarget, type FhirTargetOptions } from '../internal/target.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runDisclosuresReport} (`peer-fhir report disclosures`).
 *
 * @example
 * ```ts
 * const opts: DisclosuresReportOptions = { participant: 'p-1', since: '2026-01-01' };
 * ```
 * @category Reports
 */
export interface DisclosuresReportOptions extends FhirTargetOptions {
  /** Domain id of the participant whose records' disclosures are listed. */
  participant: string;
  /** Only disclosures on or after this date (`YYYY-MM-DD`). */
  since?: string | undefined;
  /** Config file (the agency, the identifier namespace); default `./peer-fhir.config.json` when present. */
  config?: string | undefined;
  configValue?: CliConfig | undefined;
  /** The agency whose participant this is (default: the config's organization). */
  organizationNpi?: string | undefined;
  /** Markdown file to write; the JSON goes next to it (`FILE.json`). */
  out?: string | undefined;
}

/**
 * The accounting of disclosures `report disclosures` prints: who received this participant's records, when, why,
 * under which consents and how many resources (42 CFR 2.24, 45 CFR 164.528).
 *
 * @example
 * ```ts
 * const { report } = await runDisclosuresReport({ participant: 'p-1' }, io);
 * report.disclosures.length;
 * ```
 * @category Reports
 */
export interface DisclosuresReport {
  participant: string;
  since: string | undefined;
  disclosures: DisclosureAccountingEntry[];
}

/**
 * Result of {@link runDisclosuresReport}.
 *
 * @example
 * ```ts
 * const { report, files } = await runDisclosuresReport({ participant: 'p-1', out: 'disclosures.md' }, io);
 * ```
 * @category Reports
 */
export interface DisclosuresReportResult {
  report: DisclosuresReport;
  files: ReportFiles | undefined;
  exitCode: ExitCode;
}

const party = (p: DisclosureAccountingEntry['recipient']): string =>
  p.npi !== undefined ? `NPI ${p.npi}` : p.identifier !== undefined ? `${p.identifier.system}|${p.identifier.value}` : `(${p.kind ?? 'unknown'})`;

/**
 * The accounting of disclosures as Markdown: one row per disclosure.
 *
 * @param r - a disclosures report
 * @returns the report as Markdown, every cell escaped
 * @example
 * ```ts
 * await writeFile('disclosures.md', disclosuresReportToMarkdown(report));
 * ```
 * @category Reports
 */
export function disclosuresReportToMarkdown(r: DisclosuresReport): string {
  const lines = [
    `# Accounting of disclosures: participant ${r.participant}`,
    '',
    `Disclosures recorded ${r.since ? `since ${r.since}` : 'at any time'} (42 CFR 2.24, 45 CFR 164.528).`,
    '',
    '| When | Recipient | Purpose | Consents relied on | Resources | Part 2 | Channel |',
    '|---|---|---|---|---:|---|---|',
    ...r.disclosures.map((d) => `| ${d.at} | ${party(d.recipient)} | ${d.purpose ?? ''} | ${d.consentIds.join(', ')} | ${d.resourceCount} | ${d.part2 ? 'yes' : 'no'} | ${d.channel ?? ''} |`),
    '',
  ];
  if (r.disclosures.length === 0) lines.push('No disclosures recorded.', '');
  return lines.join('\n');
}

/**
 * Who received this person's records: reads the disclosure AuditEvents that `PeerClient.disclose` and `bill` store
 * on the server (`PeerClient.accountingOfDisclosures`) and lists recipient, purpose, consents and resource count.
 * Exit code 0.
 *
 * @param opts - the options of `peer-fhir report disclosures` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the disclosures of the participant, the files written and the exit code
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2/subpart-B/section-2.24
 * @example
 * ```ts
 * import { runDisclosuresReport } from '@peer-fhir/cli';
 * const { report } = await runDisclosuresReport({ participant: 'p-1', since: '2026-01-01', fhirUrl: 'http://127.0.0.1:8080/fhir' }, io);
 * ```
 * @category Commands
 */
export async function runDisclosuresReport(opts: DisclosuresReportOptions, io: CommandIo): Promise<DisclosuresReportResult> {
  if (!opts.participant) throw new CliUsageError('--participant ID is required');
  if (opts.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.since)) throw new CliUsageError('--since must be a date YYYY-MM-DD');
  if (opts.organizationNpi !== undefined && !isValidNpi(opts.organizationNpi)) throw new CliUsageError('--organization-npi is not a valid NPI (10 digits with a check digit)');
  const config = await resolveConfig(opts, io.cwd);
  const scope = scopeOf(config, opts.organizationNpi);
  const files = opts.out ? reportFilesOf(opts.out) : undefined;
  const target = await openTarget(opts, io);
  try {
    const peer = new PeerClient(target.client, scope);
    const disclosures = await peer.accountingOfDisclosures(opts.participant, opts.since === undefined ? {} : { since: opts.since });
    const report: DisclosuresReport = { participant: opts.participant, since: opts.since, disclosures };
    const markdown = disclosuresReportToMarkdown(report);
    if (files) await writeReportFiles(files, markdown, report);
    if (io.json) printJson(io, { ...report, ...(files ? { files } : {}) });
    else {
      io.stdout.write(markdown);
      if (files) say(io, `report: ${files.markdown}, ${files.json}`);
    }
    return { report, files, exitCode: ExitCode.OK };
  } finally {
    await target.close();
  }
}

/** `peer-fhir report disclosures`: its options and help, and how it runs (docs/cli.md). */
export const disclosuresReportCommand: CommandDefinition<DisclosuresReportOptions> = {
  name: 'disclosures',
  parent: 'report',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('who received a participant\'s records: every disclosure recorded as an AuditEvent (42 CFR 2.24, 45 CFR 164.528)')
        .requiredOption('--participant <id>', 'the participant (domain id)')
        .option('--since <date>', 'only disclosures on or after this day YYYY-MM-DD')
        .option('--out <file.md>', 'write the report as Markdown and, next to it, JSON'),
      'config', 'organizationNpi', 'json', 'fhir',
    )
      .addHelpText('after', examples([
        'peer-fhir report disclosures --participant p-001',
        'peer-fhir report disclosures --participant p-1 --since 2026-01-01 --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN --json',
      ])),
  run: (o, io) => runDisclosuresReport(o, io),
};
