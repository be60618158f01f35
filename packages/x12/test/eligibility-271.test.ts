import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  OTHER_PAYER_EXTENSION,
  REJECT_REASON_SYSTEM,
  X12ResponseParseError,
  coverageFrom271,
  eligibilityFromResponse,
  eligibilityVerdict,
  read271,
  read271Stream,
  toCoverageEligibilityResponse,
  type EligibilityResponseSet,
} from '../src/index.js';
import { PHI, coverage } from './fixtures.js';
import * as F from './fixtures-271.js';

const refs = {
  patient: { reference: 'Patient/pat1' },
  request: { reference: 'CoverageEligibilityRequest/elig-1' },
  insurer: { reference: 'Organization/medicaid' },
  coverage: { reference: 'Coverage/cov1' },
};

const one = (body: string[]) => {
  const sets = read271(F.interchange271(body));
  expect(sets).toHaveLength(1);
  return sets[0]!;
};

function verdictOf(body: string[], dateOfService?: string) {
  const set = one(body);
  const sub = set.subscribers[0];
  if (!sub) throw new Error('fixture has no subscriber');
  return eligibilityVerdict(set, sub, dateOfService ? { dateOfService } : {});
}

describe('271 reader (005010X279A1)', () => {
  it('reads an active answer: trace echoed, member, plan dates, EB benefits with service types and HCPCS', () => {
    const set = one(F.ACTIVE);
    expect(set.payer).toEqual({ name: 'STATE MEDICAID', idQualifier: 'PI', id: 'GAMCD' });
    expect(set.receiver.id).toBe('1234567893');
    expect(set.created).toBe('2025-03-02');
    const [s] = set.subscribers;
    expect(s!.traces).toEqual(['TRACE0001']); // TRN*2 = the 270's TRN02
    expect(s!.payerTraces).toEqual(['PAYERTRACE77']);
    expect(s!.memberId).toBe(PHI.memberId);
    expect(s!.birthDate).toBe('1980-01-02');
    expect(s!.planPeriod).toEqual({ start: '2025-01-01', end: '2025-12-31' }); // DTP*346 / DTP*347
    expect(s!.benefits.map((b) => [b.code, b.serviceTypes, b.insuranceType])).toEqual([
      ['1', ['30', 'MH'], 'MC'],
      ['1', ['MH'], 'MC'],
    ]);
    expect(s!.benefits[1]!.procedure).toEqual({ qualifier: 'HC', code: 'H0038', modifiers: [] });
    expect(s!.benefits[1]!.inPlanNetwork).toBe('Y');
    const v = eligibilityVerdict(set, s!, { dateOfService: '2025-03-03' });
    expect(v).toMatchObject({ status: 'active', reason: '271 says Active Coverage (EB01 1)', period: { start: '2025-01-01', end: '2025-12-31' } });
    expect(v.plan).toEqual({ description: 'MEDICAID FEE FOR SERVICE', number: 'PLAN-FFS-01', group: 'GRP0001', insuranceType: 'MC' });
  });

  it('says inactive for EB01 6, and the eligibility end date bounds an earlier date of service', () => {
    expect(verdictOf(F.INACTIVE)).toMatchObject({ status: 'inactive', reason: '271 says Inactive (EB01 6)' });
    // EB*6 speaks for the date asked; the 2100C eligibility dates say when the member was covered
    expect(verdictOf(F.INACTIVE, '2025-03-03').status).toBe('inactive');
    const set = one(F.INACTIVE);
    expect(coverageFrom271(coverage({ period: { start: '2024-01-01' } }), set, set.subscribers[0]!).period).toEqual({ start: '2024-01-01', end: '2025-02-28' });
    const stored = toCoverageEligibilityResponse(set, set.subscribers[0]!, refs, { dateOfService: '2025-03-03' });
    expect(eligibilityFromResponse(stored)).toMatchObject({ status: 'inactive' });
    expect(eligibilityFromResponse(stored).period).toBeUndefined();
  });

  it('ends the stored Coverage period at the 271 end date without erasing its start when the 271 gives only an end', () => {
    const set = one(F.INACTIVE.filter((s) => !s.startsWith('DTP*356')));
    expect(coverageFrom271(coverage({ period: { start: '2023-07-01' } }), set, set.subscribers[0]!).period).toEqual({ start: '2023-07-01', end: '2025-02-28' });
  });

  it('names the managed care organization when EB01 MC carries a 2120C NM1*Y2', () => {
    const v = verdictOf(F.MCO, '2025-03-03');
    expect(v.status).toBe('other-payer');
    expect(v.otherPayer).toMatchObject({ role: 'Y2', roleText: 'Managed Care Organization', name: 'SUNRISE HEALTH PLAN', idQualifier: 'PI', id: 'SUNR1' });
    expect(v.reason).toBe('271 says Managed Care Coordinator (EB01 MC): Managed Care Organization SUNRISE HEALTH PLAN');
    // before the MCO enrolment (EB-level DTP*292 starts 2025-02-01) the member is fee-for-service
    expect(verdictOf(F.MCO, '2025-01-15').status).toBe('active');
  });

  it('names the primary payer when EB01 R carries a 2120C NM1*PRP', () => {
    const v = verdictOf(F.OTHER_PAYER);
    expect(v.status).toBe('other-payer');
    expect(v.otherPayer).toMatchObject({ role: 'PRP', roleText: 'Primary Payer', name: 'ACME COMMERCIAL INSURANCE' });
  });

  it.each([
    ['2000A', F.REJECT_2000A, '42', 'Unable to Respond at Current Time', 'R'],
    ['2100A', F.REJECT_2100A, 'T4', 'Payer Name or Identifier Missing', 'C'],
    ['2100B', F.REJECT_2100B, '51', 'Provider Not on File', 'C'],
  ] as const)('reads an AAA rejection at %s as a set-level rejection in words', (loop, body, code, text, follow) => {
    const set = one([...body]);
    expect(set.subscribers).toHaveLength(0);
    expect(set.rejections).toEqual([expect.objectContaining({ loop, code, text, followUp: follow })]);
  });

  it('reads an AAA rejection at 2100C (subscriber not found) and at 2110C (one service)', () => {
    const v = verdictOf(F.REJECT_2100C);
    expect(v.status).toBe('rejected');
    expect(v.reason).toBe('271 rejected the inquiry: 75 Subscriber/Insured Not Found at 2100C (follow-up C: Please Correct and Resubmit)');
    const w = verdictOf(F.REJECT_2110C);
    expect(w.status).toBe('rejected');
    expect(w.rejections.map((r) => [r.loop, r.code, r.text])).toEqual([['2110C', '53', 'Inquired Benefit Inconsistent with Provider Type']]);
  });

  it('counts 2000D dependent loops instead of reading them', () => {
    const body = [...F.ACTIVE, 'HL*4*3*23*0', 'NM1*03*1*DOE*KID', 'EB*1*IND*30'];
    const set = one(body);
    expect(set.dependentsSkipped).toBe(1);
    expect(set.subscribers[0]!.benefits).toHaveLength(2);
  });
});

