import type { Claim, ClaimResponse } from 'fhir/r4.js';
import { CLAIM_TYPE_SYSTEM, PAYER_CLAIM_CONTROL_NUMBER_SYSTEM, REMITTANCE_CLAIM_SYSTEM } from '../internal/systems.js';
import { findClaimFor } from '../835/match.js';
import { CLAIM_STATUS_CATEGORY_TEXT, type ClaimStatus, type ClaimStatusReport } from './read.js';

/**
 * Where a claim stands by its 277 status category (X12 code list 507): `rejected` (A3, A4, A6-A8, E*: never reached
 * adjudication — correct and bill again), `acknowledged` (A0-A2, A5), `pending` (P*), `information-requested` (R*:
 * the payer waits for documents), `finalized` (F0, F1, F3*, F4) or `denied` (F2).
 *
 * @example
 * ```ts
 * import { claimStatusStage } from '@peer-fhir/x12';
 * claimStatusStage('F2'); // 'denied'
 * ```
 * @category Acknowledgments
 */
export type ClaimStatusStage = 'rejected' | 'acknowledged' | 'pending' | 'information-requested' | 'finalized' | 'denied';

/**
 * The {@link ClaimStatusStage} of a 277 STC01-1 claim status category code.
 *
 * Spec: X12 external code list 507 (claim status category codes).
 *
 * @param category - a 277 STC01-1 claim status category code
 * @returns where the claim stands (accepted, rejected, pending, finalized, ...)
 * @example
 * ```ts
 * import { claimStatusStage } from '@peer-fhir/x12';
 * claimStatusStage('P1'); // 'pending'
 * ```
 * @category Acknowledgments
 */
export function claimStatusStage(category: string): ClaimStatusStage {
  if (/^(A3|A4|A6|A7|A8|E\d)$/.test(category)) return 'rejected';
  if (category === 'F2') return 'denied';
  if (category.startsWith('F')) return 'finalized';
  if (category.startsWith('P')) return 'pending';
  if (category.startsWith('R')) return 'information-requested';
  return 'acknowledged';
}

const STAGE_WORDS: Readonly<Record<ClaimStatusStage, string>> = {
  rejected: 'Rejected',
  acknowledged: 'Accepted',
  pending: 'Pending',
  'information-requested': 'Request for information',
  finalized: 'Finalized',
  denied: 'Denied',
};

// FHIR ClaimResponse.outcome: a finalized (paid or denied) claim is `complete`; a rejected one is `error`; anything
// still with the payer is `queued` — so a later `status --older-than` no longer asks about a finalized claim.
const OUTCOME: Readonly<Record<ClaimStatusStage, 'queued' | 'complete' | 'error'>> = {
  rejected: 'error',
  acknowledged: 'queued',
  pending: 'queued',
  'information-requested': 'queued',
  finalized: 'complete',
  denied: 'complete',
};

const words = (s: ClaimStatus['statuses'][number]) => `${CLAIM_STATUS_CATEGORY_TEXT[s.category] ?? `Category ${s.category}`} (${s.category}${s.code ? `, status code ${s.code}` : ''}${s.entity ? `, entity ${s.entity}` : ''})`;

/**
 * Map the claims of a 277CA (or 277 claim status response) to FHIR `ClaimResponse`s: `outcome` `error` for a claim the
 * payer rejected (it can be corrected and billed again), `complete` for a finalized one (paid or denied), `queued` for
 * one acknowledged, pending or waiting for requested information; `disposition` gives the stage and the statuses in
 * words (`Denied: Finalized: denial (F2, status code 65)`); the Claim is found by TRN02 = CLM01 (ignoring case). Each is identified by the 277's
 * ST02, the claim and its first status (`REMITTANCE_CLAIM_SYSTEM`), so reading the same acknowledgment twice matches.
 *
 * Spec: FHIR R4 ClaimResponse; 277 005010X214 / 005010X212 2200D TRN, STC, REF*1K, REF*EJ.
 *
 * @param report - a 277CA or 277 claim status report from `read277`
 * @param claims - the billed Claims to match by patient control number
 * @param created - the ClaimResponse creation date (default today)
 * @returns one ClaimResponse per claim the report answers
 * @example
 * const [report] = read277(text);
 * const responses = claimStatusToClaimResponses(report, claims);
 * @category Acknowledgments
 */
export function claimStatusToClaimResponses(report: ClaimStatusReport, claims: readonly Claim[] = [], created = new Date().toISOString().slice(0, 10)): ClaimResponse[] {
  return report.claims.map((c) => {
    const claim = findClaimFor({ patientControlNumber: c.patientControlNumber }, claims);
    const first = c.statuses[0];
    const stage = c.outcome === 'rejected' ? 'rejected' : claimStatusStage(first?.category ?? '');
    return {
      resourceType: 'ClaimResponse',
      identifier: [
        { system: REMITTANCE_CLAIM_SYSTEM, value: `277/${report.version}/${report.transactionControlNumber}/${c.patientControlNumber}/${first?.category ?? ''}:${first?.code ?? ''}` },
        ...(c.payerClaimControlNumber ? [{ system: PAYER_CLAIM_CONTROL_NUMBER_SYSTEM, value: c.payerClaimControlNumber }] : []),
      ],
      status: 'active',
      type: { coding: [{ system: CLAIM_TYPE_SYSTEM, code: 'professional', display: 'Professional' }] },
      use: 'claim',
      patient: claim?.patient ?? { display: 'Patient not identified on the acknowledgment' },
      created: first?.date ?? created,
      insurer: claim?.insurer ?? { display: report.source || 'Payer' },
      ...(claim?.provider ? { requestor: claim.provider } : {}),
      ...(claim?.id ? { request: { reference: `Claim/${claim.id}` } } : claim?.identifier?.[0] ? { request: { identifier: claim.identifier[0] } } : {}),
      outcome: OUTCOME[stage],
      disposition: `${STAGE_WORDS[stage]}: ${c.statuses.map(words).join('; ') || 'no status given'}`,
      ...(c.outcome === 'rejected' && first ? { error: [{ code: { coding: [{ system: 'https://x12.org/codes/claim-status-codes', code: first.code }], text: words(first) } }] } : {}),
    };
  });
}
