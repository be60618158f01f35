/**
 * The rule-pack format: one payer's billing rules for peer support as versioned, effective-dated JSON data.
 * Code only interprets packs; a state's rule never lives in code (ARCHITECTURE.md, billing row).
 * @module
 */
import { z } from 'zod';
import { IsoDate } from '@peer-fhir/core';
import { Slug } from '../internal/pack-primitives.js';
import { CapRule, ModifierSlot, MonthlyAccumulationRule, RateRule, ServiceRule, UnitRule } from './billing-rules.js';
import {
  AgeRule,
  ArtefactRules,
  ClaimGroupingRule,
  CredentialRule,
  DiagnosisRule,
  EligibilityCheckRule,
  GroupRule,
  PlaceOfServiceRule,
  SupervisionRule,
  TelehealthRule,
} from './eligibility-rules.js';
import { RuleSource } from './source.js';
import { BillingRolesRule } from './billing-roles.js';

export * from './source.js';
export * from './billing-rules.js';
export * from './eligibility-rules.js';
export * from './billing-roles.js';

const PackBody = z.strictObject({
  $schema: z.string().optional(),
  id: Slug,
  version: z.string().regex(/^\d+\.\d+\.\d+$/, { message: 'must be a version such as 1.0.0' }),
  title: z.string().min(1),
  effective: z.strictObject({ start: IsoDate, end: IsoDate.optional() }),
  payer: z.strictObject({ name: z.string().min(1), kind: z.enum(['medicaid-ffs', 'medicaid-mco', 'medicare']) }),
  /** Two-letter state, or `US` for a national program. */
  state: z.string().regex(/^[A-Z]{2}$/),
  billingModel: z.enum(['per-encounter', 'monthly-accumulation']),
  notes: z.array(z.string().min(1)).default([]),
  services: z.array(ServiceRule).min(1),
  modifierOrder: z.strictObject({ order: z.array(ModifierSlot).min(1), source: RuleSource }),
  rates: z.array(RateRule).default([]),
  /** Unit size and rounding; required for per-encounter packs. */
  units: UnitRule.optional(),
  monthly: MonthlyAccumulationRule.optional(),
  caps: z.array(CapRule).default([]),
  group: GroupRule.optional(),
  placeOfService: PlaceOfServiceRule.optional(),
  telehealth: TelehealthRule,
  age: AgeRule.optional(),
  diagnosis: DiagnosisRule.optional(),
  credentials: CredentialRule.optional(),
  supervision: SupervisionRule.optional(),
  artefacts: ArtefactRules.default({}),
  /** Freshness of eligibility answers (`PB-ELIGIBILITY-STALE`); default 30 days. */
  eligibilityCheck: EligibilityCheckRule.optional(),
  claimGrouping: ClaimGroupingRule,
  /** Billing, rendering and supervising provider and SBR09; omitted: the peer renders, SBR09 by `payer.kind`. */
  billingRoles: BillingRolesRule.optional(),
});

/**
 * A payer's peer-support billing rules. Parse untrusted JSON with {@link loadPack}, which also runs the cross-field checks.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md
 * @example
 * ```ts
 * const r = RulePack.safeParse(json);
 * ```
 * @category Rule packs
 */
export const RulePack = PackBody.superRefine((p, ctx) => {
  if (p.effective.end !== undefined && p.effective.end < p.effective.start) {
    ctx.addIssue({ code: 'custom', path: ['effective', 'end'], message: 'end is before start' });
  }
  if (p.billingModel === 'monthly-accumulation' && p.monthly === undefined) {
    ctx.addIssue({ code: 'custom', path: ['monthly'], message: 'a monthly-accumulation pack needs a monthly rule' });
  }
  if (p.billingModel === 'per-encounter' && p.units === undefined) {
    ctx.addIssue({ code: 'custom', path: ['units'], message: 'a per-encounter pack needs a units rule' });
  }
  const m = p.units?.method;
  if (m && (m.kind === 'cms-8-minute' || (m.kind === 'per-day-aggregate' && m.inner === 'cms-8-minute'))) {
    if (p.units?.unitMinutes !== 15) ctx.addIssue({ code: 'custom', path: ['units', 'unitMinutes'], message: 'the CMS 8-minute table is defined for 15-minute units' });
  }
  const slots = new Set<string>();
  p.modifierOrder.order.forEach((s, i) => {
    if (slots.has(s)) ctx.addIssue({ code: 'custom', path: ['modifierOrder', 'order', i], message: 'slot appears twice' });
    slots.add(s);
  });
  const codes = new Set(p.services.map((s) => s.code));
  if (p.monthly) {
    codes.add(p.monthly.baseCode);
    codes.add(p.monthly.addOnCode);
  }
  p.rates.forEach((r, i) => {
    if (!codes.has(r.code)) ctx.addIssue({ code: 'custom', path: ['rates', i, 'code'], message: 'rate for a code the pack does not bill' });
  });
  const capIds = new Set<string>();
  p.caps.forEach((c, i) => {
    if (capIds.has(c.id)) ctx.addIssue({ code: 'custom', path: ['caps', i, 'id'], message: 'cap id appears twice' });
    capIds.add(c.id);
    if (c.window.kind === 'rolling' && c.window.days === undefined && c.window.months === undefined) {
      ctx.addIssue({ code: 'custom', path: ['caps', i, 'window'], message: 'a rolling window needs days or months' });
    }
    c.codes?.forEach((code, j) => {
      if (!codes.has(code)) ctx.addIssue({ code: 'custom', path: ['caps', i, 'codes', j], message: 'cap names a code the pack does not bill' });
    });
  });
  if (p.billingRoles?.rendering === 'supervisor' && p.supervision?.required !== true) {
    ctx.addIssue({ code: 'custom', path: ['billingRoles', 'rendering'], message: 'a supervisor can render only when supervision is required' });
  }
  if (p.age?.minYears !== undefined && p.age.maxYears !== undefined && p.age.maxYears < p.age.minYears) {
    ctx.addIssue({ code: 'custom', path: ['age', 'maxYears'], message: 'maxYears is below minYears' });
  }
});
export type RulePack = z.infer<typeof RulePack>;
/** A rule pack as written in JSON (before defaults are applied). @category Rule packs */
export type RulePackInput = z.input<typeof RulePack>;
