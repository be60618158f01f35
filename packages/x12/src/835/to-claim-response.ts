import type {
  Claim,
  ClaimResponse,
  ClaimResponseAddItem,
  ClaimResponseItem,
  ClaimResponseItemAdjudication,
  Coding,
  Money,
} from 'fhir/r4.js';
import { describeAdjustmentGroup, describeCarc, describeRarc } from '../codes/carc.js';
import { HCPCS_SYSTEM } from '../internal/systems.js';
import { isPart2Protected, part2SecurityLabels, Profiles } from '@peer-fhir/core';
import {
  ADJUDICATION_SYSTEM,
  ADJUSTMENT_GROUP_SYSTEM,
  CARC_SYSTEM,
  CLAIM_TYPE_SYSTEM,
  PAYER_CLAIM_CONTROL_NUMBER_SYSTEM,
  PAYMENT_TYPE_SYSTEM,
  RARC_SYSTEM,
  REMITTANCE_CLAIM_SYSTEM,
  SDK_ADJUDICATION_SYSTEM,
} from '../internal/systems.js';
import { findClaimFor, matchLines } from './match.js';
import { CLAIM_STATUS_TEXT, type Adjustment, type Remittance, type RemittanceClaim, type RemittanceHeader, type RemittanceLine } from './types.js';

/** Options for {@link toClaimResponse}. @category 835 */
export interface ToClaimResponseOptions {
  /** The original Claim; gives `request`, `patient`, `requestor`, `insurer` and item matching by REF*6R. */
  readonly claim?: Claim;
  /** `ClaimResponse.id`; omitted when not given. */
  readonly id?: string;
  /** `ClaimResponse.created`; default the BPR16 payment date, else the DTM*405 production date, else today. */
  readonly created?: string;
  /** This claim payment's key within its remittance ({@link remittanceClaimKeys}); becomes an identifier. */
  readonly remittanceKey?: string;
}

const usd = (value: number): Money => ({ value: Math.round(value * 100) / 100, currency: 'USD' });
const hl7 = (code: string, display: string): { coding: Coding[] } => ({ coding: [{ system: ADJUDICATION_SYSTEM, code, display }] });
const sdk = (code: string, display: string): { coding: Coding[] } => ({ coding: [{ system: SDK_ADJUDICATION_SYSTEM, code, display }] });

function adjustmentAdjudication(a: Adjustment): ClaimResponseItemAdjudication {
  return {
    category: { coding: [{ system: ADJUSTMENT_GROUP_SYSTEM, code: a.group, display: describeAdjustmentGroup(a.group) }] },
    reason: { coding: [{ system: CARC_SYSTEM, code: a.reason, display: describeCarc(a.reason) }] },
    amount: usd(a.amount),
    ...(a.quantity !== undefined ? { value: a.quantity } : {}),
  };
}

function lineAdjudication(l: RemittanceLine): ClaimResponseItemAdjudication[] {
  const out: ClaimResponseItemAdjudication[] = [{ category: hl7('submitted', 'Submitted Amount'), amount: usd(l.chargeAmount) }];
  if (l.allowedAmount !== undefined) out.push({ category: hl7('eligible', 'Eligible Amount'), amount: usd(l.allowedAmount) });
  out.push({ category: hl7('benefit', 'Benefit Amount'), amount: usd(l.paidAmount), ...(l.unitsPaid !== undefined ? { value: l.unitsPaid } : {}) });
  for (const a of l.adjustments) out.push(adjustmentAdjudication(a));
  for (const r of l.remarks) {
    out.push({ category: sdk('remark', 'Remark'), reason: { coding: [{ system: RARC_SYSTEM, code: r, display: describeRarc(r) }] } });
  }
  return out;
}

/** CLP02 -> ClaimResponse.outcome. 4 (not recognized) and 23 (not ours) are errors; processed codes complete. */
function outcomeOf(status: string): ClaimResponse['outcome'] {
  if (['1', '2', '3', '19', '20', '21', '22', '25'].includes(status)) return 'complete';
  if (status === '4' || status === '23') return 'error';
  return 'partial';
}

