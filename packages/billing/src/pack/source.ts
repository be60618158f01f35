/**
 * Where a rule comes from: every rule object in a pack carries one.
 * @module
 */
import { z } from 'zod';
import { IsoDate } from '@peer-fhir/core';

/**
 * Where a rule comes from and whether it was checked against that source.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#rulesource
 * @example
 * ```json
 * { "url": "https://www.horizonnjhealth.com/...", "title": "Horizon NJ Health peer billing", "retrieved": "2026-11-22", "confirmed": true }
 * ```
 * @category Rule packs
 */
export const RuleSource = z.strictObject({
  url: z.url(),
  title: z.string().min(1),
  /** Date the source was read (YYYY-MM-DD). */
  retrieved: IsoDate.optional(),
  /** True only when the rule as written here was checked against the source text. */
  confirmed: z.boolean(),
  /** What was interpreted, assumed or left unknown. */
  note: z.string().min(1).optional(),
});
export type RuleSource = z.infer<typeof RuleSource>;
