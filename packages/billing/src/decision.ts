/**
 * What `evaluate` returns: per encounter x attendee, billable lines or held units with every reason.
 * @module
 */
import type { EditCode } from './edits/codes.js';

/**
 * One reason an item is held (severity `hold`) or flagged (severity `warn`). Reasons name rules, never PHI.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#pre-bill-edits
 * @example
 * ```ts
 * d.holds[0]; // { code: 'PB-CAP', severity: 'hold', reason: '4 unit(s) over cap daily-max (16 per day)', units: 4 }
 * ```
 * @category Decisions
 */
export interface Finding {
  code: EditCode;
  severity: 'hold' | 'warn';
  reason: string;
  /** Units this finding holds, when it holds only part of the item. */
  units?: number;
}

/**
 * A billable service line, ready for the Claim builder.
 *
 * @see https://hl7.org/fhir/R4/claim-definitions.html#Claim.item
 * @example
 * ```ts
 * result.lines[0]; // { code: 'H0038', modifiers: ['HQ'], units: 6, rate: 2.88, charge: 17.28, ... }
 * ```
 * @category Decisions
 */
export interface BillingLine {
  encounterId: string;
  participantId: string;
  /** Group id when the encounter was a group session. */
  groupId?: string;
  dateOfService: string;
  code: string;
  /** In the pack's modifier order; at most 4 (837P SV1-01-3..6). */
  modifiers: string[];
  units: number;
  minutes: number;
  /** Dollars per unit, or null when the pack has no rate. */
  rate: number | null;
  charge: number | null;
  placeOfService: string;
  diagnoses: string[];
  specialistNpi: string;
  supervisorNpi?: string;
  organizationNpi: string;
  payerId: string;
  payerName: string;
  memberId: string;
  /** Coverage period start, part of the Coverage identifier. */
  coverageStart: string;
  /** Units of this line billed under a prior authorization. */
  priorAuthUnits: number;
  preAuthRef?: string;
  part2: boolean;
  warnings: Finding[];
}

/**
 * The outcome for one encounter x attendee.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#decisions
 * @example
 * ```ts
 * const held = evaluate(ctx).decisions.filter((d) => d.status !== 'billed');
 * ```
 * @category Decisions
 */
export interface BillingDecision {
  encounterId: string;
  participantId: string;
  dateOfService: string;
  /** `partial`: some units billed, the rest held by a cap or missing authorization. */
  status: 'billed' | 'partial' | 'held';
  lines: BillingLine[];
  /** Units this item asks for (billed + held). */
  requestedUnits: number;
  billedUnits: number;
  heldUnits: number;
  minutes: number;
  /** Every hold reason (empty when billed). */
  holds: Finding[];
  warnings: Finding[];
  /** Aggregated models (per-day, monthly): the item whose line carries this item's time. */
  countedIn?: string;
}

/**
 * Totals that reconcile: billed + partial + held = items, and billed + held units = requested units.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#decisions
 * @example
 * ```ts
 * const t = evaluate(ctx).totals; t.billedUnits + t.heldUnits === t.requestedUnits; // true
 * ```
 * @category Decisions
 */
export interface BillingTotals {
  items: number;
  billed: number;
  partial: number;
  held: number;
  requestedUnits: number;
  billedUnits: number;
  heldUnits: number;
  /** Sum of line charges with a known rate. */
  charge: number;
  /** Lines without a rate. */
  linesWithoutRate: number;
}

/**
 * The result of one evaluation.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#decisions
 * @example
 * ```ts
 * const { decisions, lines, totals } = evaluate(ctx);
 * ```
 * @category Decisions
 */
export interface BillingResult {
  packId: string;
  packVersion: string;
  decisions: BillingDecision[];
  /** All billable lines, in decision order. */
  lines: BillingLine[];
  totals: BillingTotals;
}