/**
 * Map one 835 claim payment (CLP loop) to a FHIR R4 `ClaimResponse`.
 *
 * `item[].itemSequence` comes from REF*6R matched against the original Claim (or the numeric 6R when
 * no Claim is given); unmatched lines become `addItem`. Adjudication: `submitted` (SVC02), `eligible`
 * (AMT*B6), `benefit` (SVC03), one entry per CAS with the group as category and the CARC as `reason`
 * (`https://x12.org/codes/claim-adjustment-reason-codes`), one per LQ*HE remark
 * (`https://x12.org/codes/remittance-advice-remark-codes`). `payment` carries BPR16 and TRN02.
 *
 * Spec: FHIR R4 ClaimResponse (https://hl7.org/fhir/R4/claimresponse.html); 835 005010X221A1 loops 2100/2110.
 *
 * @param rc - one claim payment (CLP loop)
 * @param remittance - the header of its remittance (payer, payment, trace)
 * @param options - the Claim it answers, the ClaimResponse id and creation date, and the remittance key
 * @returns the ClaimResponse
 * @example
 * const [remittance] = read835(text);
 * const response = toClaimResponse(remittance.claims[0], remittance, { claim: originalClaim });
 * @category 835
 */
export function toClaimResponse(rc: RemittanceClaim, remittance: RemittanceHeader, options: ToClaimResponseOptions = {}): ClaimResponse {
  const claim = options.claim;
  const created = options.created ?? remittance.payment.date ?? remittance.productionDate ?? new Date().toISOString().slice(0, 10);
  const matches = matchLines(rc, claim);
  const items: ClaimResponseItem[] = [];
  const addItems: ClaimResponseAddItem[] = [];
  rc.lines.forEach((l, i) => {
    const seq = matches[i];
    if (seq !== undefined) {
      items.push({ itemSequence: seq, adjudication: lineAdjudication(l) });
    } else {
      addItems.push({
        productOrService: {
          coding: [{ system: HCPCS_SYSTEM, code: l.procedure }],
          ...(l.modifiers.length ? { text: `${l.procedure} ${l.modifiers.join(' ')}` } : {}),
        },
        ...(l.modifiers.length ? { modifier: l.modifiers.map((m) => ({ coding: [{ system: HCPCS_SYSTEM, code: m }] })) } : {}),
        ...(l.serviceDate ? { servicedDate: l.serviceDate } : {}),
        adjudication: lineAdjudication(l),
      });
    }
  });
  const claimAdjudication = rc.adjustments.map(adjustmentAdjudication);
  const total = [
    { category: hl7('submitted', 'Submitted Amount'), amount: usd(rc.chargeAmount) },
    { category: hl7('benefit', 'Benefit Amount'), amount: usd(rc.paidAmount) },
    ...(rc.patientResponsibility ? [{ category: sdk('patient-responsibility', 'Patient responsibility'), amount: usd(rc.patientResponsibility) }] : []),
  ];
  const memberRef = rc.patient?.memberId ? { identifier: { value: rc.patient.memberId } } : { display: 'Patient not identified on the remittance' };
  const response: ClaimResponse = {
    resourceType: 'ClaimResponse',
    ...(options.id ? { id: options.id } : {}),
    // Issue 11: the answer to a claim carrying Part 2 data is Part 2 data too (42 CFR 2.32, DS4P).
    meta: {
      profile: [Profiles.PeerClaimResponse],
      ...(claim !== undefined && isPart2Protected(claim) ? { security: part2SecurityLabels() } : {}),
    },
    ...(rc.payerClaimControlNumber || options.remittanceKey
      ? {
          identifier: [
            ...(options.remittanceKey ? [{ system: REMITTANCE_CLAIM_SYSTEM, value: options.remittanceKey }] : []),
            ...(rc.payerClaimControlNumber ? [{ system: PAYER_CLAIM_CONTROL_NUMBER_SYSTEM, value: rc.payerClaimControlNumber }] : []),
          ],
        }
      : {}),
    status: 'active',
    type: { coding: [{ system: CLAIM_TYPE_SYSTEM, code: 'professional', display: 'Professional' }] },
    use: 'claim',
    patient: claim?.patient ?? memberRef,
    created,
    insurer: claim?.insurer ?? { display: remittance.payer.name || 'Payer', ...(remittance.payer.id ? { identifier: { value: remittance.payer.id } } : {}) },
    ...(claim?.provider ? { requestor: claim.provider } : {}),
    ...(claim?.id ? { request: { reference: `Claim/${claim.id}` } } : claim?.identifier?.[0] ? { request: { identifier: claim.identifier[0] } } : {}),
    outcome: outcomeOf(rc.status),
    disposition: CLAIM_STATUS_TEXT[rc.status] ?? `Claim status ${rc.status}`,
    ...(items.length ? { item: items } : {}),
    ...(addItems.length ? { addItem: addItems } : {}),
    ...(claimAdjudication.length ? { adjudication: claimAdjudication } : {}),
    total,
    payment: {
      type: { coding: [{ system: PAYMENT_TYPE_SYSTEM, code: 'complete', display: 'Complete' }] },
      amount: usd(rc.paidAmount),
      ...(remittance.payment.date ? { date: remittance.payment.date } : {}),
      ...(remittance.trace.number ? { identifier: { value: remittance.trace.number } } : {}),
    },
  };
  return response;
}

