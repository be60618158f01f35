/**
 * Billing follows corrections: a standing prior claim whose encounters now bill differently is replaced (837P CLM05-3
 * = 7), one whose encounters no longer bill at all is voided (8); both name the payer's claim number (2300 REF*F8).
 * Without that number the correction waits, counted.
 * @module
 */
import { Extensions, Systems } from '@peer-fhir/core';
import type { Claim } from 'fhir/r4.js';
import type { BillingContext, PriorClaim, PriorClaimItem } from '../context.js';
import type { BillingLine } from '../decision.js';
import { evaluate } from '../evaluate.js';
import { buildClaims, type ClaimOptions } from './build.js';
import { activePriorClaims } from './prior-claims.js';
import { patientControlNumber } from './control-number.js';

/**
 * A correction that cannot be sent yet, and why: the payer's claim number (835 CLP07) is not known, or (for a void)
 * the stored claim to repeat is missing.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/corrections.md
 * @example
 * ```ts
 * const w: AwaitingCorrection = { claimId: '1234567893_p-1_TXMCD_2025-03', kind: 'void', reason: 'payer-claim-number-unknown', encounterIds: ['enc-1'] };
 * ```
 * @category Corrections
 */
export interface AwaitingCorrection {
  claimId: string;
  kind: 'replacement' | 'void';
  reason: 'payer-claim-number-unknown' | 'stored-claim-missing';
  encounterIds: string[];
}

/**
 * What billing owes the payer for claims already sent: replacements with their new lines, voids, corrections waiting
 * for the payer's claim number, and how many standing claims still bill the same (nothing to send).
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/corrections.md
 * @example
 * ```ts
 * const plan: CorrectionPlan = planCorrections(ctx);
 * console.log(plan.replacements.length, plan.voids.length, plan.awaitingPayerClaimNumber.length, plan.unchanged);
 * ```
 * @category Corrections
 */
export interface CorrectionPlan {
  replacements: { prior: PriorClaim; lines: BillingLine[] }[];
  voids: PriorClaim[];
  awaitingPayerClaimNumber: AwaitingCorrection[];
  /** Standing claims whose encounters bill exactly as billed. */
  unchanged: number;
  /** Standing claims with an encounter outside the records given (not judged). */
  notJudged: number;
}

const itemKey = (i: { encounterId: string; participantId: string }): string => `${i.encounterId}/${i.participantId}`;

/** What a line or prior item bills, as one comparable string per line (order-free). */
function billingOf(items: readonly PriorClaimItem[]): string[] {
  return items.map((i) => [itemKey(i), i.dateOfService, i.code, i.modifiers.join(':'), i.units, i.charge ?? '', i.diagnoses.slice(0, 4).join(':')].join('|')).sort();
}

function itemsOf(lines: readonly BillingLine[]): PriorClaimItem[] {
  return lines.map((l) => ({ encounterId: l.encounterId, participantId: l.participantId, dateOfService: l.dateOfService, code: l.code, modifiers: l.modifiers, units: l.units, charge: l.charge, diagnoses: l.diagnoses }));
}

/** The prior claim's encounters as they are now, evaluated alone (no duplicate edit): the lines they bill today. */
function billNow(ctx: BillingContext, prior: PriorClaim): BillingLine[] | undefined {
  const wanted = new Set(prior.items.map((i) => i.encounterId));
  const encounters = ctx.encounters.filter((e) => wanted.has(e.id));
  if (encounters.length !== wanted.size) return undefined;
  const keys = new Set(prior.items.map(itemKey));
  const { priorClaims: _prior, ...rest } = ctx;
  return evaluate({ ...rest, encounters, history: historyWithout(ctx.history ?? [], prior.items) }).lines.filter((l) => keys.has(itemKey(l)));
}

/** Billed units without the prior claim's own lines (one history entry per line): a replacement takes their place. */
function historyWithout(history: NonNullable<BillingContext['history']>, items: readonly PriorClaimItem[]): NonNullable<BillingContext['history']> {
  const left = [...history];
  for (const i of items) {
    const at = left.findIndex((h) => h.participantId === i.participantId && h.date === i.dateOfService && h.code === i.code && h.units === i.units);
    if (at >= 0) left.splice(at, 1);
  }
  return left;
}

function awaiting(prior: PriorClaim, kind: AwaitingCorrection['kind'], reason: AwaitingCorrection['reason']): AwaitingCorrection {
  return { claimId: prior.claimId, kind, reason, encounterIds: [...new Set(prior.items.map((i) => i.encounterId))] };
}

