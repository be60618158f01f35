import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { validationProblems } from '../../../test/support/validators.js';
import {
  CARC_SYSTEM,
  RARC_SYSTEM,
  read835,
  read835Stream,
  reconcile,
  remittanceToClaimResponses,
  toClaimResponse,
  X12ParseError,
  type X12ClaimInput,
} from '../src/index.js';
import { build835ForTest, type Build835Options, type LineDecision } from '../src/testing/index.js';
import { input, parseIndependently } from './fixtures.js';

const opts: Build835Options = {
  sender: { id: 'GAMCD' },
  receiver: { id: 'SUBMITTER01' },
  controlNumbers: { isa: 31, gs: 9, st: 1 },
  date: new Date('2025-01-20T08:00:00Z'),
  traceNumber: 'EFT0001',
  payer: { name: 'State Medicaid', tin: '999999999', id: 'GAMCD' },
};

/** Three claims: all paid; paid at fee schedule + denied for missing auth; patient share + cap. */
function scenario(): { claims: X12ClaimInput[]; decide: (c: X12ClaimInput, item: { sequence: number }) => LineDecision } {
  const claims = [
    input({ pcn: 'PCN1', lines: [{ modifiers: ['HF'] }] }),
    input({ pcn: 'PCN2', lines: [{ modifiers: ['HQ'] }, { modifiers: ['HF'], charge: 45, units: 3 }] }),
    input({ pcn: 'PCN3', lines: [{ charge: 30, units: 2 }, { charge: 15, units: 1 }], part2: true }),
  ];
  const decisions: Record<string, LineDecision[]> = {
    PCN1: [{ kind: 'paid' }],
    PCN2: [{ kind: 'partial', paid: 48 }, { kind: 'denied', reason: '197', remarks: ['N130'] }],
    PCN3: [
      { kind: 'partial', paid: 25, adjustments: [{ group: 'PR', reason: '3', amount: 5 }] },
      { kind: 'denied', reason: '119', group: 'CO', remarks: ['N362'] },
    ],
  };
  return { claims, decide: (c, it) => decisions[c.claim.identifier![0]!.value!]![it.sequence - 1]! };
}

