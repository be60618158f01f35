// The synthetic billing inputs shared by the billing acceptance test, the examples, the benchmarks and the reliability
// tests: what each option does, checked against billing's own schemas and evaluate().
import { describe, expect, it } from 'vitest';
import { evaluate, getPack, PriorAuthorization, ServiceOrder } from '@peer-fhir/billing';
import {
  billableAgency,
  encountersCodedFor,
  generateAgency,
  syntheticBillingContext,
  syntheticPriorAuthorizations,
  syntheticServiceOrders,
  withPlaceholderRates,
} from '../src/index.js';

const agency = billableAgency(generateAgency({ seed: 11, participants: 24, months: 2 }));
const firstService = (participantId: string): string =>
  agency.encounters
    .filter((e) => e.attendees.some((a) => a.participantId === participantId))
    .map((e) => e.start.slice(0, 10))
    .sort()[0]!;

describe('synthetic billing inputs', () => {
  it('billableAgency gives the billing provider a ZIP+4 and leaves the rest alone', () => {
    const plain = generateAgency({ seed: 11, participants: 24, months: 2 });
    expect(agency.organization.address.postalCode).toMatch(/^\d{5}1234$/);
    expect(agency.organization.address.postalCode.slice(0, 5)).toBe(plain.organization.address.postalCode.slice(0, 5));
    expect(agency.encounters).toEqual(plain.encounters);
  });

  it('service orders: one per participant with services, signed on the first service unless back-dated, gaps every n-th', () => {
    const withServices = agency.participants.filter((p) => agency.encounters.some((e) => e.attendees.some((a) => a.participantId === p.id)));
    const all = syntheticServiceOrders(agency);
    expect(all).toHaveLength(withServices.length);
    for (const o of all) {
      expect(ServiceOrder.safeParse(o).success).toBe(true);
      expect(o.signedDate).toBe(firstService(o.participantId));
      expect(o.signerNpi).toBe(agency.supervisors[0]!.npi);
    }
    const gaps = syntheticServiceOrders(agency, { withoutServiceOrderEvery: 8 });
    const missing = agency.participants.filter((_, i) => i % 8 === 7).map((p) => p.id);
    expect(gaps.map((o) => o.participantId)).toEqual(all.map((o) => o.participantId).filter((id) => !missing.includes(id)));
    const backdated = syntheticServiceOrders(agency, { backdateDays: 5 });
    const days = backdated.map((o) => (Date.parse(firstService(o.participantId)) - Date.parse(o.signedDate)) / 86_400_000);
    expect(new Set(days)).toEqual(new Set([0, 5, 10]));
  });

  it('prior authorizations only under a pack that caps units behind them, for every other participant', () => {
    const nc = getPack('nc-alliance-peer-support-2019');
    const auths = syntheticPriorAuthorizations(agency, nc, { priorAuthUnits: 48 });
    expect(auths).toHaveLength(Math.ceil(agency.participants.length / 2) * nc.services.length);
    for (const a of auths) expect(PriorAuthorization.parse(a)).toMatchObject({ units: 48, code: 'H0038' });
    expect(syntheticPriorAuthorizations(agency, nc, { priorAuthUnits: false })).toEqual([]);
    expect(syntheticPriorAuthorizations(agency, getPack('ga-dbhdd-peer-support'))).toEqual([]);
  });

  it('codes encounters for a pack without H0038 and prices unpublished rates as unconfirmed placeholders', () => {
    const pin = getPack('medicare-pin-ps-2024');
    const coded = encountersCodedFor(pin, agency.encounters);
    expect(new Set(coded.map((e) => e.serviceCode))).toEqual(new Set([pin.services[0]!.code]));
    expect(encountersCodedFor(getPack('nc-alliance-peer-support-2019'), agency.encounters)).toEqual(agency.encounters);
    const priced = withPlaceholderRates(pin, { G0140: 82.5 }, 'test price');
    for (const r of priced.rates) {
      expect(r.amount).not.toBeNull();
      expect(r.source).toMatchObject({ confirmed: false, note: 'test price' });
    }
    expect(priced.rates.find((r) => r.code === 'G0140')?.amount).toBe(82.5);
    const nc = getPack('nc-alliance-peer-support-2019');
    expect(withPlaceholderRates(nc, {}, 'unused')).toBe(nc);
  });

  it('a full context bills: every item billed or held, the held ones with reasons', () => {
    const pack = getPack('nc-alliance-peer-support-2019');
    const result = evaluate(syntheticBillingContext(agency, pack, { withoutServiceOrderEvery: 8 }));
    const items = agency.encounters.reduce((s, e) => s + e.attendees.length, 0);
    expect(result.totals.items).toBe(items);
    expect(result.totals.billed).toBeGreaterThan(0);
    expect(result.totals.billed + result.totals.partial + result.totals.held).toBe(items);
    for (const d of result.decisions.filter((x) => x.status === 'held')) expect(d.holds.length).toBeGreaterThan(0);
  });
});
