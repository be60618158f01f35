// A month of synthetic encounters -> billing decisions -> FHIR Claims -> X12 837P, plus a Markdown hold report.
// Exported so the remittance example can bill the same month before reading the payer's answer.
import { buildClaimBundle, evaluate, getPack } from '@peer-fhir/billing';
import { resolveX12ClaimInput, write837P } from '@peer-fhir/x12';
import { billableAgency, generateAgency, syntheticBillingContext, withPlaceholderRates } from '@peer-fhir/testing';

/** Demo prices for packs whose source publishes no rate (an 837P line needs a charge). Not a fee schedule. */
const DEMO_RATES = { H0038: 6.25, G0140: 82.5, G0146: 51.75 };

export const X12_OPTIONS = {
  sender: { id: 'PEERFHIRDEMO' },
  receiver: { id: 'SYNMEDICAID', name: 'Synthetic Medicaid' },
  submitter: { name: 'Peer Recovery Collective', contact: { name: 'Billing Office', phone: '5555550100' } },
  controlNumbers: { isa: 101, gs: 7, st: 1 },
  usage: 'T',
  date: new Date('2025-02-05T12:00:00Z'),
};

/**
 * Bill one month of a synthetic agency under a built-in rule pack.
 * @returns the agency, the billing result, the Claim bundle, the Claims, the X12 inputs and the 837P text.
 */
export function billMonth({ packId = 'nc-alliance-peer-support-2019', seed = 11, participants = 12, start = '2025-01-01' } = {}) {
  const pack = withPlaceholderRates(getPack(packId), DEMO_RATES, 'demo price, not a fee schedule');
  // billableAgency: the billing provider's ZIP as ZIP+4 (837P 2010AA N403); the generator mints 5-digit ZIPs.
  const agency = billableAgency(generateAgency({ seed, start, months: 1, participants, state: pack.state === 'US' ? 'NC' : pack.state }));
  // Every 8th participant has no signed service order, so the pack's order edit holds their services.
  const result = evaluate(syntheticBillingContext(agency, pack, { withoutServiceOrderEvery: 8 }));
  const bundle = buildClaimBundle(result.lines, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants }, { pack, created: '2025-02-05' });
  const claims = (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource] : []));
  const inputs = claims.map((c) => resolveX12ClaimInput(c, bundle));
  const text837 = inputs.length ? write837P(inputs, X12_OPTIONS) : '';
  return { pack, agency, result, bundle, claims, inputs, text837 };
}

const money = (n) => `$${(n ?? 0).toFixed(2)}`;

/** The hold report: every encounter x attendee that was held or billed in part, with the reasons. */
export function holdReportMarkdown({ pack, result, claims }) {
  const t = result.totals;
  const out = [
    `# Hold report — ${pack.id} (${result.packVersion})`,
    '',
    `| items | billed | partial | held | units billed | units held | charge | claims |`,
    `|---|---|---|---|---|---|---|---|`,
    `| ${t.items} | ${t.billed} | ${t.partial} | ${t.held} | ${t.billedUnits} | ${t.heldUnits} | ${money(t.charge)} | ${claims.length} |`,
    '',
  ];
  const byCode = new Map();
  for (const d of result.decisions) for (const h of d.holds) byCode.set(h.code, (byCode.get(h.code) ?? 0) + 1);
  out.push('## Holds by edit', '', '| edit | count |', '|---|---|', ...[...byCode].sort((a, b) => b[1] - a[1]).map(([c, n]) => `| ${c} | ${n} |`), '');
  out.push('## Held or partly billed encounters', '', '| date | encounter | participant | status | units held | reasons |', '|---|---|---|---|---|---|');
  for (const d of result.decisions.filter((x) => x.status !== 'billed')) {
    const reasons = d.holds.map((h) => `${h.code}: ${h.reason.replace(/\|/g, '/')}`).join('<br>');
    out.push(`| ${d.dateOfService} | ${d.encounterId} | ${d.participantId} | ${d.status} | ${d.heldUnits} | ${reasons} |`);
  }
  out.push('', 'Synthetic data; rates marked unconfirmed in the pack are demo prices, not a fee schedule.', '');
  return out.join('\n');
}