describe('835 reader', () => {
  it('reads payment, trace, payer, payee, claims and lines from a generated 835', async () => {
    const { claims, decide } = scenario();
    const text = build835ForTest(claims, decide, opts);
    const segs = await parseIndependently(text);
    const se = segs.find((s) => s.name === 'SE')!;
    expect(Number(se['1'])).toBe(segs.findIndex((s) => s.name === 'SE') - segs.findIndex((s) => s.name === 'ST') + 1);

    const [r, ...rest] = read835(text);
    expect(rest).toHaveLength(0);
    expect(r!.payment).toEqual({ handlingCode: 'I', amount: 133, creditDebit: 'C', method: 'CHK', date: '2025-01-20' });
    expect(r!.trace).toEqual({ number: 'EFT0001', originator: '1999999999' });
    expect(r!.payer).toEqual({ name: 'STATE MEDICAID', id: 'GAMCD' });
    expect(r!.payee).toEqual({ name: 'EXAMPLE PEER AGENCY', npi: '1234567893', taxId: '123456789' });
    expect(r!.claims.map((c) => [c.patientControlNumber, c.status, c.chargeAmount, c.paidAmount, c.patientResponsibility])).toEqual([
      ['PCN1', '1', 60, 60, 0],
      ['PCN2', '1', 105, 48, 0],
      ['PCN3', '1', 45, 25, 5],
    ]);
    const l = r!.claims[1]!.lines[1]!;
    expect(l).toMatchObject({
      procedureQualifier: 'HC',
      procedure: 'H0038',
      modifiers: ['HF'],
      chargeAmount: 45,
      paidAmount: 0,
      unitsPaid: 3,
      serviceDate: '2025-01-14',
      lineControlNumber: '2',
      adjustments: [{ group: 'CO', reason: '197', amount: 45 }],
      remarks: ['N130'],
    });
    expect(r!.claims[0]!.payerClaimControlNumber).toBe('ICN1');
  });

  it('streams the same claims from small chunks as the whole-text reader', async () => {
    const { claims, decide } = scenario();
    const text = build835ForTest(claims, decide, opts);
    const whole = read835(text)[0]!;
    const chunks = Array.from({ length: Math.ceil(text.length / 7) }, (_, i) => Buffer.from(text.slice(i * 7, i * 7 + 7)));
    const streamed = [];
    for await (const e of read835Stream(Readable.from(chunks))) streamed.push(e);
    expect(streamed.map((e) => e.claim)).toEqual(whole.claims);
    expect(streamed[0]!.remittance.trace.number).toBe('EFT0001');
  });

  it('reports a wrong SE01 count with the segment position, not the content', () => {
    const { claims, decide } = scenario();
    const text = build835ForTest(claims, decide, opts).replace(/SE\*\d+\*/, 'SE*3*');
    expect(() => read835(text)).toThrow(X12ParseError);
    expect(() => read835(text)).toThrow(/SE01 segment count does not match.*segment \d+ SE/);
  });

  it('never names a segment id that is not a real X12 segment (a damaged file can put PHI there)', () => {
    const { claims, decide } = scenario();
    // A delimiter lost before the GS: the "segment id" of what follows the ISA is now a patient's name.
    const text = build835ForTest(claims, decide, opts).replace(/~\s*GS\*/, '~DOEJANE*');
    let error: unknown;
    try {
      read835(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(X12ParseError);
    const e = error as X12ParseError;
    expect(e.segmentIndex).toBe(2);
    expect(e.segmentId).toBeUndefined();
    expect(`${e.message} ${JSON.stringify(e)}`).not.toContain('DOEJANE');
    // A real segment id is still named.
    expect(() => read835(build835ForTest(claims, decide, opts).replace(/SE\*\d+\*/, 'SE*3*'))).toThrow(/segment \d+ SE\)/);
  });

  it('reads the same 835 without line breaks and with CRLF line breaks', () => {
    const { claims, decide } = scenario();
    const flat = build835ForTest(claims, decide, { ...opts, lineBreaks: false });
    expect(flat).not.toContain('\n');
    const crlf = flat.replace(/~/g, '~\r\n');
    expect(read835(flat)).toEqual(read835(build835ForTest(claims, decide, opts)));
    expect(read835(crlf)).toEqual(read835(flat));
  });

  it('rejects text that is not an 835 interchange', () => {
    expect(() => read835('hello')).toThrow(X12ParseError);
    const { claims, decide } = scenario();
    expect(() => read835(build835ForTest(claims, decide, opts).replace('IEA*1*', 'IEA*2*'))).toThrow(/IEA01/);
  });
});

describe('835 to ClaimResponse', () => {
  it('produces ClaimResponses that pass both FHIR validators and point back to the Claim', () => {
    const { claims, decide } = scenario();
    const [r] = read835(build835ForTest(claims, decide, opts));
    const responses = remittanceToClaimResponses(r!, claims.map((c) => c.claim));
    expect(responses).toHaveLength(3);
    for (const cr of responses) expect(validationProblems(cr)).toEqual([]);
    const cr = responses[1]!;
    expect(cr.request).toEqual({ reference: 'Claim/claim-PCN2' });
    expect(cr.patient).toEqual({ reference: 'Patient/pat1' });
    expect(cr.outcome).toBe('complete');
    expect(cr.item!.map((i) => i.itemSequence)).toEqual([1, 2]);
    const denied = cr.item![1]!.adjudication;
    expect(denied.find((a) => a.reason?.coding?.[0]?.system === CARC_SYSTEM)?.reason?.coding?.[0]?.code).toBe('197');
    expect(denied.find((a) => a.reason?.coding?.[0]?.system === RARC_SYSTEM)?.reason?.coding?.[0]?.code).toBe('N130');
    expect(denied.find((a) => a.category.coding?.[0]?.code === 'benefit')?.amount?.value).toBe(0);
    expect(cr.payment).toMatchObject({ amount: { value: 48, currency: 'USD' }, date: '2025-01-20', identifier: { value: 'EFT0001' } });
    expect(cr.total?.map((t) => [t.category.coding?.[0]?.code, t.amount.value])).toEqual([
      ['submitted', 105],
      ['benefit', 48],
    ]);
  });

  it('maps lines without a known Claim by their numeric REF*6R, and still validates', () => {
    const { claims, decide } = scenario();
    const [r] = read835(build835ForTest(claims, decide, opts));
    const cr = toClaimResponse(r!.claims[2]!, r!, { id: 'cr-3' });
    expect(validationProblems(cr)).toEqual([]);
    expect(cr.item!.map((i) => i.itemSequence)).toEqual([1, 2]);
    expect(cr.patient.identifier?.value).toBeDefined();
  });
});

describe('reconciliation', () => {
  it('matches every billed line and explains the outcome in words', () => {
    const { claims, decide } = scenario();
    const [r] = read835(build835ForTest(claims, decide, opts));
    const report = reconcile(claims, r!);
    expect(report.lines.map((l) => [l.patientControlNumber, l.itemSequence, l.outcome, l.billed, l.paid, l.balanced])).toEqual([
      ['PCN1', 1, 'paid', 60, 60, true],
      ['PCN2', 1, 'paid', 60, 48, true],
      ['PCN2', 2, 'denied', 45, 0, true],
      ['PCN3', 1, 'adjusted', 30, 25, true],
      ['PCN3', 2, 'denied', 15, 0, true],
    ]);
    expect(report.lines[2]!.explanation).toBe(
      'Denied: nothing paid of $45.00; $45.00 contractual obligation: Prior authorization, precertification or notification missing (CO-197).',
    );
    expect(report.lines[3]!.explanation).toBe('Paid $25.00 of $30.00; $5.00 patient responsibility: Co-payment (PR-3).');
    expect(report.lines[3]!.patientResponsibility).toBe(5);
    expect(report.lines[4]!.remarks).toEqual([{ code: 'N362', text: 'Days or units of service exceed the payer maximum' }]);
    expect(report.claimsWithoutRemittance).toEqual([]);
    expect(report.remittanceClaimsWithoutClaim).toEqual([]);
    expect(report.totals).toEqual({ billed: 210, paid: 133, adjusted: 77, patientResponsibility: 5, providerAdjustments: 0, payment: 133, unaccounted: 0 });
    expect(report.claimsMatched).toBe(3);
  });

  it('flags billed lines and claims the remittance does not mention as unmatched', () => {
    const { claims, decide } = scenario();
    const [r] = read835(build835ForTest(claims.slice(0, 2), decide, opts));
    const extra = input({ pcn: 'PCN9' });
    // the payer only answered the first line of PCN2
    const trimmed = { ...r!, claims: r!.claims.map((c) => (c.patientControlNumber === 'PCN2' ? { ...c, lines: c.lines.slice(0, 1) } : c)) };
    const report = reconcile([...claims.slice(0, 2), extra], trimmed);
    expect(report.lines.filter((l) => l.outcome === 'unmatched').map((l) => [l.patientControlNumber, l.itemSequence])).toEqual([['PCN2', 2]]);
    expect(report.claimsWithoutRemittance).toEqual(['PCN9']);
  });
});

describe('835 with several payments and a reversal', () => {
  /**
   * Two ST..SE in one GS: the original payment, then a reversal (CLP02 22) with nothing to pay it from, carried
   * forward by a negative PLB FB so that BPR02 = ΣCLP04 − ΣPLB = −60 − (−60) = 0.
   */
  function twoPayments(): { text: string; claims: X12ClaimInput[] } {
    const claims = [input({ pcn: 'PCN7' })];
    const first = build835ForTest(claims, () => ({ kind: 'paid' }), opts);
    const lines = first.trim().split('~\n');
    const st = lines.findIndex((l) => l.startsWith('ST*'));
    const se = lines.findIndex((l) => l.startsWith('SE*'));
    const body = lines.slice(st, se + 1);
    const second = body.flatMap((l) =>
      l.startsWith('SE*')
        ? ['PLB*1234567893*20250120*FB:ICN1*-60', l.replace(/^SE\*(\d+)\*0001/, (_m, n: string) => `SE*${Number(n) + 1}*0002`)]
        : [
            l
              .replace(/^ST\*835\*0001/, 'ST*835*0002')
              .replace(/^TRN\*1\*EFT0001/, 'TRN*1*EFT0002')
              .replace(/^BPR\*I\*60\*C\*CHK\*/, 'BPR*H*0*C*NON*')
              .replace(/^CLP\*PCN7\*1\*60\*60\*/, 'CLP*PCN7*22*-60*-60*')
              .replace(/^SVC\*(HC:H0038:HF)\*60\*60\*/, 'SVC*$1*-60*-60*'),
          ],
    );
    const text = [...lines.slice(0, se + 1), ...second, 'GE*2*9', lines.at(-1)!].join('~\n') + '~\n';
    return { text, claims };
  }

  it('reads one Remittance per ST..SE and checks GE01 against them', () => {
    const { text } = twoPayments();
    const rs = read835(text);
    expect(rs.map((r) => [r.transactionControlNumber, r.trace.number, r.claims[0]!.status])).toEqual([
      ['0001', 'EFT0001', '1'],
      ['0002', 'EFT0002', '22'],
    ]);
    expect(() => read835(text.replace('GE*2*9', 'GE*1*9'))).toThrow(/GE01/);
  });

  it('reconciles the reversal as reversed, with a ClaimResponse that still validates', () => {
    const { text, claims } = twoPayments();
    const rs = read835(text);
    const report = reconcile(claims, rs);
    expect(report.lines.map((l) => [l.outcome, l.paid])).toEqual([
      ['paid', 60],
      ['reversed', -60],
    ]);
    expect(report.lines[1]!.explanation).toBe('Reversal of a previous payment: $60.00 taken back.');
    const cr = toClaimResponse(rs[1]!.claims[0]!, rs[1]!, { claim: claims[0]!.claim });
    expect(cr.outcome).toBe('complete');
    expect(validationProblems(cr)).toEqual([]);
  });
});

describe('matching a remittance to its Claim', () => {
  it('refuses a CLM01 the payer could not return as given (a delimiter or a non-ASCII letter), instead of rewriting it', () => {
    for (const pcn of ['ORG:P-1:2025-01', 'SYNÑ123']) {
      expect(() => build835ForTest([input({ pcn })], () => ({ kind: 'paid' }), opts)).toThrow(/CLM01 patient control number.*never rewritten/);
    }
  });

  it('finds the Claim of an upper-cased CLP01 (payers may return CLM01 upper-cased)', () => {
    const c = input({ pcn: 'org-p1-2025-01' });
    const [r] = read835(build835ForTest([c], () => ({ kind: 'paid' }), opts).replace('CLP*org-p1-2025-01*', 'CLP*ORG-P1-2025-01*'));
    expect(r!.claims[0]!.patientControlNumber).toBe('ORG-P1-2025-01');
    const report = reconcile([c.claim], r!);
    expect(report.claimsWithoutRemittance).toEqual([]);
    expect(report.lines.map((l) => [l.itemSequence, l.outcome])).toEqual([[1, 'paid']]);
    expect(remittanceToClaimResponses(r!, [c.claim])[0]!.request).toBeDefined();
  });
});
