// Real claims from the billing chain (synthetic agency -> billing evaluate -> FHIR Claim bundle -> X12ClaimInput),
// shared by B4 and the reliability tests' write + bill + remit run.
import { buildClaimBundle, evaluate, getPack } from '@peer-fhir/billing';
import { resolveX12ClaimInput } from '@peer-fhir/x12';
import { billableAgency, generateAgency, syntheticBillingContext } from '@peer-fhir/testing';

export const PACK_ID = 'nc-alliance-peer-support-2019';

export const X12_OPTIONS = {
  sender: { id: 'PEERFHIRBENCH' },
  receiver: { id: 'SYNMEDICAID', name: 'Synthetic Medicaid' },
  submitter: { name: 'Peer Recovery Collective', contact: { name: 'Billing Office', phone: '5555550100' } },
  controlNumbers: { isa: 101, gs: 7, st: 1 },
  usage: 'T',
  date: new Date('2026-01-15T12:00:00Z'),
};

/** A billed synthetic agency: its claims (FHIR), the bundle they resolve in, and their X12 inputs. */
export function billedAgency({ seed = 11, participants = 40, months = 2 } = {}) {
  const pack = getPack(PACK_ID);
  // billableAgency: the billing provider's ZIP as ZIP+4 (837P 2010AA N403). Every participant has a service order; no
  // prior authorizations.
  const agency = billableAgency(generateAgency({ seed, participants, months, state: pack.state }));
  const result = evaluate(syntheticBillingContext(agency, pack, { priorAuthUnits: false }));
  const bundle = buildClaimBundle(result.lines, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants }, { pack, created: '2026-01-15' });
  const claims = bundle.entry.flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource] : []));
  const inputs = claims.map((c) => resolveX12ClaimInput(c, bundle));
  return { pack, agency, result, bundle, claims, inputs };
}
