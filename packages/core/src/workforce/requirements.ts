/**
 * The workforce rules a compliance report checks, as plain numbers (a billing pack's supervision rule maps onto
 * these without core depending on billing).
 * @module
 */
import * as z from 'zod';

/**
 * Requirements of a compliance report. Supervision may be required per calendar month, per N hours of service, or
 * both (the larger applies). CE hours required in the report period are the renewal requirement pro-rated by
 * `renewalPeriodMonths`. Absent rules are not checked.
 *
 * @see https://hl7.org/fhir/R4/practitioner-definitions.html#Practitioner.qualification
 * @example
 * ```ts
 * const req = ComplianceRequirements.parse({ credentialExpiryWarningDays: 60, supervisionHoursPerMonth: 2,
 *   ceHoursPerRenewalPeriod: 20, renewalPeriodMonths: 24, overloadFactor: 1.5 });
 * ```
 * @category Workforce
 */
export const ComplianceRequirements = z.object({
  /** Warn about credentials that expire within this many days of `asOf`. */
  credentialExpiryWarningDays: z.number().int().min(0).max(3650).default(60),
  /** Supervision hours each peer needs in every month in which they delivered services. */
  supervisionHoursPerMonth: z.number().min(0).max(200).optional(),
  /** Supervision hours needed per `per` hours of services delivered (evaluated per month). */
  supervisionPerServiceHours: z.object({ hours: z.number().positive(), per: z.number().positive() }).optional(),
  /** CE hours needed per credential renewal period. */
  ceHoursPerRenewalPeriod: z.number().min(0).max(1000).optional(),
  renewalPeriodMonths: z.number().int().min(1).max(120).default(24),
  /** Flag a peer whose caseload or service hours exceed this multiple of the team median. */
  overloadFactor: z.number().min(1).max(10).default(1.5),
});
export type ComplianceRequirements = z.input<typeof ComplianceRequirements>;
