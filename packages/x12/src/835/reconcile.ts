import type { Claim, ClaimItem, Reference } from 'fhir/r4.js';
import { describeAdjustmentGroup, describeCarc, describeRarc } from '../codes/carc.js';
import type { X12ClaimInput } from '../837p/input.js';
import { formatMoney, toCents } from '../internal/format.js';
import { PROCEDURE_SYSTEMS } from '../internal/systems.js';
import { findClaimFor, matchLines } from './match.js';
import { PROVIDER_ADJUSTMENT_REASON_TEXT, type Adjustment, type Remittance, type RemittanceClaim, type RemittanceLine } from './types.js';

/**
 * What happened to one billed line:
 * - `paid`: paid, with at most a CO-45 contractual (fee schedule) reduction
 * - `adjusted`: paid, with other reductions (patient responsibility, caps, ...)
 * - `denied`: nothing paid
 * - `reversed`: the payer took back a previous payment (CLP02 = 22)
 * - `unmatched`: a billed line with no remittance line, or a remittance line with no billed line
 *
 * @category Reconciliation
 */
export type LineOutcome = 'paid' | 'adjusted' | 'denied' | 'reversed' | 'unmatched';

/** One adjustment in words. @category Reconciliation */
export interface ExplainedAdjustment {
  readonly group: string;
  readonly groupText: string;
  readonly reason: string;
  readonly reasonText: string;
  readonly amount: number;
}

/** Reconciliation result for one line (or, with `level: 'claim'`, for what a payer adjudicated on the claim as a whole). @category Reconciliation */
export interface ReconciledLine {
  /** `line`: one service line; `claim`: a claim paid without service lines, or its claim-level CAS and amounts
   *  the service lines do not carry (CLP03/CLP04 minus the lines' SVC02/SVC03), so a claim's entries sum to its CLP. */
  readonly level: 'line' | 'claim';
  /** CLM01 / CLP01. */
  readonly patientControlNumber: string;
  /** Claim.id of the billed claim, when known. */
  readonly claimId?: string;
  /** Claim.item.sequence, when the line was billed. */
  readonly itemSequence?: number;
  /** The Encounter(s) the billed line (or, for a claim-level entry, the claim) was for: reference or identifier value. */
  readonly encounters: readonly string[];
  /** Date of service (`YYYY-MM-DD`): the billed item's, else the 835 DTM*472/150 or the claim statement date. */
  readonly serviceDate?: string;
  readonly procedure?: string;
  readonly outcome: LineOutcome;
  readonly billed: number;
  readonly paid: number;
  readonly allowed?: number;
  /** Sum of all CAS amounts on the line. */
  readonly adjusted: number;
  /** Sum of PR (patient responsibility) amounts. */
  readonly patientResponsibility: number;
  readonly adjustments: readonly ExplainedAdjustment[];
  readonly remarks: readonly { readonly code: string; readonly text: string }[];
  /** billed = paid + adjustments (the 835 balancing rule). */
  readonly balanced: boolean;
  /** CLP02 claim status. */
  readonly claimStatus?: string;
  /** CLP07 payer claim control number (for REF*F8 on a corrected claim). */
  readonly payerClaimControlNumber?: string;
  /** One sentence in words. */
  readonly explanation: string;
}

/** One PLB provider-level adjustment in words. @category Reconciliation */
export interface ReconciledProviderAdjustment {
  /** TRN02 of the payment it belongs to. */
  readonly traceNumber: string;
  readonly reason: string;
  readonly reasonText: string;
  readonly reference?: string;
  /** PLB amount: positive = withheld from the payment, negative = added to it. */
  readonly amount: number;
}

