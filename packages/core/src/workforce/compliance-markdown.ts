/**
 * A compliance report as Markdown, for a supervisor's inbox or a CLI.
 * @module
 */
import { markdownCell } from '../markdown.js';
import type { ComplianceFinding, ComplianceReport } from './compliance.js';

const TITLES: Record<ComplianceFinding['kind'], string> = {
  'credential-expired': 'Expired credentials',
  'credential-expiring': 'Credentials expiring soon',
  'credential-missing': 'No credential on file',
  'service-without-credential': 'Services rendered without a valid credential',
  'under-supervised': 'Supervision below requirement',
  'ce-short': 'Continuing education below requirement',
  overloaded: 'Caseload above team norm (burnout risk)',
};

// Names come from the server: each goes through the one Markdown cell escaper.
const cell = markdownCell;

/**
 * Render a {@link ComplianceReport} as Markdown: a summary, one table row per peer, findings grouped by kind.
 *
 * @param report - a report from `complianceReport`
 * @returns the report as Markdown
 * @see https://spec.commonmark.org/
 * @example
 * ```ts
 * await writeFile('compliance.md', complianceReportToMarkdown(complianceReport(input)));
 * ```
 * @category Workforce
 */
export function complianceReportToMarkdown(report: ComplianceReport): string {
  const lines: string[] = [
    `# Workforce compliance: ${cell(report.organization.name)}`,
    '',
    `Period ${report.period.start} to ${report.period.end}; credentials judged on ${report.asOf}.`,
    '',
    report.findings.length === 0 ? 'No findings.' : `${report.findings.length} finding(s).`,
    '',
    '| Peer NPI | Name | Caseload | Encounters | Service h | Supervision h | CE h | Valid credentials |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...report.peers.map((p) => `| ${p.npi} | ${cell(p.name)} | ${p.caseload} | ${p.encounters} | ${p.serviceHours} | ${p.supervisionHours} | ${p.ceHours} | ${cell(p.validCredentials.join(', ') || 'none')} |`),
  ];
  for (const kind of Object.keys(TITLES) as ComplianceFinding['kind'][]) {
    const of = report.findings.filter((f) => f.kind === kind);
    if (of.length === 0) continue;
    lines.push('', `## ${TITLES[kind]} (${of.length})`, '', ...of.map((f) => `- ${f.message}`));
  }
  return `${lines.join('\n')}\n`;
}
