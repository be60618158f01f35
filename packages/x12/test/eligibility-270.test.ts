import fc from 'fast-check';
import type { CoverageEligibilityRequest } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import {
  ELIGIBILITY_TRACE_SYSTEM,
  SERVICE_TYPE_SYSTEM,
  X12InquiryInputError,
  write270,
  type EligibilityInquiryInput,
  type Write270Options,
} from '../src/index.js';
import { AGENCY_NPI, HCPCS, PHI, agency, coverage, parseIndependently, patient, payer } from './fixtures.js';

const options: Write270Options = {
  sender: { id: 'AGENCY01' },
  receiver: { id: 'MEDICAID01' },
  controlNumbers: { isa: 42, gs: 7 },
  usage: 'T',
  date: new Date(Date.UTC(2025, 2, 1, 9, 30)),
};

function request(over: Partial<CoverageEligibilityRequest> = {}): CoverageEligibilityRequest {
  return {
    resourceType: 'CoverageEligibilityRequest',
    id: 'elig-1',
    identifier: [{ system: ELIGIBILITY_TRACE_SYSTEM, value: 'TRACE0001' }],
    status: 'active',
    purpose: ['validation', 'benefits'],
    patient: { reference: 'Patient/pat1' },
    created: '2025-03-01',
    insurer: { reference: 'Organization/medicaid' },
    servicedDate: '2025-03-03',
    ...over,
  };
}

function inquiry(over: Partial<EligibilityInquiryInput> = {}, req: Partial<CoverageEligibilityRequest> = {}): EligibilityInquiryInput {
  return { request: request(req), patient: patient(), coverage: coverage(), payer: payer(), provider: agency(), ...over };
}

const seg = (segs: Awaited<ReturnType<typeof parseIndependently>>, name: string) => segs.filter((s) => s.name === name);
const el = (s: Record<string, string> | undefined, n: number | string) => s?.[String(n)] ?? '';