/** Reconciliation result for a set of claims against one or more remittances. @category Reconciliation */
export interface ReconciliationReport {
  readonly lines: readonly ReconciledLine[];
  /** PLB provider-level adjustments of every remittance. */
  readonly providerAdjustments: readonly ReconciledProviderAdjustment[];
  /** CLM01s that no remittance mentions yet. */
  readonly claimsWithoutRemittance: readonly string[];
  /** CLP01s that match no billed claim. */
  readonly remittanceClaimsWithoutClaim: readonly string[];
  /** Remittance claims (CLP loops) matched to a billed Claim. */
  readonly claimsMatched: number;
  /**
   * Money totals from the remittances, in dollars, exact to the cent: `billed` ΣCLP03, `paid` ΣCLP04, `adjusted`
   * ΣCAS, `patientResponsibility` ΣPR CAS, `providerAdjustments` ΣPLB, `payment` ΣBPR02 (= paid − providerAdjustments),
   * `unaccounted` ΣCLP04 of claims that match no billed Claim (money the books cannot place yet).
   */
  readonly totals: {
    readonly billed: number;
    readonly paid: number;
    readonly adjusted: number;
    readonly patientResponsibility: number;
    readonly providerAdjustments: number;
    readonly payment: number;
    readonly unaccounted: number;
  };
}

const dollars = (cents: number) => `${cents < 0 ? '-' : ''}$${formatMoney(Math.abs(cents))}${cents % 100 === 0 ? '.00' : cents % 10 === 0 ? '0' : ''}`;
const cents = (v: number) => Math.round(v * 100);

function explain(outcome: LineOutcome, billedC: number, paidC: number, adj: readonly ExplainedAdjustment[], missing: 'billed' | 'remit' | undefined, level: 'line' | 'claim'): string {
  if (missing === 'remit') return 'Billed, but the remittance has no matching service line yet.';
  if (missing === 'billed') return level === 'claim' ? 'The remittance reports a claim that matches no billed claim.' : 'The remittance reports a service line that matches no billed line.';
  const reasons = adj.map((a) => `${dollars(cents(a.amount))} ${(a.groupText.split(' (')[0] ?? '').toLowerCase()}: ${a.reasonText} (${a.group}-${a.reason})`);
  const scope = level === 'claim' ? ' (claim level)' : '';
  if (outcome === 'reversed') return `Reversal of a previous payment${scope}: ${dollars(-paidC)} taken back.`;
  if (outcome === 'denied') return `Denied${scope}: nothing paid of ${dollars(billedC)}${reasons.length ? `; ${reasons.join('; ')}` : ''}.`;
  if (outcome === 'paid' && !reasons.length) return `Paid in full${scope}: ${dollars(paidC)}.`;
  if (level === 'claim' && billedC === 0) return `Claim-level adjustment: ${dollars(paidC)} on the payment; ${reasons.join('; ') || 'no reason given'}.`;
  return `Paid ${dollars(paidC)} of ${dollars(billedC)}${scope}; ${reasons.join('; ') || 'no adjustment reason given'}.`;
}

function itemOf(claim: Claim | undefined, seq: number | undefined): ClaimItem | undefined {
  return seq === undefined ? undefined : claim?.item?.find((i) => i.sequence === seq);
}

function billedOf(item: ClaimItem): { cents: number; procedure?: string } {
  const c = toCents(item.net?.value) ?? toCents((item.unitPrice?.value ?? 0) * (item.quantity?.value ?? 0)) ?? 0;
  const procedure = item.productOrService.coding?.find((x) => x.system && PROCEDURE_SYSTEMS.includes(x.system))?.code;
  return { cents: c, ...(procedure ? { procedure } : {}) };
}

/** How a reference names its encounter: literal reference, else identifier value. */
const encounterName = (r: Reference): string | undefined => r.reference ?? r.identifier?.value ?? r.display;
const encountersOf = (items: readonly ClaimItem[]): string[] => [...new Set(items.flatMap((i) => (i.encounter ?? []).map(encounterName).filter((x): x is string => !!x)))];
const dateOf = (item: ClaimItem | undefined): string | undefined => (item?.servicedDate ?? item?.servicedPeriod?.start)?.slice(0, 10);