/**
 * Compares every standing prior claim (`ctx.priorClaims`) with what its encounters bill now: the same -> unchanged;
 * different lines -> a replacement; no billable line left (entered in error, cancelled, now held) -> a void. A
 * replacement or void needs the payer's claim number (REF*F8); without it the correction is listed as awaiting,
 * never sent and never dropped.
 *
 * @param ctx - the billing context, with `priorClaims`
 * @returns the replacements and voids that bring the prior claims in line
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/corrections.md
 * @example
 * ```ts
 * const plan = planCorrections({ ...ctx, priorClaims });
 * const claims = buildCorrectionClaims(plan, { pack: ctx.pack, created: '2025-04-02' });
 * ```
 * @category Corrections
 */
export function planCorrections(ctx: BillingContext): CorrectionPlan {
  const plan: CorrectionPlan = { replacements: [], voids: [], awaitingPayerClaimNumber: [], unchanged: 0, notJudged: 0 };
  for (const prior of activePriorClaims(ctx.priorClaims ?? [])) {
    const lines = billNow(ctx, prior);
    if (lines === undefined) plan.notJudged++;
    else if (billingOf(itemsOf(lines)).join('\n') === billingOf(prior.items).join('\n')) plan.unchanged++;
    else if (!prior.payerClaimNumber) plan.awaitingPayerClaimNumber.push(awaiting(prior, lines.length ? 'replacement' : 'void', 'payer-claim-number-unknown'));
    else if (lines.length) plan.replacements.push({ prior, lines });
    else if (!prior.source) plan.awaitingPayerClaimNumber.push(awaiting(prior, 'void', 'stored-claim-missing'));
    else plan.voids.push(prior);
  }
  return plan;
}

/**
 * A correction's own identifier (CLM01 of the corrected claim), derived from the claim it corrects: ≤ 20 upper-case
 * characters like every claim number, never the original's (which stays unique), one per corrected claim.
 */
function correctionId(claimId: string): string {
  return patientControlNumber(`${claimId}#correction`);
}

/** Frequency 7/8 and the prior claim's payer number (Claim.related, relationship `prior`), on a new identifier. */
function asCorrection(claim: Claim, prior: PriorClaim, frequency: '7' | '8', created: string): Claim {
  const { id: _id, meta, ...rest } = claim;
  const system = claim.identifier?.[0]?.system;
  return {
    ...rest,
    ...(meta ? { meta: { ...(meta.profile ? { profile: meta.profile } : {}), ...(meta.security ? { security: meta.security } : {}) } } : {}),
    extension: [...(claim.extension ?? []).filter((e) => e.url !== Extensions.ClaimFrequency), { url: Extensions.ClaimFrequency, valueCode: frequency }],
    identifier: [{ ...(system ? { system } : {}), value: correctionId(prior.claimId) }],
    created,
    related: [
      {
        // The claim it corrects, by our identifier (so stored units stop counting it), and the payer's number (REF*F8).
        ...(system ? { claim: { identifier: { system, value: prior.claimId } } } : {}),
        relationship: { coding: [{ system: Systems.RELATED_CLAIM_RELATIONSHIP, code: 'prior' }] },
        reference: { system: Systems.PAYER_CLAIM_CONTROL_NUMBER, value: prior.payerClaimNumber ?? '' },
      },
    ],
  };
}

/**
 * The Claims of a {@link CorrectionPlan}: each replacement built from its new lines (one claim, the prior claim's
 * grouping), each void a repeat of the stored claim; both with frequency 7/8 (core's `Extensions.ClaimFrequency`),
 * `related` prior = the payer's claim number (837P REF*F8) and a new identifier `{prior}_C{n}`.
 *
 * @param plan - the corrections `planCorrections` found
 * @param options - claim building options (identity scope, payer, taxonomies)
 * @returns the replacement (frequency 7) and void (frequency 8) Claims
 * @see https://hl7.org/fhir/R4/claim-definitions.html#Claim.related
 * @example
 * ```ts
 * const corrections = buildCorrectionClaims(planCorrections(ctx), { pack: ctx.pack, created: '2025-04-02' });
 * ```
 * @category Corrections
 */
export function buildCorrectionClaims(plan: CorrectionPlan, options: ClaimOptions): Claim[] {
  const created = options.created ?? new Date().toISOString().slice(0, 10);
  const replacements = plan.replacements.flatMap(({ prior, lines }) => buildClaims(lines, { ...options, created }).map((c) => asCorrection(c, prior, '7', created)));
  const voids = plan.voids.flatMap((prior) => (prior.source ? [asCorrection(prior.source, prior, '8', created)] : []));
  return [...replacements, ...voids];
}
