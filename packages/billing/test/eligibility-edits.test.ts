import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EligibilityCheck, evaluate, getPack, loadPack, RulePackError, type BillingContext, type BillingDecision } from '../src/index.js';
import { context, encounter, PAYER_ID } from './support/factories.js';

const NJ = getPack('nj-horizon-sud-peer-2020');
// encounter() defaults to 2025-01-14 for participant p-1
const DOS = '2025-01-14';

const check = (over: Partial<EligibilityCheck> = {}): EligibilityCheck =>
  EligibilityCheck.parse({ participantId: 'p-1', checkedOn: '2025-01-10', status: 'active', reason: '271 says Active Coverage (EB01 1)', ...over });

const only = (ctx: BillingContext): BillingDecision => {
  const r = evaluate(ctx);
  expect(r.decisions).toHaveLength(1);
  return r.decisions[0]!;
};
const codes = (fs: readonly { code: string }[]) => fs.map((f) => f.code);

describe('PB-ELIGIBILITY: the latest 271 on the date of service must not say inactive or another payer', () => {
  it('bills when the latest answer says active', () => {
    const d = only(context(NJ, { eligibility: [check()] }));
    expect(codes(d.holds)).not.toContain('PB-ELIGIBILITY');
    expect(codes(d.warnings)).not.toContain('PB-ELIGIBILITY-STALE');
  });

  it("holds an inactive member with the 271's words as the reason", () => {
    const d = only(context(NJ, { eligibility: [check({ status: 'inactive', reason: '271 says Inactive (EB01 6)' })] }));
    expect(d.status).toBe('held');
    expect(d.holds).toContainEqual({ code: 'PB-ELIGIBILITY', severity: 'hold', reason: 'latest eligibility answer: 271 says Inactive (EB01 6)' });
  });

  it('holds a member the 271 places with an MCO, naming it, unless that MCO is the payer billed', () => {
    const mco = check({
      status: 'other-payer',
      reason: '271 says Managed Care Coordinator (EB01 MC): Managed Care Organization SUNRISE HEALTH PLAN',
      otherPayer: { name: 'SUNRISE HEALTH PLAN', id: 'SUNR1' },
    });
    const held = only(context(NJ, { eligibility: [mco] }));
    expect(held.holds.find((h) => h.code === 'PB-ELIGIBILITY')?.reason).toBe(
      'latest eligibility answer: 271 says Managed Care Coordinator (EB01 MC): Managed Care Organization SUNRISE HEALTH PLAN — bill that payer',
    );
    const billingTheMco = only(context(NJ, { eligibility: [{ ...mco, otherPayer: { id: PAYER_ID } }] }));
    expect(codes(billingTheMco.holds)).not.toContain('PB-ELIGIBILITY');
  });

  it('lets the latest answer win, and ignores answers whose dates do not cover the date of service', () => {
    const older = check({ checkedOn: '2025-01-02', status: 'inactive', reason: '271 says Inactive (EB01 6)' });
    expect(codes(only(context(NJ, { eligibility: [older, check()] })).holds)).not.toContain('PB-ELIGIBILITY');
    const endedBefore = check({ status: 'inactive', reason: '271 says Inactive (EB01 6)', period: { start: '2024-01-01', end: '2024-12-31' } });
    expect(codes(only(context(NJ, { eligibility: [endedBefore, check({ checkedOn: '2024-12-01' })] })).holds)).not.toContain('PB-ELIGIBILITY');
  });

  it('does not hold on a rejected 271 (no answer is not an answer), but warns', () => {
    const d = only(context(NJ, { eligibility: [check({ status: 'rejected', reason: '271 rejected the inquiry: 42 Unable to Respond at Current Time at 2000A' })] }));
    expect(codes(d.holds)).not.toContain('PB-ELIGIBILITY');
    expect(codes(d.warnings)).toContain('PB-ELIGIBILITY-STALE');
  });

  it('is off when the context carries no eligibility answers', () => {
    const d = only(context(NJ));
    expect([...codes(d.holds), ...codes(d.warnings)].filter((c) => c.startsWith('PB-ELIGIBILITY'))).toEqual([]);
  });
});

describe('PB-ELIGIBILITY-STALE: a warning when the latest usable answer is older than the configured days', () => {
  it('warns when there is no answer for the participant', () => {
    const d = only(context(NJ, { eligibility: [] }));
    expect(d.warnings).toContainEqual({ code: 'PB-ELIGIBILITY-STALE', severity: 'warn', reason: 'no usable eligibility answer covers the date of service (none, rejected or silent)' });
    expect(d.status).toBe('billed');
  });

  it('holds to the configured number of days for every age of answer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 1, max: 90 }), (age, days) => {
        const checkedOn = new Date(Date.parse(`${DOS}T00:00:00Z`) - age * 86_400_000).toISOString().slice(0, 10);
        const d = only(context(NJ, { encounters: [encounter()], eligibility: [check({ checkedOn })], eligibilityStaleAfterDays: days }));
        expect(codes(d.warnings).includes('PB-ELIGIBILITY-STALE')).toBe(age > days);
      }),
      { numRuns: 60 },
    );
  });

  it("takes the pack's eligibilityCheck.staleAfterDays when the context gives none, and the context's value over the pack's", () => {
    const source = { url: 'https://example.org/provider-manual', title: 'Provider manual', confirmed: false };
    const pack = loadPack({ ...NJ, eligibilityCheck: { staleAfterDays: 7, source } });
    const tenDaysOld = check({ checkedOn: '2025-01-04' });
    expect(codes(only(context(pack, { eligibility: [tenDaysOld] })).warnings)).toContain('PB-ELIGIBILITY-STALE');
    expect(codes(only(context(NJ, { eligibility: [tenDaysOld] })).warnings)).not.toContain('PB-ELIGIBILITY-STALE'); // default 30
    expect(codes(only(context(pack, { eligibility: [tenDaysOld], eligibilityStaleAfterDays: 14 })).warnings)).not.toContain('PB-ELIGIBILITY-STALE');
  });

  it('refuses a pack whose staleAfterDays is not a whole number of days from 1 to 366, by JSON path', () => {
    for (const staleAfterDays of [0, 1.5, 400]) {
      const err = (() => {
        try {
          loadPack({ ...NJ, eligibilityCheck: { staleAfterDays, source: { url: 'https://example.org/m', title: 'M', confirmed: false } } });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(RulePackError);
      expect((err as RulePackError).issues.map((i) => i.path)).toContain('eligibilityCheck.staleAfterDays');
    }
  });
});