function outcomeOf(status: string, matched: boolean, billedC: number, paidC: number, adjustments: readonly Adjustment[]): LineOutcome {
  if (!matched) return 'unmatched';
  if (status === '22') return 'reversed';
  if (paidC <= 0 && billedC > 0) return 'denied';
  if (adjustments.every((a) => a.group === 'CO' && a.reason === '45')) return 'paid';
  return 'adjusted';
}

function explainAdjustments(adjustments: readonly Adjustment[]): ExplainedAdjustment[] {
  return adjustments.map((a) => ({ group: a.group, groupText: describeAdjustmentGroup(a.group), reason: a.reason, reasonText: describeCarc(a.reason), amount: a.amount }));
}

/** What the walk over the remittances accumulates: entries, matches, and money totals in cents. */
interface Ledger {
  readonly lines: ReconciledLine[];
  readonly seen: Set<Claim>;
  readonly orphanRemits: string[];
  matchedClaims: number;
  unaccountedC: number;
  readonly t: { billed: number; paid: number; adjusted: number; pr: number; payment: number };
}

/** The fields every entry of one CLP loop shares. */
type Common = Pick<ReconciledLine, 'patientControlNumber' | 'claimId' | 'claimStatus' | 'payerClaimControlNumber'>;

/** Σ CAS amounts and Σ PR (patient responsibility) CAS amounts, in cents; both count into the totals. */
function adjustmentCents(adjustments: readonly Adjustment[], ledger: Ledger): { adjC: number; prC: number } {
  const adjC = adjustments.reduce((s, a) => s + cents(a.amount), 0);
  const prC = adjustments.filter((a) => a.group === 'PR').reduce((s, a) => s + cents(a.amount), 0);
  ledger.t.adjusted += adjC;
  ledger.t.pr += prC;
  return { adjC, prC };
}

/** One SVC service line: matched to the billed item of sequence `seq` (REF*6R), or unmatched. */
function serviceLineEntry(rc: RemittanceClaim, l: RemittanceLine, seq: number | undefined, claim: Claim | undefined, common: Common, ledger: Ledger): ReconciledLine {
  const item = itemOf(claim, seq);
  const billedC = cents(l.chargeAmount);
  const paidC = cents(l.paidAmount);
  const { adjC, prC } = adjustmentCents(l.adjustments, ledger);
  const outcome = outcomeOf(rc.status, seq !== undefined, billedC, paidC, l.adjustments);
  const adjustments = explainAdjustments(l.adjustments);
  const serviceDate = dateOf(item) ?? l.serviceDate;
  return {
    level: 'line',
    ...common,
    ...(seq !== undefined ? { itemSequence: seq } : {}),
    encounters: item ? encountersOf([item]) : [],
    ...(serviceDate ? { serviceDate } : {}),
    procedure: l.procedure,
    outcome,
    billed: billedC / 100,
    paid: paidC / 100,
    ...(l.allowedAmount !== undefined ? { allowed: l.allowedAmount } : {}),
    adjusted: adjC / 100,
    patientResponsibility: prC / 100,
    adjustments,
    remarks: l.remarks.map((code) => ({ code, text: describeRarc(code) })),
    balanced: billedC - paidC - adjC === 0,
    explanation: explain(outcome, billedC, paidC, adjustments, seq === undefined ? 'billed' : undefined, 'line'),
  };
}

/**
 * The claim as a whole, when the service lines do not carry all of it: a claim paid without service lines, claim-level
 * CAS, or CLP03/CLP04 amounts beyond the lines' SVC02/SVC03 (835 balancing 1.10.2.1: the claim's entries sum to its CLP).
 */
