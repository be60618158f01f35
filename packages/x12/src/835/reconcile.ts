import type { Claim } from 'fhir/r4.js';
import { describeAdjustmentGroup, describeCarc, describeRarc } from '../codes/carc.js';
import type { X12ClaimInput } from '../837p/input.js';
import { formatMoney, toCents } from '../internal/format.js';
import { PROCEDURE_SYSTEMS } from '../internal/systems.js';
import { findClaimFor, matchLines } from './match.js';
import type { Remittance, RemittanceClaim } from './types.js';

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

/** Reconciliation result for one line. @category Reconciliation */
export interface ReconciledLine {
  /** CLM01 / CLP01. */
  readonly patientControlNumber: string;
  /** Claim.id of the billed claim, when known. */
  readonly claimId?: string;
  /** Claim.item.sequence, when the line was billed. */
  readonly itemSequence?: number;
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
  /** CLP07 payer claim control number (for REF*F8 on a corrected claim). */
  readonly payerClaimControlNumber?: string;
  /** One sentence in words. */
  readonly explanation: string;
}

/** Reconciliation result for a set of claims against one or more remittances. @category Reconciliation */
export interface ReconciliationReport {
  readonly lines: readonly ReconciledLine[];
  /** CLM01s that no remittance mentions yet. */
  readonly claimsWithoutRemittance: readonly string[];
  /** CLP01s that match no billed claim. */
  readonly remittanceClaimsWithoutClaim: readonly string[];
  readonly totals: { readonly billed: number; readonly paid: number; readonly adjusted: number; readonly patientResponsibility: number };
}

const dollars = (cents: number) => `$${formatMoney(cents)}${cents % 100 === 0 ? '.00' : cents % 10 === 0 ? '0' : ''}`;
const cents = (v: number) => Math.round(v * 100);

function explain(outcome: LineOutcome, billedC: number, paidC: number, adj: readonly ExplainedAdjustment[], missing: 'billed' | 'remit' | undefined): string {
  if (missing === 'remit') return 'Billed, but the remittance has no matching service line yet.';
  if (missing === 'billed') return 'The remittance reports a service line that matches no billed line.';
  const reasons = adj.map((a) => `${dollars(cents(a.amount))} ${a.groupText.split(' (')[0]!.toLowerCase()}: ${a.reasonText} (${a.group}-${a.reason})`);
  if (outcome === 'reversed') return `Reversal of a previous payment: ${dollars(-paidC)} taken back.`;
  if (outcome === 'denied') return `Denied: nothing paid of ${dollars(billedC)}${reasons.length ? `; ${reasons.join('; ')}` : ''}.`;
  if (outcome === 'paid' && !reasons.length) return `Paid in full: ${dollars(paidC)}.`;
  return `Paid ${dollars(paidC)} of ${dollars(billedC)}; ${reasons.join('; ')}.`;
}

function billedOf(claim: Claim, seq: number): { cents: number; procedure?: string } {
  const item = claim.item?.find((i) => i.sequence === seq);
  if (!item) return { cents: 0 };
  const c = toCents(item.net?.value) ?? toCents((item.unitPrice?.value ?? 0) * (item.quantity?.value ?? 0)) ?? 0;
  const procedure = item.productOrService.coding?.find((x) => x.system && PROCEDURE_SYSTEMS.includes(x.system))?.code;
  return { cents: c, ...(procedure ? { procedure } : {}) };
}

/**
 * Reconcile billed claims with 835 remittances line by line: paid / adjusted / denied / unmatched,
 * with amounts and the reasons in words.
 *
 * Lines are matched by CLP01 = Claim.identifier and REF*6R = the line item control number the 837P
 * writer used (the item's `line-item-control-number` extension, else its sequence).
 *
 * Spec: 835 005010X221A1 (CLP, SVC, CAS, REF*6R, AMT*B6, LQ*HE); CARC/RARC code lists.
 *
 * @example
 * const report = reconcile(claims, read835(text));
 * for (const line of report.lines) console.log(line.patientControlNumber, line.itemSequence, line.outcome, line.explanation);
 * @category Reconciliation
 */
