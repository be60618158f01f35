import type { Claim, ClaimResponse } from 'fhir/r4.js';
import { CLAIM_TYPE_SYSTEM, PAYER_CLAIM_CONTROL_NUMBER_SYSTEM, REMITTANCE_CLAIM_SYSTEM } from '../internal/systems.js';
import { findClaimFor } from '../835/match.js';
import { CLAIM_STATUS_CATEGORY_TEXT, type ClaimStatus, type ClaimStatusReport } from './read.js';

const words = (s: ClaimStatus['statuses'][number]) => `${CLAIM_STATUS_CATEGORY_TEXT[s.category] ?? `Category ${s.category}`} (${s.category}${s.code ? `, status code ${s.code}` : ''}${s.entity ? `, entity ${s.entity}` : ''})`;

/**
 * Map the claims of a 277CA (or 277 claim status response) to FHIR `ClaimResponse`s: `outcome` `error` for a claim the
 * payer rejected (it can be corrected and billed again), `queued` for one accepted into adjudication; `disposition`
 * gives the statuses in words; the Claim is found by TRN02 = CLM01 (ignoring case). Each is identified by the 277's
 * ST02, the claim and its first status (`REMITTANCE_CLAIM_SYSTEM`), so reading the same acknowledgment twice matches.
 *
 * Spec: FHIR R4 ClaimResponse; 277 005010X214 2200D TRN, STC, REF*1K.
 *
 * @example
 * const [report] = read277(text);
 * const responses = claimStatusToClaimResponses(report, claims);
 * @category Acknowledgments
 */
export function claimStatusToClaimResponses(report: ClaimStatusReport, claims: readonly Claim[] = [], created = new Date().toISOString().slice(0, 10)): ClaimResponse[] {
  return report.claims.map((c) => {
    const claim = findClaimFor({ patientControlNumber: c.patientControlNumber }, claims);
    const first = c.statuses[0];
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
      outcome: c.outcome === 'rejected' ? 'error' : 'queued',
      disposition: `${c.outcome === 'rejected' ? 'Rejected' : 'Accepted'}: ${c.statuses.map(words).join('; ') || 'no status given'}`,
      ...(c.outcome === 'rejected' && first ? { error: [{ code: { coding: [{ system: 'https://x12.org/codes/claim-status-codes', code: first.code }], text: words(first) } }] } : {}),
    };
  });
}