function claimLevelEntry(rc: RemittanceClaim, claim: Claim | undefined, rest: { billedC: number; paidC: number }, common: Common, ledger: Ledger): ReconciledLine {
  const { adjC, prC } = adjustmentCents(rc.adjustments, ledger);
  const items = rc.lines.length === 0 ? (claim?.item ?? []) : [];
  const outcome = outcomeOf(rc.status, !!claim, rest.billedC, rest.paidC, rc.adjustments);
  const adjustments = explainAdjustments(rc.adjustments);
  const serviceDate = dateOf(items[0]) ?? rc.statementFrom;
  return {
    level: 'claim',
    ...common,
    encounters: encountersOf(items),
    ...(serviceDate ? { serviceDate } : {}),
    // Nothing billed at claim level is not a denial: the amounts are the payer's adjustment of the whole.
    outcome: outcome === 'denied' && rest.billedC === 0 ? 'adjusted' : outcome,
    billed: rest.billedC / 100,
    paid: rest.paidC / 100,
    adjusted: adjC / 100,
    patientResponsibility: prC / 100,
    adjustments,
    remarks: [],
    balanced: rest.billedC - rest.paidC - adjC === 0,
    explanation: explain(outcome, rest.billedC, rest.paidC, adjustments, claim ? undefined : 'billed', 'claim'),
  };
}

/** A billed line no remittance line mentions: unmatched, nothing paid yet. */
function unmentionedLineEntry(item: ClaimItem, common: Common): ReconciledLine {
  const b = billedOf(item);
  const serviceDate = dateOf(item);
  return {
    level: 'line',
    ...common,
    itemSequence: item.sequence,
    encounters: encountersOf([item]),
    ...(serviceDate ? { serviceDate } : {}),
    ...(b.procedure ? { procedure: b.procedure } : {}),
    outcome: 'unmatched',
    billed: b.cents / 100,
    paid: 0,
    adjusted: 0,
    patientResponsibility: 0,
    adjustments: [],
    remarks: [],
    balanced: false,
    explanation: explain('unmatched', b.cents, 0, [], 'remit', 'line'),
  };
}

/**
 * One CLP loop: match it to a billed claim (CLP01), then its entries in order — each SVC line, the claim-level rest,
 * and the billed lines it does not mention (unless it is a reversal, CLP02 = 22, which need not repeat every line).
 */
function reconcileClaim(rc: RemittanceClaim, billed: readonly Claim[], ledger: Ledger): void {
  const claim = findClaimFor(rc, billed);
  if (!claim) {
    ledger.orphanRemits.push(rc.patientControlNumber);
    ledger.unaccountedC += cents(rc.paidAmount);
  } else {
    ledger.seen.add(claim);
    ledger.matchedClaims++;
  }
  ledger.t.billed += cents(rc.chargeAmount);
  ledger.t.paid += cents(rc.paidAmount);
  const common: Common = {
    patientControlNumber: rc.patientControlNumber,
    ...(claim?.id ? { claimId: claim.id } : {}),
    claimStatus: rc.status,
    ...(rc.payerClaimControlNumber ? { payerClaimControlNumber: rc.payerClaimControlNumber } : {}),
  };
  const matches = matchLines(rc, claim);
  const matchedSeqs = new Set<number>();
  let lineBilledC = 0;
  let linePaidC = 0;
  rc.lines.forEach((l, i) => {
    const seq = matches[i];
    if (seq !== undefined) matchedSeqs.add(seq);
    lineBilledC += cents(l.chargeAmount);
    linePaidC += cents(l.paidAmount);
    ledger.lines.push(serviceLineEntry(rc, l, seq, claim, common, ledger));
  });
  const rest = { billedC: cents(rc.chargeAmount) - lineBilledC, paidC: cents(rc.paidAmount) - linePaidC };
  if (rc.lines.length === 0 || rc.adjustments.length > 0 || rest.billedC !== 0 || rest.paidC !== 0) {
    ledger.lines.push(claimLevelEntry(rc, claim, rest, common, ledger));
    if (rc.lines.length === 0) for (const it of claim?.item ?? []) matchedSeqs.add(it.sequence);
  }
  for (const item of rc.status === '22' ? [] : (claim?.item ?? [])) {
    if (!matchedSeqs.has(item.sequence)) ledger.lines.push(unmentionedLineEntry(item, common));
  }
}

