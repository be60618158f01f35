/**
 * Rule-pack sections about what is billed and how much: codes and modifiers, rates, units, monthly codes, caps.
 * @module
 */
import { z } from 'zod';
import { Hcpcs, Modifier, Mode, Program, Slug } from '../internal/pack-primitives.js';
import { RuleSource } from './source.js';

/**
 * Kinds of modifier, in the order a pack wants them on the claim line.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#modifierslot
 * @example
 * ```json
 * { "order": ["group", "credential", "program", "fixed", "telehealth"] }
 * ```
 * @category Rule packs
 */
export const ModifierSlot = z.enum(['group', 'credential', 'program', 'fixed', 'telehealth']);
export type ModifierSlot = z.infer<typeof ModifierSlot>;

/**
 * A billable code: which encounters it covers and the modifiers it carries.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#servicerule
 * @example
 * ```json
 * { "code": "H0038", "description": "Peer support", "modes": ["individual", "group"], "groupModifier": "HQ", "source": { ... } }
 * ```
 * @category Rule packs
 */
export const ServiceRule = z.strictObject({
  code: Hcpcs,
  description: z.string().min(1),
  /** Programs this code is billed for; omitted means every program. */
  programs: z.array(Program).min(1).optional(),
  modes: z.array(Mode).min(1),
  /** Program modifier (HE mental health, HF substance use, HH integrated). */
  programModifiers: z.partialRecord(Program, Modifier).default({}),
  /** Modifier added for group sessions (HQ, or TT in some states). */
  groupModifier: Modifier.optional(),
  /** Credential-level modifiers (state-defined U1..UD, HM..HP): first entry whose kinds include a valid credential wins. */
  credentialModifiers: z.array(z.strictObject({ credentialKinds: z.array(z.string().min(1)).min(1), modifier: Modifier })).default([]),
  /** Modifiers always appended for this code. */
  fixedModifiers: z.array(Modifier).default([]),
  source: RuleSource,
});
export type ServiceRule = z.infer<typeof ServiceRule>;

/**
 * A rate for one code + modifier combination (modifier order ignored). `amount: null` means unknown.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#raterule
 * @example
 * ```json
 * { "code": "H0038", "modifiers": ["HQ"], "amount": 2.88, "source": { ... } }
 * ```
 * @category Rule packs
 */
export const RateRule = z.strictObject({
  code: Hcpcs,
  modifiers: z.array(Modifier).default([]),
  /** Dollars per unit; null when the source gives no rate. */
  amount: z.number().nonnegative().nullable(),
  source: RuleSource,
});
export type RateRule = z.infer<typeof RateRule>;

/**
 * Rounding used inside a per-day aggregate.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#innerrounding
 * @example
 * ```json
 * "cms-8-minute"
 * ```
 * @category Rule packs
 */
export const InnerRounding = z.enum(['cms-8-minute', 'midpoint', 'full-units-only']);
export type InnerRounding = z.infer<typeof InnerRounding>;

/**
 * How minutes become units.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#roundingmethod
 * @example
 * ```json
 * { "kind": "per-day-aggregate", "inner": "cms-8-minute" }
 * ```
 * @category Rule packs
 */
export const RoundingMethod = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('cms-8-minute') }),
  z.strictObject({ kind: z.literal('midpoint-per-contact') }),
  z.strictObject({ kind: z.literal('full-units-only') }),
  z.strictObject({ kind: z.literal('per-day-aggregate'), inner: InnerRounding }),
]);
export type RoundingMethod = z.infer<typeof RoundingMethod>;

/**
 * Unit size and rounding for time-based codes.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#unitrule
 * @example
 * ```json
 * { "unitMinutes": 15, "method": { "kind": "midpoint-per-contact" }, "source": { ... } }
 * ```
 * @category Rule packs
 */
export const UnitRule = z.strictObject({
  unitMinutes: z.number().int().positive(),
  method: RoundingMethod,
  source: RuleSource,
});
export type UnitRule = z.infer<typeof UnitRule>;

/**
 * Base + add-on monthly time codes (Medicare PIN-PS G0140 + G0146).
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#monthlyaccumulationrule
 * @example
 * ```json
 * { "baseCode": "G0140", "baseMinutes": 60, "baseMinimumMinutes": 60, "addOnCode": "G0146", "addOnMinutes": 30, "addOnMinimumMinutes": 30, "source": { ... } }
 * ```
 * @category Rule packs
 */
export const MonthlyAccumulationRule = z.strictObject({
  baseCode: Hcpcs,
  /** Minutes the base code stands for (60 for G0140). */
  baseMinutes: z.number().int().positive(),
  /** Least minutes in a calendar month to report the base code. */
  baseMinimumMinutes: z.number().int().positive(),
  addOnCode: Hcpcs,
  /** Minutes each add-on unit stands for (30 for G0146). */
  addOnMinutes: z.number().int().positive(),
  /** Least minutes beyond the previous block to report one more add-on unit. */
  addOnMinimumMinutes: z.number().int().positive(),
  /** Most add-on units per month; omitted means no limit. */
  maxAddOnUnits: z.number().int().nonnegative().optional(),
  source: RuleSource,
});
export type MonthlyAccumulationRule = z.infer<typeof MonthlyAccumulationRule>;

/**
 * The span of dates a cap counts units over.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#capwindow
 * @example
 * ```json
 * { "kind": "rolling", "months": 6 }
 * ```
 * @category Rule packs
 */
export const CapWindow = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('day') }),
  z.strictObject({ kind: z.literal('calendar-month') }),
  z.strictObject({ kind: z.literal('rolling'), days: z.number().int().positive().optional(), months: z.number().int().positive().optional() }),
  z.strictObject({ kind: z.literal('fiscal-year'), startMonth: z.number().int().min(1).max(12) }),
  /** An episode of care within a fiscal year: resets at a new episode (context.episodes) or a new fiscal year. */
  z.strictObject({ kind: z.literal('episode'), fiscalYearStartMonth: z.number().int().min(1).max(12).optional() }),
]);
export type CapWindow = z.infer<typeof CapWindow>;

/**
 * A unit limit. `beyond: 'hold'` holds units over the limit; `beyond: 'prior-auth'` makes them billable only against a
 * prior authorization with units remaining — that is how prior-auth thresholds (OH: more than 4 h per DOS) are written.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#caprule
 * @example
 * ```json
 * { "id": "daily-max", "window": { "kind": "day" }, "maxUnits": 16, "beyond": "hold", "source": { ... } }
 * ```
 * @category Rule packs
 */
export const CapRule = z.strictObject({
  id: Slug,
  window: CapWindow,
  maxUnits: z.number().int().nonnegative(),
  /** Codes counted; omitted means every code of the pack. */
  codes: z.array(Hcpcs).min(1).optional(),
  beyond: z.enum(['hold', 'prior-auth']),
  source: RuleSource,
});
export type CapRule = z.infer<typeof CapRule>;
