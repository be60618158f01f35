import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { OperationOutcomeIssue } from 'fhir/r4.js';
import { Fhir } from 'fhir';

let bindingValidator: Fhir | undefined;

/**
 * Structural problems (Medplum `validateResource`: cardinality, types, primitive formats, unknown
 * properties) plus required value-set bindings (the `fhir` package; Medplum 4.5.2 accepts
 * `status: "bogus"`). An empty list means the resource may be written.
 */
export function validationIssues(resource: unknown, path = ''): OperationOutcomeIssue[] {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return [{ severity: 'error', code: 'structure', diagnostics: 'Resource must be a JSON object', expression: [path || 'Resource'] }];
  }
  const issues: OperationOutcomeIssue[] = [];
  const prefix = (expr: string): string => (path ? `${path}.${expr}` : expr);
  try {
    validateResource(resource as never);
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    for (const issue of err.outcome.issue ?? []) {
      if (issue.severity !== 'error' && issue.severity !== 'fatal') continue;
      issues.push({
        severity: 'error',
        code: issue.code as OperationOutcomeIssue['code'],
        diagnostics: issue.details?.text ?? issue.diagnostics ?? 'invalid',
        ...(issue.expression ? { expression: issue.expression.map(prefix) } : {}),
      });
    }
  }
  bindingValidator ??= new Fhir();
  const result = bindingValidator.validate(resource, { errorOnUnexpected: false });
  for (const message of result.messages ?? []) {
    if (message.severity !== 'error') continue;
    issues.push({
      severity: 'error',
      code: 'code-invalid',
      diagnostics: message.message ?? 'invalid',
      ...(message.location ? { expression: [prefix(message.location)] } : {}),
    });
  }
  return issues;
}