/** The PLB provider-level adjustments of every remittance, in words. */
function providerAdjustmentsOf(remits: readonly Remittance[]): ReconciledProviderAdjustment[] {
  return remits.flatMap((r) =>
    r.providerAdjustments.map((a) => ({
      traceNumber: r.trace.number,
      reason: a.reason,
      reasonText: PROVIDER_ADJUSTMENT_REASON_TEXT[a.reason] ?? `Provider adjustment ${a.reason}`,
      ...(a.reference !== undefined ? { reference: a.reference } : {}),
      amount: a.amount,
    })),
  );
}

/**
 * Reconcile billed claims with 835 remittances line by line: paid / adjusted / denied / reversed / unmatched,
 * with amounts, the reasons in words, and the encounter and date of service of each billed line.
 *
 * Claims are matched by CLP01 = Claim.identifier (ignoring case), lines by REF*6R = the line item control number
 * the 837P writer used (the item's `line-item-control-number` extension, else its sequence). Every dollar lands
 * somewhere: each service line is an entry; a claim paid without service lines, its claim-level CAS, and any amount
 * the lines do not carry are a `level: 'claim'` entry; reversals (CLP02 = 22) are entries of their own; PLB
 * adjustments are listed in `providerAdjustments`. So Σ entries' paid = ΣCLP04, and ΣCLP04 − ΣPLB = ΣBPR02.
 *
 * Spec: 835 005010X221A1 (CLP, SVC, CAS, REF*6R, AMT*B6, LQ*HE, PLB; balancing 1.10.2.1); CARC/RARC code lists.
 *
 * @param claims - the billed Claims (or 837P inputs)
 * @param remittances - one or more remittances from `read835`
 * @returns every line with its outcome, amounts and reasons, and money totals
 * @example
 * const report = reconcile(claims, read835(text));
 * for (const line of report.lines) console.log(line.encounters, line.serviceDate, line.outcome, line.explanation);
 * console.log(`${report.claimsMatched} claims matched, $${report.totals.unaccounted} unaccounted for`);
 * @category Reconciliation
 */
export function reconcile(
  claims: readonly (Claim | X12ClaimInput)[],
  remittances: Remittance | readonly Remittance[],
): ReconciliationReport {
  const billed: Claim[] = claims.map((c) => ('resourceType' in c ? c : c.claim));
  const remits: readonly Remittance[] = Array.isArray(remittances) ? remittances : [remittances as Remittance];
  const ledger: Ledger = { lines: [], seen: new Set(), orphanRemits: [], matchedClaims: 0, unaccountedC: 0, t: { billed: 0, paid: 0, adjusted: 0, pr: 0, payment: 0 } };
  for (const r of remits) {
    ledger.t.payment += (r.payment.creditDebit === 'D' ? -1 : 1) * cents(r.payment.amount);
    for (const rc of r.claims) reconcileClaim(rc, billed, ledger);
  }
  const providerAdjustments = providerAdjustmentsOf(remits);
  const pcnOf = (c: Claim) => c.identifier?.find((i) => !!i.value)?.value ?? '';
  const { t } = ledger;
  return {
    lines: ledger.lines,
    providerAdjustments,
    claimsWithoutRemittance: billed.filter((c) => !ledger.seen.has(c)).map(pcnOf),
    remittanceClaimsWithoutClaim: ledger.orphanRemits,
    claimsMatched: ledger.matchedClaims,
    totals: {
      billed: t.billed / 100,
      paid: t.paid / 100,
      adjusted: t.adjusted / 100,
      patientResponsibility: t.pr / 100,
      providerAdjustments: providerAdjustments.reduce((s, a) => s + cents(a.amount), 0) / 100,
      payment: t.payment / 100,
      unaccounted: ledger.unaccountedC / 100,
    },
  };
}
