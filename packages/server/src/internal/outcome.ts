import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';

/** Issue type codes we emit: https://hl7.org/fhir/R4/valueset-issue-type.html */
export type IssueCode = OperationOutcomeIssue['code'];

/** An OperationOutcome with one error issue. */
export function errorOutcome(code: IssueCode, diagnostics: string, expression?: string): OperationOutcome {
  const issue: OperationOutcomeIssue = { severity: 'error', code, diagnostics };
  if (expression) issue.expression = [expression];
  return { resourceType: 'OperationOutcome', issue: [issue] };
}

/** An OperationOutcome with several error issues. */
export function issuesOutcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}
