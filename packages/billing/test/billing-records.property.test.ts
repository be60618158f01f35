/**
 * Service orders, prior authorizations and billed units stored as FHIR and read back (issue 14, acceptance 4).
 * The property that matters: billing month by month, with each month's history read back from the claims written
 * before it, bills exactly what one evaluation over all the months bills. Caps must not reset with the billing run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identifierSystems, type PeerEncounter } from '@peer-fhir/core';
import {
  billedUnitsFromClaims,
  buildClaims,
  evaluate,
  getPack,
  priorAuthorizationFromFhir,
  priorAuthorizationToFhir,
  serviceOrderFromFhir,
  serviceOrderToFhir,
  type PriorAuthorization,
  type RulePack,
  type ServiceOrder,
} from '../src/index.js';
import { context, encounter, ORG_NPI, SUPERVISOR_NPI } from './support/factories.js';

const LONG = process.env.PEER_FHIR_LONG === '1';
const RUNS = LONG ? 2_000 : 60;
const OTHER_AGENCY = '1245319599';
const scope = { agency: ORG_NPI };

const isoDate = fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const hcpcs = fc.constantFrom('H0038', 'H0046', 'T1012');

describe('service orders as ServiceRequest', () => {
  it('read back exactly what was written, for any order', () => {
    const order = fc.record({
      id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,20}$/),
      participantId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,20}$/),
      signedDate: isoDate,
      signerNpi: fc.option(fc.constant(SUPERVISOR_NPI), { nil: undefined }),
      codes: fc.option(fc.uniqueArray(hcpcs, { minLength: 1, maxLength: 3 }), { nil: undefined }),
      expires: fc.option(isoDate, { nil: undefined }),
    });
    fc.assert(
      fc.property(order, (o) => {
        const clean = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as ServiceOrder;
        expect(serviceOrderFromFhir(serviceOrderToFhir(clean, scope), scope)).toEqual(clean);
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it("is not read as an order when it is another agency's, a referral, or revoked", () => {
    const sr = serviceOrderToFhir({ id: 'so-1', participantId: 'p-1', signedDate: '2025-01-02' }, scope);
    expect(serviceOrderFromFhir(sr, { agency: OTHER_AGENCY })).toBeUndefined();
    expect(serviceOrderFromFhir({ ...sr, intent: 'proposal' }, scope)).toBeUndefined();
    expect(serviceOrderFromFhir({ ...sr, status: 'revoked' }, scope)).toBeUndefined();
    expect(serviceOrderFromFhir({ ...sr, status: 'entered-in-error' }, scope)).toBeUndefined();
  });

  it('names the path, never the value, of an order it cannot read', () => {
    const sr = serviceOrderToFhir({ id: 'so-1', participantId: 'p-1', signedDate: '2025-01-02' }, scope);
    const broken = { ...sr, authoredOn: 'SECRET-DATE', occurrencePeriod: {} };
    expect(() => serviceOrderFromFhir(broken, scope)).toThrow(/signedDate/);
    expect(() => serviceOrderFromFhir(broken, scope)).not.toThrow(/SECRET/);
  });
});

describe('prior authorizations as Claim (use preauthorization)', () => {
  it('read back exactly what was written, for any authorization', () => {
    const auth = fc.record({
      id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,20}$/),
      participantId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,20}$/),
      code: hcpcs,
      period: fc.tuple(isoDate, isoDate).map(([a, b]) => (a <= b ? { start: a, end: b } : { start: b, end: a })),
      units: fc.integer({ min: 1, max: 500 }),
      unitsUsed: fc.constant(0),
      reference: fc.stringMatching(/^[A-Z0-9]{1,30}$/),
    });
    fc.assert(
      fc.property(auth, (a) => {
        const claim = priorAuthorizationToFhir(a, scope);
        expect(claim.use).toBe('preauthorization');
        expect(priorAuthorizationFromFhir(claim, scope)).toEqual(a);
        expect(priorAuthorizationFromFhir(claim, { agency: OTHER_AGENCY })).toBeUndefined();
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it('is not billed history, and a billed claim is not an authorization', () => {
    const pack = getPack('tx-medicaid-peer-specialist-2019');
    const auth: PriorAuthorization = { id: 'pa-1', participantId: 'p-1', code: 'H0038', period: { start: '2025-01-01', end: '2025-06-30' }, units: 8, unitsUsed: 0, reference: 'A1' };
    expect(billedUnitsFromClaims([priorAuthorizationToFhir(auth, scope)], { ...scope, pack })).toEqual([]);
    const billed = buildClaims(evaluate(context(pack)).lines, { pack, created: '2025-02-01' });
    expect(billed).toHaveLength(1);
    expect(billed.map((c) => priorAuthorizationFromFhir(c, scope))).toEqual([undefined]);
  });
});

/** The TX seed pack with a small rolling six-month threshold, so a few encounters cross it. */
function txPack(maxUnits: number): RulePack {
  const base = getPack('tx-medicaid-peer-specialist-2019');
  return { ...base, caps: base.caps.map((c) => ({ ...c, maxUnits })) };
}

