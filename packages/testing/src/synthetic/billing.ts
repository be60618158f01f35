import { loadPack, type BillingContext, type PriorAuthorization, type RulePack, type ServiceOrder } from '@peer-fhir/billing';
import type { PeerEncounter } from '@peer-fhir/core';
import type { SyntheticAgency } from './agency.js';

/** Options for {@link syntheticBillingContext} and the pieces it is made of. @category Synthetic billing */
export interface SyntheticBillingOptions {
  /**
   * Every n-th participant in roster order (positions n, 2n, …) has no service order, so the pack's order edit holds
   * their services. `0` (default): everyone has one.
   */
  withoutServiceOrderEvery?: number;
  /**
   * Orders are signed on the participant's first date of service, or up to this many days before it (participant i
   * gets `(i % 3) * backdateDays`). Default `0`.
   */
  backdateDays?: number;
  /**
   * Units of each prior authorization, granted to every other participant (positions 0, 2, 4, …) for every code of the
   * pack over the agency's whole service period, when the pack caps units behind prior authorization. `false`: none.
   * Default `40`.
   */
  priorAuthUnits?: number | false;
}

/**
 * The agency with what an 837P needs and the generator does not mint: the billing provider's ZIP as ZIP+4 (837P loop
 * 2010AA N403 requires nine digits).
 *
 * @param agency - a synthetic agency
 * @returns the same agency with a 9-digit ZIP code, as 837P 2010AA N403 requires of a billing provider
 * @example
 * ```ts
 * const agency = billableAgency(generateAgency({ seed: 11, months: 1 }));
 * agency.organization.address.postalCode; // e.g. '275011234'
 * ```
 * @category Synthetic billing
 */
export function billableAgency(agency: SyntheticAgency): SyntheticAgency {
  const org = agency.organization;
  return { ...agency, organization: { ...org, address: { ...org.address, postalCode: `${org.address.postalCode.slice(0, 5)}1234` } } };
}

/** First date of service (`YYYY-MM-DD`) of each participant who has one. */
function firstServiceDates(agency: SyntheticAgency): Map<string, string> {
  const first = new Map<string, string>();
  for (const e of agency.encounters) {
    const dos = e.start.slice(0, 10);
    for (const a of e.attendees) {
      const seen = first.get(a.participantId);
      if (seen === undefined || dos < seen) first.set(a.participantId, dos);
    }
  }
  return first;
}

/**
 * One signed service order per participant with services, signed by the agency's first supervisor on (or before) the
 * first date of service; see {@link SyntheticBillingOptions} for gaps and back-dating.
 *
 * @param agency - a synthetic agency
 * @param options - leave out every n-th order, backdate them
 * @returns one service order per participant, signed by a supervisor
 * @example
 * ```ts
 * const orders = syntheticServiceOrders(agency, { withoutServiceOrderEvery: 8 });
 * ```
 * @category Synthetic billing
 */
export function syntheticServiceOrders(agency: SyntheticAgency, options: SyntheticBillingOptions = {}): ServiceOrder[] {
  const every = options.withoutServiceOrderEvery ?? 0;
  const backdate = options.backdateDays ?? 0;
  const signer = agency.supervisors[0]?.npi;
  const first = firstServiceDates(agency);
  return agency.participants.flatMap((p, i) => {
    const dos = first.get(p.id);
    if (dos === undefined || (every > 0 && i % every === every - 1)) return [];
    const signed = new Date(`${dos}T00:00:00Z`);
    signed.setUTCDate(signed.getUTCDate() - (i % 3) * backdate);
    return [{ id: `so-${p.id}`, participantId: p.id, signedDate: signed.toISOString().slice(0, 10), ...(signer ? { signerNpi: signer } : {}) }];
  });
}

/**
 * Prior authorizations for every other participant, for each of the pack's codes over the agency's service period,
 * when the pack caps units behind prior authorization (none otherwise).
 *
 * @param agency - a synthetic agency
 * @param pack - the rule pack (prior authorizations only when it caps units beyond a prior authorization)
 * @param options - units authorized, or false for none
 * @returns one prior authorization per participant, or none
 * @example
 * ```ts
 * const auths = syntheticPriorAuthorizations(agency, getPack('nj-horizon-sud-peer-2020'), { priorAuthUnits: 48 });
 * ```
 * @category Synthetic billing
 */