export function reconcile(
  claims: readonly (Claim | X12ClaimInput)[],
  remittances: Remittance | readonly Remittance[],
): ReconciliationReport {
  const billed: Claim[] = claims.map((c) => ('resourceType' in c ? c : c.claim));
  const remits: readonly Remittance[] = Array.isArray(remittances) ? remittances : [remittances as Remittance];
  const lines: ReconciledLine[] = [];
  const seen = new Set<Claim>();
  const orphanRemits: string[] = [];
  const pcnOf = (c: Claim) => c.identifier?.find((i) => !!i.value)?.value ?? '';

  const pairs: { rc: RemittanceClaim; claim: Claim | undefined }[] = [];
  for (const r of remits) for (const rc of r.claims) pairs.push({ rc, claim: findClaimFor(rc, billed) });

  for (const { rc, claim } of pairs) {
    if (!claim) orphanRemits.push(rc.patientControlNumber);
    else seen.add(claim);
    const matches = matchLines(rc, claim);
    const matchedSeqs = new Set<number>();
    rc.lines.forEach((l, i) => {
      const seq = matches[i];
      if (seq !== undefined) matchedSeqs.add(seq);
      const adjustments: ExplainedAdjustment[] = l.adjustments.map((a) => ({
        group: a.group,
        groupText: describeAdjustmentGroup(a.group),
        reason: a.reason,
        reasonText: describeCarc(a.reason),
        amount: a.amount,
      }));
      const billedC = cents(l.chargeAmount);
      const paidC = cents(l.paidAmount);
      const adjC = l.adjustments.reduce((s, a) => s + cents(a.amount), 0);
      const prC = l.adjustments.filter((a) => a.group === 'PR').reduce((s, a) => s + cents(a.amount), 0);
      let outcome: LineOutcome;
      if (seq === undefined) outcome = 'unmatched';
      else if (rc.status === '22') outcome = 'reversed';
      else if (paidC <= 0 && billedC > 0) outcome = 'denied';
      else if (l.adjustments.every((a) => a.group === 'CO' && a.reason === '45')) outcome = 'paid';
      else outcome = 'adjusted';
      lines.push({
        patientControlNumber: rc.patientControlNumber,
        ...(claim?.id ? { claimId: claim.id } : {}),
        ...(seq !== undefined ? { itemSequence: seq } : {}),
        procedure: l.procedure,
        outcome,
        billed: l.chargeAmount,
        paid: l.paidAmount,
        ...(l.allowedAmount !== undefined ? { allowed: l.allowedAmount } : {}),
        adjusted: adjC / 100,
        patientResponsibility: prC / 100,
        adjustments,
        remarks: l.remarks.map((code) => ({ code, text: describeRarc(code) })),
        balanced: billedC - paidC - adjC === 0,
        ...(rc.payerClaimControlNumber ? { payerClaimControlNumber: rc.payerClaimControlNumber } : {}),
        explanation: explain(outcome, billedC, paidC, adjustments, seq === undefined ? 'billed' : undefined),
      });
    });
    // billed lines the remittance did not mention (a reversal need not repeat every line)
    for (const item of rc.status === '22' ? [] : (claim?.item ?? [])) {
      if (matchedSeqs.has(item.sequence)) continue;
      const b = billedOf(claim!, item.sequence);
      lines.push({
        patientControlNumber: rc.patientControlNumber,
        ...(claim?.id ? { claimId: claim.id } : {}),
        itemSequence: item.sequence,
        ...(b.procedure ? { procedure: b.procedure } : {}),
        outcome: 'unmatched',
        billed: b.cents / 100,
        paid: 0,
        adjusted: 0,
        patientResponsibility: 0,
        adjustments: [],
        remarks: [],
        balanced: false,
        explanation: explain('unmatched', b.cents, 0, [], 'remit'),
      });
    }
  }

  const sum = (f: (l: ReconciledLine) => number) => lines.reduce((s, l) => s + cents(f(l)), 0) / 100;
  return {
    lines,
    claimsWithoutRemittance: billed.filter((c) => !seen.has(c)).map(pcnOf),
    remittanceClaimsWithoutClaim: orphanRemits,
    totals: {
      billed: sum((l) => (l.outcome === 'unmatched' && l.itemSequence === undefined ? 0 : l.billed)),
      paid: sum((l) => l.paid),
      adjusted: sum((l) => l.adjusted),
      patientResponsibility: sum((l) => l.patientResponsibility),
    },
  };
}
