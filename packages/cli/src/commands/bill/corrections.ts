import type { Claim, ClaimResponse } from 'fhir/r4.js';
import type { PeerFhirClient } from '@peer-fhir/client';
import { identifierSystems, Systems, toFhir, type IdentityScope, type Organization, type Participant, type PeerSpecialist } from '@peer-fhir/core';
import { buildCorrectionClaims, planCorrections, priorClaimFromFhir, type AwaitingCorrection, type BillingContext, type BillingLine, type PriorClaim, type RulePack } from '@peer-fhir/billing';
import { resolveX12ClaimInput, type X12ClaimInput } from '@peer-fhir/x12';

/**
 * What `bill` did about claims sent before, each group apart: encounters already billed (not billed again),
 * replacements (frequency 7) and voids (8) sent, corrections waiting for the payer's claim number.
 *
 * @example
 * ```ts
 * const c: BillCorrectionSummary = { priorClaims: 3, alreadyBilled: 5, unchanged: 2, replacements: 1, voids: 0, awaitingPayerClaimNumber: [], notJudged: 0 };
 * ```
 * @category Bill
 */
export interface BillCorrectionSummary {
  /** The agency's stored claims of the period read from the server. */
  priorClaims: number;
  /** Encounter x participant items on a standing claim: held by PB-DUPLICATE, never a second original. */
  alreadyBilled: number;
  /** Standing claims whose encounters bill the same: nothing sent. */
  unchanged: number;
  replacements: number;
  voids: number;
  /** Corrections not sent: no payer claim number yet (or no stored claim to repeat). */
  awaitingPayerClaimNumber: AwaitingCorrection[];
  /** Standing claims with an encounter outside the period's records. */
  notJudged: number;
}

const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** The payer's answers to stored claims: claim number (835 CLP07) and whether it was refused before adjudication. */
async function payerAnswers(client: PeerFhirClient, claims: readonly Claim[]): Promise<Map<string, { payerClaimNumber?: string; rejected: boolean }>> {
  const out = new Map<string, { payerClaimNumber?: string; rejected: boolean }>();
  for (const chunk of chunks(claims.flatMap((c) => (c.id ? [`Claim/${c.id}`] : [])), 50)) {
    for await (const r of client.searchAll('ClaimResponse', new URLSearchParams({ request: chunk.join(','), _count: '500' }))) {
      const response = r as ClaimResponse;
      const claim = response.request?.reference;
      if (!claim) continue;
      const number = response.identifier?.find((i) => i.system === Systems.PAYER_CLAIM_CONTROL_NUMBER)?.value;
      const known = out.get(claim) ?? { rejected: false };
      out.set(claim, { ...known, ...(number ? { payerClaimNumber: number } : {}), rejected: known.rejected || (response.outcome === 'error' && !number) });
    }
  }
  return out;
}

/** Whether a stored Claim's billable period starts in the period (a claim is built per participant and month). */
export const startsIn = (claim: Claim, period: { from: string; to: string }): boolean => {
  const start = claim.billablePeriod?.start ?? '';
  return start >= period.from && start <= `${period.to}~`;
};

/**
 * The period's stored Claims of the agency among `claims` (those whose billable period starts in it), with the
 * payer's claim numbers from the stored ClaimResponses (835), as billing's prior claims. `claims` are the Claims of
 * the period's participants (`Claim?patient=`): a claim is about one participant, so the period's claims of the
 * participants billed now are all the prior claims a decision of this run can be about.
 */
export async function periodPriorClaims(client: PeerFhirClient, scope: IdentityScope, claims: readonly Claim[], period: { from: string; to: string }): Promise<PriorClaim[]> {
  const system = identifierSystems(scope).claim;
  const inPeriod = claims.filter((c) => startsIn(c, period) && (c.identifier ?? []).some((i) => i.system === system));
  const answers = await payerAnswers(client, inPeriod);
  return inPeriod.flatMap((c) => priorClaimFromFhir(c, scope, answers.get(`Claim/${c.id ?? ''}`) ?? {}) ?? []);
}

/** Records the correction claims refer to (agency, staff, participants), for resolving them into 837P inputs. */
export interface CorrectionRecords {
  organizations: readonly Organization[];
  specialists: readonly PeerSpecialist[];
  participants: readonly Participant[];
}

/**
 * Replacement and void claims for the standing prior claims whose encounters changed, resolved for the 837P against
 * the period's records, and the counts of each group.
 */
export function correctionClaims(
  ctx: BillingContext,
  records: CorrectionRecords,
  opts: { pack: RulePack; created: string; scope: IdentityScope; alreadyBilled: number; supervisorTaxonomies?: Readonly<Record<string, string>> | undefined },
): { claims: Claim[]; inputs: X12ClaimInput[]; lines: BillingLine[]; summary: BillCorrectionSummary } {
  const plan = planCorrections(ctx);
  const claims = buildCorrectionClaims(plan, { pack: opts.pack, created: opts.created, namespace: opts.scope.namespace, supervisorTaxonomies: opts.supervisorTaxonomies });
  const references = claims.length ? toFhir({ organizations: [...records.organizations], specialists: [...records.specialists], participants: [...records.participants] }, { agency: opts.scope.agency, namespace: opts.scope.namespace }) : undefined;
  const inputs = claims.map((c) => resolveX12ClaimInput(c, references));
  const summary: BillCorrectionSummary = {
    priorClaims: ctx.priorClaims?.length ?? 0,
    alreadyBilled: opts.alreadyBilled,
    unchanged: plan.unchanged,
    replacements: plan.replacements.length,
    voids: plan.voids.length,
    awaitingPayerClaimNumber: plan.awaitingPayerClaimNumber,
    notJudged: plan.notJudged,
  };
  // The replacements' lines: the Part 2 disclosure record of a replacement names the consents they bill under.
  return { claims, inputs, lines: plan.replacements.flatMap((r) => r.lines), summary };
}
