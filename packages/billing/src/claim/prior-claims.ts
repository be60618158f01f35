/**
 * Prior claims: read back from stored FHIR Claims, and which of them still stand (not voided, replaced or rejected).
 * @module
 */
import { Extensions, identifierSystems, Systems, type IdentityScope } from '@peer-fhir/core';
import type { Claim, ClaimItem } from 'fhir/r4.js';
import { PriorClaim, type PriorClaimItem } from '../context.js';

/**
 * What the payer said about a stored claim, for {@link priorClaimFromFhir}.
 *
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/corrections.md
 * @example
 * ```ts
 * const answer: PayerAnswer = { payerClaimNumber: 'ICN0001' };
 * ```
 * @category Corrections
 */
export interface PayerAnswer {
  /** 835 CLP07 (ClaimResponse identifier in core's `Systems.PAYER_CLAIM_CONTROL_NUMBER`). */
  payerClaimNumber?: string | undefined;
  /** Rejected before adjudication (999 / 277CA). */
  rejected?: boolean | undefined;
}

function itemOf(claim: Claim, item: ClaimItem, participantId: string, ids: ReturnType<typeof identifierSystems>): PriorClaimItem | undefined {
  const enc = item.encounter?.[0]?.identifier;
  // A group attendee's own Encounter is `${groupEncounterId}:${participantId}` (billing's encounterRef).
  const encounterId = enc?.system === ids.groupAttendance ? enc.value?.slice(0, enc.value.lastIndexOf(':')) : enc?.value;
  const code = item.productOrService.coding?.find((c) => c.system === Systems.HCPCS)?.code;
  if (!encounterId || !code || !item.servicedDate) return undefined;
  const dx = (item.diagnosisSequence ?? []).map((n) => claim.diagnosis?.find((d) => d.sequence === n)?.diagnosisCodeableConcept?.coding?.[0]?.code ?? '');
  return {
    encounterId,
    participantId,
    dateOfService: item.servicedDate,
    code,
    modifiers: (item.modifier ?? []).map((m) => m.coding?.[0]?.code ?? ''),
    units: item.quantity?.value ?? 0,
    charge: item.net?.value ?? null,
    diagnoses: dx,
  };
}

/**
 * A Claim `buildClaims` made (and the CLI stored), read back as a {@link PriorClaim} of one agency: its identifier,
 * frequency (core's `Extensions.ClaimFrequency`), the claim it corrects (`related` prior) and what each line billed.
 * `undefined` for a Claim that is not the agency's.
 *
 * @param claim - a Claim `buildClaims` made
 * @param scope - the identity scope it was written under
 * @param answer - the payer's answer to it (277CA or 835), if any
 * @returns the prior claim, or undefined when the Claim is not one of ours
 * @see https://hl7.org/fhir/R4/claim.html
 * @example
 * ```ts
 * const prior = priorClaimFromFhir(storedClaim, { agency: '1234567893' }, { payerClaimNumber: 'ICN0001' });
 * ```
 * @category Corrections
 */
export function priorClaimFromFhir(claim: Claim, scope: IdentityScope, answer: PayerAnswer = {}): PriorClaim | undefined {
  const ids = identifierSystems(scope);
  const claimId = claim.identifier?.find((i) => i.system === ids.claim)?.value;
  const participantId = claim.patient.identifier?.system === ids.participant ? claim.patient.identifier.value : undefined;
  if (!claimId || !participantId) return undefined;
  const frequency = claim.extension?.find((e) => e.url === Extensions.ClaimFrequency)?.valueCode;
  const replaces = claim.related?.find((r) => r.relationship?.coding?.some((c) => c.system === Systems.RELATED_CLAIM_RELATIONSHIP && c.code === 'prior'))?.reference?.value;
  const items = (claim.item ?? []).flatMap((i) => itemOf(claim, i, participantId, ids) ?? []);
  return PriorClaim.parse({
    claimId,
    frequency: frequency === '7' || frequency === '8' ? frequency : '1',
    created: claim.created,
    ...(answer.payerClaimNumber ? { payerClaimNumber: answer.payerClaimNumber } : {}),
    ...(replaces ? { replaces } : {}),
    rejected: answer.rejected === true,
    items,
    source: claim,
  });
}

/**
 * The prior claims that still stand: not rejected before adjudication, not a void, and not corrected by a later
 * replacement or void naming their payer claim number.
 *
 * @param claims - the prior claims of the agency, as read back by `priorClaimFromFhir`
 * @returns the claims that still stand, latest replacement of each chain
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/corrections.md
 * @example
 * ```ts
 * const standing = activePriorClaims(ctx.priorClaims ?? []);
 * ```
 * @category Corrections
 */
export function activePriorClaims(claims: readonly PriorClaim[]): PriorClaim[] {
  const live = claims.filter((c) => !c.rejected);
  const corrected = new Set(live.flatMap((c) => (c.replaces ? [c.replaces] : [])));
  return live.filter((c) => c.frequency !== '8' && !(c.payerClaimNumber !== undefined && corrected.has(c.payerClaimNumber)));
}

/** `${encounterId}/${participantId}` of every item on a standing prior claim, with that claim. @internal */
export function billedItems(claims: readonly PriorClaim[]): Map<string, PriorClaim> {
  const out = new Map<string, PriorClaim>();
  for (const c of activePriorClaims(claims)) for (const i of c.items) out.set(`${i.encounterId}/${i.participantId}`, c);
  return out;
}
