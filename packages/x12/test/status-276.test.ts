import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { X12InquiryInputError, claimsAwaitingStatus, write276, type ClaimStatusInquiryInput, type Write276Options } from '../src/index.js';
import { AGENCY_NPI, PHI, claim, input, parseIndependently, patient } from './fixtures.js';

const options: Write276Options = {
  sender: { id: 'AGENCY01' },
  receiver: { id: 'MEDICAID01' },
  submitter: { name: 'Example Peer Agency' },
  controlNumbers: { isa: 5, gs: 5 },
  usage: 'T',
  date: new Date(Date.UTC(2025, 3, 1, 8, 0)),
};

const status = (pcn = 'PCN0001', over: Partial<ClaimStatusInquiryInput> = {}): ClaimStatusInquiryInput => {
  const { claim: c, billingProvider, subscriber, coverage, payer } = input({ pcn });
  return { claim: c, billingProvider, subscriber, coverage, payer, ...over };
};
const el = (s: Record<string, string> | undefined, n: number | string) => s?.[String(n)] ?? '';

describe('276 writer (005010X212)', () => {
  it('writes the loops the TR3 prescribes, read back by x12-parser', async () => {
    const segs = await parseIndependently(write276([status('PCN0001', { payerClaimControlNumber: 'ICN777' })], options));
    expect(segs.map((s) => s.name)).toEqual([
      'ISA', 'GS', 'ST', 'BHT', 'HL', 'NM1', 'HL', 'NM1', 'HL', 'NM1', 'HL', 'DMG', 'NM1', 'TRN', 'REF', 'REF', 'AMT', 'DTP', 'SE', 'GE', 'IEA',
    ]);
    const get = (name: string, i = 0) => segs.filter((s) => s.name === name)[i];
    expect([el(get('GS'), 1), el(get('GS'), 8)]).toEqual(['HR', '005010X212']); // HR = claim status inquiry
    expect([el(get('ST'), 1), el(get('ST'), 3)]).toEqual(['276', '005010X212']);
    expect([el(get('BHT'), 1), el(get('BHT'), 2)]).toEqual(['0010', '13']);
    expect(segs.filter((s) => s.name === 'HL').map((h) => [el(h, 1), el(h, 2), el(h, 3), el(h, 4)])).toEqual([
      ['1', '', '20', '1'], ['2', '1', '21', '1'], ['3', '2', '19', '1'], ['4', '3', '22', '0'],
    ]);
    expect([el(get('NM1', 0), 1), el(get('NM1', 0), 9)]).toEqual(['PR', 'GAMCD']);
    expect([el(get('NM1', 1), 1), el(get('NM1', 1), 8)]).toEqual(['41', '46']);
    expect([el(get('NM1', 2), 1), el(get('NM1', 2), 8), el(get('NM1', 2), 9)]).toEqual(['1P', 'XX', AGENCY_NPI]);
    expect([el(get('NM1', 3), 1), el(get('NM1', 3), 8), el(get('NM1', 3), 9)]).toEqual(['IL', 'MI', PHI.memberId]);
    expect([el(get('TRN'), 1), el(get('TRN'), 2)]).toEqual(['1', 'claim-PCN0001']);
    expect(segs.filter((s) => s.name === 'REF').map((r) => [el(r, 1), el(r, 2)])).toEqual([['1K', 'ICN777'], ['EJ', 'PCN0001']]);
    expect(el(get('AMT'), 1)).toBe('T3');
    expect([el(get('DTP'), 1), el(get('DTP'), 2)]).toEqual(['472', 'D8']);
    const se = get('SE')!;
    expect(Number(el(se, 1))).toBe(segs.indexOf(se) - segs.indexOf(get('ST')!) + 1);
  });

  it('shares payer, provider and subscriber loops between consecutive claims of the same member', async () => {
    const segs = await parseIndependently(write276([status('PCN0001'), status('PCN0002')], options));
    expect(segs.filter((s) => s.name === 'HL')).toHaveLength(4);
    expect(segs.filter((s) => s.name === 'TRN').map((t) => el(t, 2))).toEqual(['claim-PCN0001', 'claim-PCN0002']);
  });

  it('refuses elements outside their TR3 rules, by path, without values', () => {
    let error: unknown;
    try {
      write276([status('PCN0001', { subscriber: patient({ birthDate: '1980-13-01' }) }), status('PCN0002', { trace: 'T'.repeat(51) })], options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(X12InquiryInputError);
    const issues = (error as X12InquiryInputError).issues.map((i) => [i.path, i.element, i.problem]);
    expect(issues).toEqual(expect.arrayContaining([['claims[0].subscriber.birthDate', 'DMG02', 'bad-format'], ['claims[1].trace', 'TRN02', 'too-long']]));
    expect((error as Error).message).not.toContain(PHI.family);
  });
});

describe('claimsAwaitingStatus', () => {
  const c = (id: string, created: string, st: 'active' | 'cancelled' = 'active') => ({ ...claim({ pcn: id }), id, created, status: st });

  it('asks about active claims older than N days without a final ClaimResponse', () => {
    const claims = [c('a', '2025-01-01'), c('b', '2025-01-01'), c('c', '2025-01-01'), c('d', '2025-03-20'), c('e', '2025-01-01', 'cancelled')];
    const responses = [
      { request: { reference: 'Claim/b' }, outcome: 'complete' as const },
      { request: { reference: 'Claim/c' }, outcome: 'queued' as const },
    ];
    expect(claimsAwaitingStatus(claims, responses, { asOf: '2025-04-01', olderThanDays: 30 }).map((x) => x.id)).toEqual(['a', 'c']);
  });

  it('selects exactly the claims whose age reaches the threshold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 120 }), (age, days) => {
        const created = new Date(Date.UTC(2025, 5, 1) - age * 86_400_000).toISOString().slice(0, 10);
        const got = claimsAwaitingStatus([c('x', created)], [], { asOf: '2025-06-01', olderThanDays: days });
        expect(got.length === 1).toBe(age >= days);
      }),
      { numRuns: 100 },
    );
  });
});
