import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ComplianceRequirements } from '@peer-fhir/core';
import { CliUsageError } from '../errors.js';

/**
 * The requirements `report compliance` applies when no `--requirements` file says otherwise. Plain defaults, not any
 * state's rule: credentials expiring within 60 days are flagged, 1 h of supervision in every month with services,
 * 10 CE hours per 24-month renewal period (pro-rated to the report period), caseload above 1.5 × the team median.
 */
export const DEFAULT_REQUIREMENTS = {
  credentialExpiryWarningDays: 60,
  supervisionHoursPerMonth: 1,
  ceHoursPerRenewalPeriod: 10,
  renewalPeriodMonths: 24,
  overloadFactor: 1.5,
} as const satisfies ComplianceRequirements;

const S = ComplianceRequirements.shape;

/**
 * A `--requirements` file: any of core's `ComplianceRequirements` keys, laid over {@link DEFAULT_REQUIREMENTS}.
 * `null` turns an optional rule off. Unknown keys are errors (a misspelt key would otherwise be ignored silently).
 */
export const RequirementsFile = z.strictObject({
  $schema: z.string().optional(),
  credentialExpiryWarningDays: S.credentialExpiryWarningDays.removeDefault().optional(),
  supervisionHoursPerMonth: S.supervisionHoursPerMonth.unwrap().nullable().optional(),
  supervisionPerServiceHours: S.supervisionPerServiceHours.unwrap().strict().nullable().optional(),
  ceHoursPerRenewalPeriod: S.ceHoursPerRenewalPeriod.unwrap().nullable().optional(),
  renewalPeriodMonths: S.renewalPeriodMonths.removeDefault().optional(),
  overloadFactor: S.overloadFactor.removeDefault().optional(),
});

/** Lay a parsed file over the defaults: a value replaces, `null` removes, absent keeps the default. */
export function mergeRequirements(file: z.infer<typeof RequirementsFile>): ComplianceRequirements {
  const out: Record<string, unknown> = { ...DEFAULT_REQUIREMENTS };
  for (const [k, v] of Object.entries(file)) {
    if (k === '$schema' || v === undefined) continue;
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return ComplianceRequirements.parse(out);
}

/** Read and validate a `--requirements` JSON file; every problem is listed by JSON path, values are never echoed. */
export async function loadRequirements(path: string | undefined): Promise<ComplianceRequirements> {
  if (path === undefined) return ComplianceRequirements.parse(DEFAULT_REQUIREMENTS);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new CliUsageError(e instanceof SyntaxError ? `requirements file ${path} is not valid JSON` : `cannot read requirements file ${path}`);
  }
  const r = RequirementsFile.safeParse(json);
  if (!r.success) {
    const details = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new CliUsageError(`requirements file ${path} has ${details.length} problem(s)`, details);
  }
  return mergeRequirements(r.data);
}
