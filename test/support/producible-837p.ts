/**
 * Every kind of 837P the project can produce, for the TR3 situational-rule suite (test/e2e/tr3-837p.test.ts): one per
 * seed pack (synthetic agency through evaluate -> buildClaimBundle -> write837P, with the pack's SBR09 and billing
 * roles: Medicare PIN-PS is incident-to, its supervisor renders with a known taxonomy), the demo's, the examples', and
 * a replacement (7) + void (8) from `peer-fhir bill` (producible-837p-cli.ts), plus whatever other producers register
 * here with {@link register837PProducer}.
 */
import type { Claim } from 'fhir/r4.js';
import { billingRolesOf, buildClaimBundle, evaluate, listPacks, type RulePack } from '@peer-fhir/billing';
import { resolveX12ClaimInput, write837P, type Write837POptions } from '@peer-fhir/x12';
import { correctionFile, demoFile, exampleFiles } from './producible-837p-cli.js';
import { billableAgency, generateAgency, syntheticBillingContext, withPlaceholderRates } from '@peer-fhir/testing';

/** A named 837P file. */
export interface Produced837P {
  name: string;
  text: string;
}

export const X12_OPTIONS: Write837POptions = {
  sender: { id: 'PEERFHIRTEST' },
  receiver: { id: 'SYNMEDICAID', name: 'Synthetic Medicaid' },
  submitter: { name: 'Peer Recovery Collective', contact: { name: 'Billing Office', phone: '5555550100' } },
  controlNumbers: { isa: 101, gs: 7, st: 1 },
  usage: 'T',
  date: new Date('2026-01-15T12:00:00Z'),
  maxClaimsPerTransaction: 25,
};

/** NUCC 1041C0700X Social Worker, Clinical: the synthetic supervisors' taxonomy. */
export const SUPERVISOR_TAXONOMY = '1041C0700X';

const TEST_RATES: Record<string, number> = { H0038: 6.25, G0140: 82.5, G0146: 51.75 };

/** How big an agency and which supervisors' taxonomies are known (default: every one is {@link SUPERVISOR_TAXONOMY}). */
export interface PackFileOptions {
  participants?: number;
  months?: number;
  supervisorTaxonomy?: (npi: string) => string | undefined;
}

/** The 837P of a small synthetic agency billed under one pack (a seed pack, or one with other billing roles). */
export function packFile(seedPack: RulePack, seed: number, o: PackFileOptions = {}): Produced837P {
  const pack = withPlaceholderRates(seedPack, TEST_RATES, 'test price, not a fee schedule');
  const agency = billableAgency(generateAgency({ seed, months: o.months ?? 2, participants: o.participants ?? 12, state: pack.state === 'US' ? 'NC' : pack.state, start: '2025-01-01' }));
  const result = evaluate(syntheticBillingContext(agency, pack, { withoutServiceOrderEvery: 8, backdateDays: 5 }));
  // By default every supervisor is a clinical social worker (NUCC 1041C0700X): 2310B PRV*PE when the supervisor renders.
  const taxonomyOf = o.supervisorTaxonomy ?? (() => SUPERVISOR_TAXONOMY);
  const supervisorTaxonomies = Object.fromEntries(agency.specialists.flatMap((s) => (s.supervisor && taxonomyOf(s.supervisor.npi) ? [[s.supervisor.npi, taxonomyOf(s.supervisor.npi)!]] : [])));
  const bundle = buildClaimBundle(result.lines, { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants }, { pack, created: '2025-03-01', supervisorTaxonomies });
  const claims = (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource as Claim] : []));
  const claimFilingIndicator = billingRolesOf(pack).claimFilingIndicator;
  const inputs = claims.map((c) => ({ ...resolveX12ClaimInput(c, bundle), claimFilingIndicator }));
  // write837P refuses an empty batch (a typed error): a month with everything held has no 837P.
  return { name: `seed pack ${pack.id}`, text: inputs.length ? write837P(inputs, X12_OPTIONS) : '' };
}

const extra: (() => Produced837P | Promise<Produced837P>)[] = [];

/** Add a producer of another kind of 837P (e.g. corrections: frequency 7/8) to the TR3 suite. */
export function register837PProducer(produce: () => Produced837P | Promise<Produced837P>): void {
  extra.push(produce);
}

/** Every 837P the suite checks: each seed pack's, the demo's, the examples', corrections, and registered ones. */
export async function producible837Ps(): Promise<Produced837P[]> {
  const fromPacks = listPacks().map((p, i) => packFile(p, 4100 + i));
  const [demo, examples, corrections, registered] = await Promise.all([demoFile(), exampleFiles(), correctionFile(), Promise.all(extra.map((f) => f()))]);
  return [...fromPacks, demo, ...examples, corrections, ...registered];
}