describe('271 -> FHIR', () => {
  it('maps an active answer to a CoverageEligibilityResponse in force, with the 270 trace and items per EB', () => {
    const set = one(F.ACTIVE);
    const r = toCoverageEligibilityResponse(set, set.subscribers[0]!, refs);
    expect(r).toMatchObject({ resourceType: 'CoverageEligibilityResponse', outcome: 'complete', created: '2025-03-02', disposition: '271 says Active Coverage (EB01 1)' });
    expect(r.identifier?.[0]?.value).toBe('TRACE0001');
    expect(r.insurance?.[0]).toMatchObject({ coverage: refs.coverage, inforce: true, benefitPeriod: { start: '2025-01-01', end: '2025-12-31' } });
    expect(r.insurance?.[0]?.item?.[1]?.productOrService?.coding?.[0]?.code).toBe('H0038');
    expect(eligibilityFromResponse(r)).toMatchObject({ status: 'active', checkedOn: '2025-03-02', period: { start: '2025-01-01', end: '2025-12-31' } });
  });

  it('maps rejections to error[] with X12 reject reason codes and outcome error', () => {
    const set = one(F.REJECT_2100C);
    const r = toCoverageEligibilityResponse(set, set.subscribers[0]!, refs);
    expect(r.outcome).toBe('error');
    expect(r.error?.[0]?.code.coding?.[0]).toEqual({ system: REJECT_REASON_SYSTEM, code: '75', display: 'Subscriber/Insured Not Found' });
    expect(eligibilityFromResponse(r).status).toBe('rejected');
  });

  it('carries the MCO on the response and on the updated Coverage, and reads it back', () => {
    const set = one(F.MCO);
    const sub = set.subscribers[0]!;
    const r = toCoverageEligibilityResponse(set, sub, refs, { dateOfService: '2025-03-03' });
    expect(r.insurance?.[0]?.extension?.[0]).toMatchObject({ url: OTHER_PAYER_EXTENSION, valueReference: { display: 'SUNRISE HEALTH PLAN', identifier: { value: 'SUNR1' } } });
    expect(eligibilityFromResponse(r)).toMatchObject({ status: 'other-payer', otherPayer: { name: 'SUNRISE HEALTH PLAN', id: 'SUNR1' } });
    const c = coverageFrom271(coverage(), set, sub, { dateOfService: '2025-03-03' });
    expect(c.period).toEqual({ start: '2025-02-01', end: '2025-12-31' });
    expect(c.class?.find((x) => x.type.coding?.[0]?.code === 'plan')).toMatchObject({ value: 'SUNRISE HEALTH PLAN' });
    expect(c.extension?.[0]?.valueReference?.display).toBe('SUNRISE HEALTH PLAN');
  });

  it('updates member id, period, plan and group from an active answer, and changes nothing on a rejection', () => {
    const set = one(F.ACTIVE);
    const stored = coverage({ subscriberId: 'OLD-ID', period: { start: '2024-01-01' } });
    const c = coverageFrom271(stored, set, set.subscribers[0]!);
    expect(c.subscriberId).toBe(PHI.memberId);
    expect(c.period).toEqual({ start: '2025-01-01', end: '2025-12-31' });
    expect(c.class?.map((x) => [x.type.coding?.[0]?.code, x.value])).toEqual([['plan', 'PLAN-FFS-01'], ['group', 'GRP0001']]);
    const rejected = one(F.REJECT_2100C);
    expect(coverageFrom271(stored, rejected, rejected.subscribers[0]!)).toBe(stored);
  });
});

