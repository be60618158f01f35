/**
 * A compliance report as Markdown, for a supervisor's inbox or a CLI.
 * @module
 */
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

// Names come from the server: no newline (a new row or heading), pipe (a new cell), bracket or backtick (a link, image
// or code span) or raw HTML may pass into the table.
const cell = (s: string | number): string =>
  String(s)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`[\]|]/g, (c) => `\\${c}`)
    .trim();

/**
 * Render a {@link ComplianceReport} as Markdown: a summary, one table row per peer, findings grouped by kind.
 *
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
