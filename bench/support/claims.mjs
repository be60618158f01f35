// Real claims from the billing chain (synthetic agency -> billing evaluate -> FHIR Claim bundle -> X12ClaimInput),
// shared by B4 and the reliability tests' write + bill + remit run.
import { buildClaimBundle, evaluate, getPack } from '@peer-fhir/billing';
import { resolveX12ClaimInput } from '@peer-fhir/x12';
import { generateAgency } from '@peer-fhir/testing';

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
  const agency = generateAgency({ seed, participants, months, state: pack.state });
  // 2010AA N403: the billing provider's ZIP must be ZIP+4; the generator mints 5-digit ZIPs.
  const organization = { ...agency.organization, address: { ...agency.organization.address, postalCode: `${agency.organization.address.postalCode.slice(0, 5)}1234` } };
  const first = new Map();
  for (const e of agency.encounters) for (const a of e.attendees) if (!first.has(a.participantId)) first.set(a.participantId, e.start.slice(0, 10));
  const serviceOrders = agency.participants.flatMap((p) =>
    first.has(p.id) ? [{ id: `so-${p.id}`, participantId: p.id, signedDate: first.get(p.id), signerNpi: agency.supervisors[0].npi }] : [],
  );
  const result = evaluate({
    pack,
    encounters: agency.encounters,
    participants: agency.participants,
    specialists: agency.specialists,
    plans: agency.plans,
    consents: agency.consents,
    serviceOrders,
    history: [],
  });
  const bundle = buildClaimBundle(result.lines, { organizations: [organization], specialists: agency.specialists, participants: agency.participants }, { pack, created: '2026-01-15' });
  const claims = bundle.entry.flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource] : []));
  const inputs = claims.map((c) => resolveX12ClaimInput(c, bundle));
  return { pack, agency: { ...agency, organization }, result, bundle, claims, inputs };
}
