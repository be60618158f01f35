import type { Claim, Money, PaymentReconciliation, PaymentReconciliationDetail, Reference } from 'fhir/r4.js';
import { ExchangeProfiles } from '@peer-fhir/core';
import {
  PAYMENT_DETAIL_TYPE_SYSTEM,
  PROVIDER_ADJUSTMENT_REASON_SYSTEM,
  REMITTANCE_CLAIM_SYSTEM,
  REMITTANCE_PAYMENT_SYSTEM,
} from '../internal/systems.js';
import { findClaimFor } from './match.js';
import { remittanceClaimKeys } from './to-claim-response.js';
import { PROVIDER_ADJUSTMENT_REASON_TEXT, type Remittance } from './types.js';

/** Options for {@link toPaymentReconciliation}. @category 835 */
export interface ToPaymentReconciliationOptions {
  /** Billed Claims: a claim payment whose CLP01 matches one gets `detail.request`. */
  readonly claims?: readonly Claim[];
  /**
   * References to the stored ClaimResponses, index-aligned with `remittance.claims` (e.g. `urn:uuid:` full URLs);
   * default a logical reference by the identifier {@link remittanceToClaimResponses} gives each ClaimResponse.
   */
  readonly claimResponses?: readonly (Reference | undefined)[];
  /** `PaymentReconciliation.created`; default the DTM*405 production date, else the BPR16 date, else today. */
  readonly created?: string;
}

const usd = (cents: number): Money => ({ value: cents / 100, currency: 'USD' });
const toCents = (dollars: number) => Math.round(dollars * 100);

/** The `display` of a coding, when there is one. */
const displayOf = (text: string | undefined): { display?: string } => (text ? { display: text } : {});

/**
 * The payment of one 835 (one ST..SE) as a FHIR R4 `PaymentReconciliation`: `paymentAmount` is BPR02 (negative for a
 * debit), one `detail` of type `payment` per claim payment (CLP04, pointing at its ClaimResponse and Claim) and one
 * of type `adjustment` per PLB reason (the amount with the sign of its effect on the payment: withheld is negative,
 * interest positive). The details sum to `paymentAmount` to the cent — the 835's own balancing rule
 * (BPR02 = ΣCLP04 − ΣPLB), which {@link read835} has checked.
 *
 * Spec: FHIR R4 PaymentReconciliation (https://hl7.org/fhir/R4/paymentreconciliation.html); 835 005010X221A1 BPR,
 * TRN, CLP, PLB.
 *
 * @param remittance - a remittance from `read835`
 * @param options - the Claims and ClaimResponses to reference, and the creation date
 * @returns the PaymentReconciliation
 * @example
 * const [remittance] = read835(text);
 * const payment = toPaymentReconciliation(remittance, { claims });
 * console.log(payment.paymentAmount.value, payment.detail?.length);
 * @category 835
 */
export function toPaymentReconciliation(remittance: Remittance, options: ToPaymentReconciliationOptions = {}): PaymentReconciliation {
  const created = options.created ?? remittance.productionDate ?? remittance.payment.date ?? new Date().toISOString().slice(0, 10);
  const payer = remittance.trace.originator || remittance.payer.id || remittance.payer.name;
  const keys = remittanceClaimKeys(remittance);
  const claimDetails: PaymentReconciliationDetail[] = remittance.claims.map((rc, i) => {
    const key = keys[i] ?? ''; // remittanceClaimKeys is index-aligned with remittance.claims
    const claim = options.claims ? findClaimFor(rc, options.claims) : undefined;
    const response: Reference = options.claimResponses?.[i] ?? { type: 'ClaimResponse', identifier: { system: REMITTANCE_CLAIM_SYSTEM, value: key } };
    return {
      identifier: { system: REMITTANCE_CLAIM_SYSTEM, value: key },
      type: { coding: [{ system: PAYMENT_DETAIL_TYPE_SYSTEM, code: 'payment', display: 'Payment' }] },
      ...(claim?.id ? { request: { reference: `Claim/${claim.id}` } } : claim?.identifier?.[0] ? { request: { identifier: claim.identifier[0] } } : {}),
      response,
      ...(remittance.payment.date ? { date: remittance.payment.date } : {}),
      amount: usd(toCents(rc.paidAmount)),
    };
  });
  // PLB: positive amounts are withheld from the payment, so the detail carries the negated amount.
  const plbDetails: PaymentReconciliationDetail[] = remittance.providerAdjustments.map((a) => ({
    type: {
      coding: [
        { system: PAYMENT_DETAIL_TYPE_SYSTEM, code: 'adjustment', display: 'Adjustment' },
        { system: PROVIDER_ADJUSTMENT_REASON_SYSTEM, code: a.reason, ...displayOf(PROVIDER_ADJUSTMENT_REASON_TEXT[a.reason]) },
      ],
    },
    ...(a.reference ? { predecessor: { value: a.reference } } : {}),
    ...(a.fiscalPeriodDate ? { date: a.fiscalPeriodDate } : {}),
    amount: usd(-toCents(a.amount)),
  }));
  const paymentCents = (remittance.payment.creditDebit === 'D' ? -1 : 1) * toCents(remittance.payment.amount);
  return {
    resourceType: 'PaymentReconciliation',
    meta: { profile: [ExchangeProfiles.PaymentReconciliation] },
    identifier: [{ system: REMITTANCE_PAYMENT_SYSTEM, value: `${payer}/${remittance.trace.number}` }],
    status: 'active',
    created,
    paymentIssuer: { display: remittance.payer.name || 'Payer', ...(remittance.payer.id ? { identifier: { value: remittance.payer.id } } : {}) },
    outcome: 'complete',
    disposition: `835 payment ${remittance.trace.number}: ${remittance.claims.length} claim payment(s), ${remittance.providerAdjustments.length} provider adjustment(s)`,
    paymentDate: remittance.payment.date ?? created,
    paymentAmount: usd(paymentCents),
    ...(remittance.trace.number ? { paymentIdentifier: { value: remittance.trace.number } } : {}),
    ...(claimDetails.length + plbDetails.length ? { detail: [...claimDetails, ...plbDetails] } : {}),
  };
}