describe('270 writer (005010X279A1)', () => {
  it('writes the single (real-time) form with the loops and codes the TR3 prescribes, read back by x12-parser', async () => {
    const text = write270([inquiry({}, { item: [{ category: { coding: [{ system: SERVICE_TYPE_SYSTEM, code: 'MH' }] }, productOrService: { coding: [{ system: HCPCS, code: 'H0038' }] } }] })], options);
    const segs = await parseIndependently(text);
    expect(segs.map((s) => s.name)).toEqual(['ISA', 'GS', 'ST', 'BHT', 'HL', 'NM1', 'HL', 'NM1', 'HL', 'TRN', 'NM1', 'DMG', 'DTP', 'EQ', 'SE', 'GE', 'IEA']);
    const [gs] = seg(segs, 'GS');
    expect([el(gs, 1), el(gs, 7), el(gs, 8)]).toEqual(['HS', 'X', '005010X279A1']); // GS01 HS = eligibility inquiry
    const [st] = seg(segs, 'ST');
    expect([el(st, 1), el(st, 3)]).toEqual(['270', '005010X279A1']);
    const [bht] = seg(segs, 'BHT');
    expect([el(bht, 1), el(bht, 2), el(bht, 4)]).toEqual(['0022', '13', '20250301']); // 0022 information source..subscriber; 13 request
    const hls = seg(segs, 'HL').map((h) => [el(h, 1), el(h, 2), el(h, 3), el(h, 4)]);
    expect(hls).toEqual([['1', '', '20', '1'], ['2', '1', '21', '1'], ['3', '2', '22', '0']]);
    const [source, receiver, subscriber] = seg(segs, 'NM1');
    expect([el(source, 1), el(source, 2), el(source, 8), el(source, 9)]).toEqual(['PR', '2', 'PI', 'GAMCD']);
    expect([el(receiver, 1), el(receiver, 2), el(receiver, 8), el(receiver, 9)]).toEqual(['1P', '2', 'XX', AGENCY_NPI]);
    expect([el(subscriber, 1), el(subscriber, 2), el(subscriber, 3), el(subscriber, 4), el(subscriber, 8), el(subscriber, 9)]).toEqual(['IL', '1', PHI.family, PHI.given, 'MI', PHI.memberId]);
    const [trn] = seg(segs, 'TRN');
    expect([el(trn, 1), el(trn, 2), el(trn, 3)]).toEqual(['1', 'TRACE0001', '1123456789']); // TRN03 = '1' + EIN
    const [dmg] = seg(segs, 'DMG');
    expect([el(dmg, 1), el(dmg, 2), el(dmg, 3)]).toEqual(['D8', '19800102', 'F']);
    const [dtp] = seg(segs, 'DTP');
    expect([el(dtp, 1), el(dtp, 2), el(dtp, 3)]).toEqual(['291', 'D8', '20250303']);
    const [eq] = seg(segs, 'EQ');
    expect(el(eq, 1)).toBe('MH');
    expect([el(eq, 2), el(eq, '2-1')]).toEqual(['HC', 'H0038']); // EQ02 C003: HC qualifier, HCPCS code
    const [se] = seg(segs, 'SE');
    expect(Number(el(se, 1))).toBe(segs.indexOf(se!) - segs.indexOf(st!) + 1); // SE01 counts ST..SE
    expect(el(se, 2)).toBe(el(st, 2));
  });

  it('asks service type 30 (health benefit plan coverage) when the request names no item', async () => {
    const segs = await parseIndependently(write270([inquiry()], options));
    expect(seg(segs, 'EQ').map((e) => el(e, 1))).toEqual(['30']);
  });

  it('writes a serviced period as DTP*291*RD8', async () => {
    const segs = await parseIndependently(write270([inquiry({}, { servicedDate: undefined, servicedPeriod: { start: '2025-03-01', end: '2025-03-31' } })], options));
    const [dtp] = seg(segs, 'DTP');
    expect([el(dtp, 2), el(dtp, 3)]).toEqual(['RD8', '20250301-20250331']);
  });

  it('writes a roster in batch form: at most 99 subscribers per ST, sharing the payer and provider loops', async () => {
    const roster = Array.from({ length: 150 }, (_, i) =>
      inquiry({ coverage: coverage({ subscriberId: `M${String(i).padStart(6, '0')}` }) }, { identifier: [{ system: ELIGIBILITY_TRACE_SYSTEM, value: `T${i}` }] }),
    );
    const segs = await parseIndependently(write270(roster, options));
    const sts = seg(segs, 'ST');
    expect(sts).toHaveLength(2);
    expect(el(seg(segs, 'GE')[0], 1)).toBe('2'); // GE01 = transaction sets in the group
    // per ST: one 2000A, one 2000B, then the subscribers, each HL pointing at its parent
    let stStart = 0;
    const perSt: number[] = [];
    segs.forEach((s, i) => {
      if (s.name === 'ST') stStart = i;
      if (s.name === 'SE') {
        const body = segs.slice(stStart, i + 1);
        const hls = body.filter((x) => x.name === 'HL');
        expect(hls.filter((h) => el(h, 3) === '20')).toHaveLength(1);
        expect(hls.filter((h) => el(h, 3) === '21')).toHaveLength(1);
        const subs = hls.filter((h) => el(h, 3) === '22');
        expect(subs.every((h) => el(h, 2) === '2')).toBe(true);
        perSt.push(subs.length);
        expect(Number(el(s, 1))).toBe(body.length);
      }
    });
    expect(perSt).toEqual([99, 51]);
    expect(seg(segs, 'TRN').map((t) => el(t, 2))).toEqual(roster.map((_, i) => `T${i}`));
  });

  it('refuses an element that breaks its TR3 rule, listing every problem by path and element, never the value', () => {
    const tooLong = `${PHI.memberId}${'9'.repeat(80)}`;
    const bad = [
      inquiry({ coverage: coverage({ subscriberId: tooLong }) }), // NM109 AN 2..80
      inquiry({ patient: patient({ birthDate: '1980-02-30' }) }, { item: [{ category: { coding: [{ system: SERVICE_TYPE_SYSTEM, code: 'ZZZ' }] } }] }),
      inquiry({}, { identifier: [], id: undefined }),
      inquiry({ coverage: coverage({ subscriberId: `${PHI.memberId} ` }) }), // a trailing space would not survive transmission
    ];
    let error: unknown;
    try {
      write270(bad, options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(X12InquiryInputError);
    const e = error as X12InquiryInputError;
    expect(e.code).toBe('x12.inquiry-input-invalid');
    expect(e.issues.map((i) => [i.path, i.element, i.problem])).toEqual(
      expect.arrayContaining([
        ['requests[0].coverage.subscriberId', 'NM109', 'too-long'],
        ['requests[1].patient.birthDate', 'DMG02', 'bad-format'],
        ['requests[1].request.item[0].category', 'EQ01', 'not-in-code-list'],
        ['requests[2].request.identifier', 'input', 'required'],
        ['requests[3].coverage.subscriberId', 'NM109', 'bad-format'],
      ]),
    );
    const dump = e.message + JSON.stringify(e.details);
    for (const v of [PHI.memberId, PHI.family, PHI.given, '19800230', '1980-02-30', 'ZZZ']) expect(dump).not.toContain(v);
  });

  it('writes every element within its TR3 limits for any names and member ids, or refuses with no value in the error', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 90 });
    await fc.assert(
      fc.asyncProperty(text, text, fc.string({ unit: 'grapheme-ascii', minLength: 0, maxLength: 90 }), async (family, given, memberId) => {
        const input = inquiry({ patient: patient({ name: [{ family, given: [given] }] }), coverage: coverage({ subscriberId: memberId }) });
        let out: string;
        try {
          out = write270([input], options);
        } catch (e) {
          expect(e).toBeInstanceOf(X12InquiryInputError);
          const msg = (e as Error).message + JSON.stringify((e as X12InquiryInputError).details);
          for (const v of [family, given, memberId].filter((v) => v.trim().length >= 4)) expect(msg).not.toContain(v);
          return;
        }
        const segs = await parseIndependently(out);
        const nm1 = seg(segs, 'NM1')[2]!;
        // 2100C NM103 AN 1..60, NM104 AN 1..35, NM109 AN 2..80; printable ASCII, no delimiter
        for (const [n, max] of [[3, 60], [4, 35], [9, 80]] as const) {
          const v = el(nm1, n);
          expect(v.length).toBeLessThanOrEqual(max);
          expect(v).toMatch(/^[\x20-\x7e]*$/);
          expect(v).not.toMatch(/[*~:^]/);
        }
        if (memberId) expect(el(nm1, 9)).toBe(memberId);
        expect(seg(segs, 'SE')).toHaveLength(1);
      }),
      { numRuns: 100 },
    );
  });
});