describe('271 errors and streaming', () => {
  const text = F.interchange271(F.ACTIVE, F.INACTIVE, F.MCO);

  it.each([
    ['a wrong SE01 count', text.replace(/SE\*(\d+)\*0001/, (_m, n: string) => `SE*${Number(n) - 1}*0001`), 'SE01 does not match'],
    ['a missing IEA', text.slice(0, text.lastIndexOf('IEA')), 'interchange without IEA'],
    ['a date that is not a date', text.replace('DMG*D8*19800102', `DMG*D8*${PHI.family}`), 'DMG02 is not a CCYYMMDD date'],
    ['an EB before any subscriber', F.interchange271([...F.ACTIVE.slice(0, 3), 'EB*1*IND*30']), 'EB outside a 2000C subscriber loop'],
    ['a 277 where a 271 belongs', text.replace('ST*271*0002', 'ST*277*0002'), 'transaction set is not a 271'],
    ['PHI where a segment id belongs', text.replace('DMG*D8', `${PHI.given}*D8`), 'segment is not part of a 271'],
  ])('refuses %s with a typed error by position and no values', (_name, bad, message) => {
    let error: unknown;
    try {
      read271(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(X12ResponseParseError);
    const e = error as X12ResponseParseError;
    expect(e.code).toBe('x12.response-malformed');
    expect(e.message).toContain(message);
    const dump = e.message + JSON.stringify(e.details);
    for (const v of Object.values(PHI)) expect(dump).not.toContain(v);
  });

  it('either reads a damaged file or refuses it with a typed error, never echoing a value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: text.length - 1 }), fc.constantFrom('', '*', '~', ':', '^', 'X', '9', PHI.family)), { minLength: 1, maxLength: 6 }),
        (edits) => {
          let bad = text;
          for (const [at, put] of edits) bad = bad.slice(0, at) + put + bad.slice(at + 1);
          try {
            read271(bad);
          } catch (e) {
            expect(e).toBeInstanceOf(X12ResponseParseError);
            const dump = (e as Error).message + JSON.stringify((e as X12ResponseParseError).details);
            for (const v of [PHI.family, PHI.given, PHI.memberId, '19800102']) expect(dump).not.toContain(v);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('streams one transaction set at a time from chunks of any size, equal to reading the whole text', async () => {
    const whole = read271(text);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 40 }), async (sizes) => {
        const chunks: string[] = [];
        let at = 0;
        for (let i = 0; at < text.length; i++) {
          const n = sizes[i % sizes.length]!;
          chunks.push(text.slice(at, at + n));
          at += n;
        }
        const got: EligibilityResponseSet[] = [];
        for await (const set of read271Stream(chunks)) got.push(set);
        expect(got).toEqual(whole);
      }),
      { numRuns: 50 },
    );
  });

  it('yields a transaction set before the rest of the file has been read', async () => {
    const cut = text.indexOf('ST*271*0002');
    let pulled = 0;
    async function* source() {
      pulled++;
      yield text.slice(0, cut);
      pulled++;
      yield text.slice(cut);
    }
    const it = read271Stream(source());
    const first = await it.next();
    expect(first.value).toMatchObject({ controlNumber: '0001' });
    expect(pulled).toBe(1);
    const rest: unknown[] = [];
    for await (const s of it) rest.push(s);
    expect(rest).toHaveLength(2);
  });
});