/**
 * A key per claim payment (CLP loop) of a remittance, index-aligned with `remittance.claims`: payer (TRN03, else the
 * payer id or name), trace number (TRN02), CLP07 (else CLP01), CLP02 and an ordinal among equal ones. Reversals
 * (CLP02 22) and their corrections share CLP07 but not the key; the same 835 read twice gives the same keys.
 *
 * Spec: 835 005010X221A1 TRN, CLP.
 *
 * @param remittance - a remittance from `read835`
 * @returns one key per CLP loop, index-aligned with `remittance.claims`
 * @example
 * const keys = remittanceClaimKeys(read835(text)[0]);
 * @category 835
 */
export function remittanceClaimKeys(remittance: Remittance): string[] {
  const payer = remittance.trace.originator || remittance.payer.id || remittance.payer.name;
  const seen = new Map<string, number>();
  return remittance.claims.map((rc) => {
    const base = `${payer}/${remittance.trace.number}/${rc.payerClaimControlNumber ?? rc.patientControlNumber}/${rc.status}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return `${base}/${n}`;
  });
}

/**
 * Map every claim of a remittance to a ClaimResponse, pairing each CLP01 with the Claim whose identifier matches
 * (ignoring case). Every claim payment gets one — reversals (CLP02 22) included — identified by
 * {@link remittanceClaimKeys} under `REMITTANCE_CLAIM_SYSTEM`, so conditional creates keep each one exactly once.
 *
 * Spec: FHIR R4 ClaimResponse; 835 005010X221A1 CLP01 = 837 CLM01.
 *
 * @param remittance - a remittance from `read835`
 * @param claims - the billed Claims to pair by CLP01
 * @returns one ClaimResponse per claim payment
 * @example
 * const responses = remittanceToClaimResponses(read835(text)[0], claims);
 * @category 835
 */
export function remittanceToClaimResponses(remittance: Remittance, claims: readonly Claim[] = []): ClaimResponse[] {
  const keys = remittanceClaimKeys(remittance);
  return remittance.claims.map((rc, i) => {
    const claim = findClaimFor(rc, claims);
    return toClaimResponse(rc, remittance, { ...(claim ? { claim } : {}), remittanceKey: keys[i] ?? '' }); // keys are index-aligned with remittance.claims
  });
}
