/**
 * @peer-fhir/cli — the `peer-fhir` command: import EHR exports into FHIR R4, bill a month (X12 837P, FHIR Claims,
 * reports), read remittances (835), report workforce compliance and outcome trends, validate input, list rule packs,
 * run the embedded FHIR server, and a demo.
 * Every command is also a function, for programs that embed the CLI.
 * @packageDocumentation
 */
export { main, createProgram } from './program.js';
export { ExitCode, CliUsageError, CliSystemError } from './errors.js';
export { CliConfig, loadConfig, parseConfig, supervisorTaxonomiesOf } from './config.js';
export { IMPORT_COLUMNS, REJECT_REASONS_COLUMN, type ImportColumn } from './import/columns.js';
export type { CommandIo, DateRange, FhirTargetOptions, ReportFiles } from './types.js';
export { runImport, type ImportOptions, type ImportSummary } from './commands/import.js';
export { runBill, type BillOptions, type BillReport, type BillResult } from './commands/bill.js';
export type { BillCorrectionSummary } from './commands/bill/corrections.js';
export { runRemit, type RemitOptions, type RemitResult } from './commands/remit.js';
export { runAck, type AckOptions, type AckResult } from './commands/ack.js';
export { runEligibility, type EligibilityOptions, type EligibilityResult } from './commands/eligibility.js';
export { runStatus, type StatusOptions, type StatusResult } from './commands/status.js';
export { runValidate, type ValidateOptions, type ValidateResult, type ValidationProblem } from './commands/validate.js';
export { runValidateProfiles, type ProfileProblem, type ValidateProfilesCliOptions, type ValidateProfilesCliResult } from './commands/validate-profiles.js';
export { runPacks, type PackListing } from './commands/packs.js';
export { runServe, type ServeOptions, type RunningServe } from './commands/serve.js';
export { runExport, type ExportOptions, type ExportSummary } from './commands/export.js';
export { runSync, type SyncOptions, type SyncResult } from './commands/sync.js';
export {
  runComplianceReport,
  type ComplianceReportOptions,
  type ComplianceReportResult,
} from './commands/report-compliance.js';
export {
  runOutcomesReport,
  outcomesReportToMarkdown,
  type OutcomesReportOptions,
  type OutcomesReport,
  type OutcomesReportResult,
  type ProgramOutcome,
} from './commands/report-outcomes.js';
export {
  runDisclosuresReport,
  disclosuresReportToMarkdown,
  type DisclosuresReportOptions,
  type DisclosuresReport,
  type DisclosuresReportResult,
} from './commands/report-disclosures.js';
export {
  runInit,
  InitOptionError,
  InitFileExistsError,
  type InitOptions,
  type InitPrompter,
  type InitProblem,
  type InitResult,
} from './commands/init.js';
export {
  runHtmlReport,
  type HtmlReportOptions,
  type HtmlReportFigures,
  type HtmlReportResult,
  type PackBilling,
  type CodeCount,
} from './commands/report-html.js';
export { runDemo, type DemoOptions, type DemoResult } from './commands/demo.js';
export type { Counted, DisclosureFigures } from './html/disclosures.js';
export type { ImportKindName } from './import/record-kind.js';
export type { RecordCounts } from './import/import-records.js';
export type { TemplatesWritten } from './import/write-templates.js';