export function syntheticPriorAuthorizations(agency: SyntheticAgency, pack: RulePack, options: SyntheticBillingOptions = {}): PriorAuthorization[] {
  const units = options.priorAuthUnits ?? 40;
  if (units === false || !pack.caps.some((c) => c.beyond === 'prior-auth')) return [];
  const first = agency.encounters[0];
  const last = agency.encounters.at(-1);
  if (!first || !last) return [];
  const period = { start: first.start.slice(0, 10), end: last.start.slice(0, 10) };
  return agency.participants
    .filter((_, i) => i % 2 === 0)
    .flatMap((p) =>
      pack.services.map((s) => ({ id: `pa-${p.id}-${s.code}`, participantId: p.id, code: s.code, period, units, unitsUsed: 0, reference: `PA${p.id.replace(/\D/g, '')}${s.code}` })),
    );
}

/**
 * The agency's encounters coded for the pack: the generator codes every service H0038, so under a pack without H0038
 * (Medicare PIN-PS) they are coded as the pack's first service.
 *
 * @param pack - the rule pack to bill under
 * @param encounters - synthetic encounters
 * @returns the encounters, coded with the pack's first service when the pack does not bill H0038
 * @example
 * ```ts
 * const encounters = encountersCodedFor(getPack('medicare-pin-ps-2024'), agency.encounters);
 * ```
 * @category Synthetic billing
 */
export function encountersCodedFor(pack: RulePack, encounters: readonly PeerEncounter[]): PeerEncounter[] {
  const code = pack.services[0]?.code;
  if (code === undefined || pack.services.some((s) => s.code === 'H0038')) return [...encounters];
  return encounters.map((e) => ({ ...e, serviceCode: code }));
}

/**
 * A complete billing context for a synthetic agency under a pack: its encounters (coded for the pack), roster, plans
 * and consents, service orders and prior authorizations, and no billing history.
 *
 * @param agency - a synthetic agency
 * @param pack - the rule pack to bill under
 * @param options - service order and prior authorization variations
 * @returns a billing context for `evaluate`
 * @example
 * ```ts
 * const pack = getPack('nc-alliance-peer-support-2019');
 * const agency = billableAgency(generateAgency({ seed: 11, months: 1, state: pack.state }));
 * const result = evaluate(syntheticBillingContext(agency, pack, { withoutServiceOrderEvery: 8 }));
 * ```
 * @category Synthetic billing
 */
export function syntheticBillingContext(agency: SyntheticAgency, pack: RulePack, options: SyntheticBillingOptions = {}): BillingContext {
  return {
    pack,
    encounters: encountersCodedFor(pack, agency.encounters),
    participants: agency.participants,
    specialists: agency.specialists,
    plans: agency.plans,
    consents: agency.consents,
    serviceOrders: syntheticServiceOrders(agency, options),
    priorAuthorizations: syntheticPriorAuthorizations(agency, pack, options),
    history: [],
    // The billing run: the day after the last service, when the claims go to the payer.
    billedAt: billingRunAfter(agency.encounters),
  };
}

function billingRunAfter(encounters: readonly PeerEncounter[]): string {
  const last = encounters.reduce((max, e) => Math.max(max, Date.parse(e.end)), Date.parse('2000-01-01T00:00:00Z'));
  return `${new Date(last + 86_400_000).toISOString().slice(0, 10)}T12:00:00Z`;
}

/**
 * The pack with a price on every rate its source leaves unpublished (an 837P line needs a charge), each marked
 * unconfirmed with `note`. Codes missing from `prices` get `fallback`. Never use these prices for real claims.
 *
 * @param pack - a rule pack whose rates may be unpublished (null)
 * @param prices - placeholder amounts by procedure code
 * @param note - why the amounts are placeholders (kept on each rate's source)
 * @param fallback - the amount for a code not in `prices`
 * @returns the pack with every null rate filled and marked unconfirmed
 * @example
 * ```ts
 * const pack = withPlaceholderRates(getPack('tx-medicaid-peer-specialist-2019'), { H0038: 6.25 }, 'demo price, not a fee schedule');
 * ```
 * @category Synthetic billing
 */
export function withPlaceholderRates(pack: RulePack, prices: Readonly<Record<string, number>>, note: string, fallback = 5): RulePack {
  if (pack.rates.every((r) => r.amount !== null)) return pack;
  return loadPack({
    ...pack,
    rates: pack.rates.map((r) => (r.amount !== null ? r : { ...r, amount: prices[r.code] ?? fallback, source: { ...r.source, confirmed: false, note } })),
  });
}