const months = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];
const lastDay = (m: string) => `${m}-${String(new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5)), 0)).getUTCDate()).padStart(2, '0')}`;

/** What one evaluation bills per encounter: units and units drawn from an authorization. */
function billedBy(lines: ReturnType<typeof evaluate>['lines']): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const l of lines) {
    const cur = out[l.encounterId] ?? [0, 0];
    out[l.encounterId] = [cur[0] + l.units, cur[1] + l.priorAuthUnits];
  }
  return out;
}

describe('billed units read back from stored claims', () => {
  it('billing month by month with history from the earlier claims bills what one run over all months bills', () => {
    const visit = fc.record({ month: fc.integer({ min: 0, max: months.length - 1 }), day: fc.integer({ min: 1, max: 28 }), minutes: fc.constantFrom(30, 45, 60, 90, 120) });
    const scenario = fc.record({
      visits: fc.uniqueArray(visit, { minLength: 1, maxLength: 24, selector: (v) => `${v.month}-${v.day}` }),
      maxUnits: fc.integer({ min: 4, max: 40 }),
      auth: fc.option(fc.record({ startMonth: fc.integer({ min: 0, max: 8 }), units: fc.integer({ min: 1, max: 30 }) }), { nil: undefined }),
    });
    fc.assert(
      fc.property(scenario, ({ visits, maxUnits, auth }) => {
        const pack = txPack(maxUnits);
        const encounters: PeerEncounter[] = visits.map((v, i) =>
          encounter({ id: `e-${i}`, date: `${months[v.month]}-${String(v.day).padStart(2, '0')}`, minutes: v.minutes, program: 'mental-health' }),
        );
        const auths: PriorAuthorization[] = auth
          ? [{ id: 'pa-1', participantId: 'p-1', code: 'H0038', period: { start: `${months[auth.startMonth]}-01`, end: '2025-12-31' }, units: auth.units, unitsUsed: 0, reference: 'AUTH1' }]
          : [];
        const whole = billedBy(evaluate(context(pack, { encounters, priorAuthorizations: auths })).lines);

        const stored: ReturnType<typeof buildClaims> = [];
        const monthly: ReturnType<typeof evaluate>['lines'] = [];
        for (const m of months) {
          const inMonth = encounters.filter((e) => e.start.startsWith(m));
          if (inMonth.length === 0) continue;
          const history = billedUnitsFromClaims(stored, { ...scope, pack, exclude: { from: `${m}-01`, to: lastDay(m) } });
          const r = evaluate(context(pack, { encounters: inMonth, priorAuthorizations: auths, history }));
          monthly.push(...r.lines);
          stored.push(...buildClaims(r.lines, { pack, created: `${m}-28` }));
        }
        expect(billedBy(monthly)).toEqual(whole);
      }),
      { numRuns: RUNS },
    );
  });

  it("counts only the agency's active billed claims, and refuses one it cannot read", () => {
    const pack = getPack('tx-medicaid-peer-specialist-2019');
    const [claim] = buildClaims(evaluate(context(pack)).lines, { pack, created: '2025-02-01' });
    expect(billedUnitsFromClaims([claim!], { ...scope, pack })).toEqual([{ participantId: 'p-1', date: '2025-01-14', code: 'H0038', units: 4, priorAuthUnits: 0 }]);
    expect(billedUnitsFromClaims([{ ...claim!, status: 'cancelled' }], { ...scope, pack })).toEqual([]);
    expect(billedUnitsFromClaims([claim!], { agency: OTHER_AGENCY, pack })).toEqual([]);
    const unreadable = { ...claim!, item: claim!.item!.map((i) => ({ ...i, quantity: { value: 2.5 } })) };
    expect(() => billedUnitsFromClaims([unreadable], { ...scope, pack })).toThrow(/item\[0\]/);
    expect(identifierSystems(scope).claim).toBe(claim!.identifier![0]!.system);
  });
});
