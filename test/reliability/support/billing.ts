/** A billed synthetic agency (agency -> billing evaluate -> Claim bundle -> X12 inputs), and an 835 paying it. */
import type { Bundle, Claim } from 'fhir/r4.js';
import { buildClaimBundle, evaluate, getPack, type BillingResult, type RulePack } from '@peer-fhir/billing';
import { resolveX12ClaimInput, type X12ClaimInput } from '@peer-fhir/x12';
import { build835ForTest } from '@peer-fhir/x12/testing';
import { billableAgency, generateAgency, syntheticBillingContext, type SyntheticAgency } from '@peer-fhir/testing';

export const PACK_ID = 'nc-alliance-peer-support-2019';

export const X12_OPTIONS = {
  sender: { id: 'PEERFHIRTEST' },
  receiver: { id: 'SYNMEDICAID', name: 'Synthetic Medicaid' },
  submitter: { name: 'Peer Recovery Collective', contact: { name: 'Billing Office', phone: '5555550100' } },
  controlNumbers: { isa: 101, gs: 7, st: 1 },
  usage: 'T' as const,
  date: new Date('2026-01-15T12:00:00Z'),
};

export interface BilledAgency {
  pack: RulePack;
  agency: SyntheticAgency;
  result: BillingResult;
  bundle: Bundle;
  claims: Claim[];
  inputs: X12ClaimInput[];
}

export function billedAgency({ seed = 11, participants = 30, months = 1 } = {}): BilledAgency {
  const pack = getPack(PACK_ID);
  // billableAgency: the billing provider's ZIP as ZIP+4 (837P 2010AA N403). Every participant has a service order; no
  // prior authorizations.
  const agency = billableAgency(generateAgency({ seed, participants, months, state: pack.state }));
  const result = evaluate(syntheticBillingContext(agency, pack, { priorAuthUnits: false }));
  const bundle = buildClaimBundle(result.lines, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants }, { pack, created: '2026-01-15' });
  const claims = (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource as Claim] : []));
  const inputs = claims.map((c) => resolveX12ClaimInput(c, bundle));
  return { pack, agency, result, bundle, claims, inputs };
}

/** An 835 that pays every other line and denies the rest. */
export function remittanceFor(inputs: readonly X12ClaimInput[]): string {
  return build835ForTest(inputs, (_c, _item, i) => (i % 2 === 0 ? { kind: 'paid' } : { kind: 'denied', reason: '96', group: 'CO' }), {
    sender: { id: 'SYNMEDICAID' },
    receiver: { id: 'PEERFHIRTEST' },
    usage: 'T',
    date: new Date('2026-02-01T12:00:00Z'),
    traceNumber: 'TRN0001',
    payer: { name: 'Synthetic Medicaid', tin: '123456789', id: 'SYNMEDICAID' },
  });
}
