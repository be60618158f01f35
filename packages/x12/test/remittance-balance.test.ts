/**
 * Money that balances (005010X221A1 1.10.2.1): every dollar of an 835 lands on a claim or a PLB line, the stored
 * ClaimResponses + PaymentReconciliation sum to BPR02 to the cent, and a file that does not balance, or has an amount
 * that is not a number, or is not 5010, is refused whole with a typed error that names a position, never a value.
 */
import fc from 'fast-check';
import type { ClaimResponse, PaymentReconciliation } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { validationProblems } from '../../../test/support/validators.js';
import {
  read835,
  reconcile,
  remittanceToClaimResponses,
  toPaymentReconciliation,
  X12AmountError,
  X12ParseError,
  X12UnbalancedError,
  X12VersionError,
  REMITTANCE_CLAIM_SYSTEM,
  type Remittance,
} from '../src/index.js';
import { billedClaims, interchange, PAYMENT_1, PAYMENT_2, PAYMENT_3, THREE_PAYMENTS, type Transaction } from './fixtures-835.js';

/**
 * R4 ClaimResponse has a header-level `adjudication` (a contentReference to item.adjudication, where claim-level CAS
 * belong); the `fhir` package 4.12.0's model omits contentReference elements at the root and calls it unexpected.
 * Medplum's validator, which reads the published StructureDefinitions, still checks it.
 */
const notLantanaRootAdjudication = (p: string) => !/^ClaimResponse fhir: ClaimResponse\.adjudication Unexpected property$/.test(p);
const cents = (v: number | undefined) => Math.round((v ?? 0) * 100);
const sumCents = (xs: readonly (number | undefined)[]) => xs.reduce<number>((s, x) => s + cents(x), 0);

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** What `remit` stores for one 835: ClaimResponses and a PaymentReconciliation whose details point at them. */
function stored(r: Remittance): { responses: ClaimResponse[]; payment: PaymentReconciliation } {
  const responses = remittanceToClaimResponses(r, billedClaims());
  const payment = toPaymentReconciliation(r, { claims: billedClaims(), claimResponses: responses.map((_, i) => ({ reference: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}` })) });
  return { responses, payment };
}

/** The balance the issue asks for: responses + PLB details = BPR02, to the cent. */
function expectBalanced(r: Remittance): void {
  const { responses, payment } = stored(r);
  const bpr = (r.payment.creditDebit === 'D' ? -1 : 1) * cents(r.payment.amount);
  const claimMoney = sumCents(responses.map((cr) => cr.payment?.amount?.value));
  const plbDetails = (payment.detail ?? []).filter((d) => d.type.coding?.[0]?.code === 'adjustment');
  expect(claimMoney + sumCents(plbDetails.map((d) => d.amount?.value))).toBe(bpr);
  expect(sumCents((payment.detail ?? []).map((d) => d.amount?.value))).toBe(bpr);
  expect(cents(payment.paymentAmount.value)).toBe(bpr);
  // every claim payment is one detail, and every PLB pair is one detail
  expect(payment.detail?.length ?? 0).toBe(r.claims.length + r.providerAdjustments.length);
}

describe('835 shapes written from the TR3 (several ST..SE in one ISA)', () => {
  const remittances = read835(THREE_PAYMENTS);

  it('reads one Remittance per ST..SE with its PLB lines', () => {
    expect(remittances.map((r) => [r.trace.number, r.payment.amount, r.claims.length])).toEqual([
      ['EFT1001', 2191.84, 5],
      ['CHK2002', 150, 1],
      ['NON3003', 0, 1],
    ]);
    expect(remittances[0]!.providerAdjustments).toEqual([
      { providerId: '1234567893', fiscalPeriodDate: '2025-12-31', reason: 'WO', reference: 'ICN0999', amount: 75.5 },
      { providerId: '1234567893', fiscalPeriodDate: '2025-12-31', reason: 'L6', amount: -12.34 },
      { providerId: '1234567893', fiscalPeriodDate: '2025-12-31', reason: '50', amount: 10 },
    ]);
    expect(remittances[0]!.providerAdjustmentTotal).toBe(73.16);
    expect(remittances[2]!.providerAdjustments).toEqual([{ providerId: '1234567893', fiscalPeriodDate: '2025-12-31', reason: 'FB', reference: 'ICN1600', amount: -120 }]);
  });

  it('stores ClaimResponses and a PaymentReconciliation per payment that sum to BPR02 to the cent', () => {
    for (const r of remittances) {
      expectBalanced(r);
      const { responses, payment } = stored(r);
      for (const res of [...responses, payment]) expect(validationProblems(res).filter(notLantanaRootAdjudication)).toEqual([]);
    }
  });

  it('keeps a reversal (CLP02 22) and its correction as two ClaimResponses with different keys', () => {
    const responses = remittanceToClaimResponses(remittances[0]!, billedClaims()).filter((cr) => cr.request?.reference === 'Claim/claim-pc1004');
    expect(responses.map((cr) => [cr.disposition, cr.payment?.amount?.value])).toEqual([
      ['Reversal of previous payment', -300],
      ['Processed as primary', 270],
    ]);
    const keys = responses.map((cr) => cr.identifier?.find((i) => i.system === REMITTANCE_CLAIM_SYSTEM)?.value);
    expect(new Set(keys).size).toBe(2);
    // reading the same file again gives the same keys (conditional creates store nothing twice)
    const again = remittanceToClaimResponses(read835(THREE_PAYMENTS)[0]!, billedClaims()).filter((cr) => cr.request?.reference === 'Claim/claim-pc1004');
    expect(again.map((cr) => cr.identifier)).toEqual(responses.map((cr) => cr.identifier));
  });

  it('reconciles claim-level CAS, claim-level payments, reversals and PLB so that paid − PLB = BPR02', () => {
    const report = reconcile(billedClaims(), remittances);
    expect(cents(report.totals.paid) - cents(report.totals.providerAdjustments)).toBe(cents(report.totals.payment));
    expect(report.totals.payment).toBe(2341.84);
    expect(sumCents(report.lines.map((l) => l.paid))).toBe(cents(report.totals.paid));
    // claim-level CAS: the claim paid $945, not the $1,050 its lines carry
    const pc1001 = report.lines.filter((l) => l.patientControlNumber === 'PC1001');
    expect(sumCents(pc1001.map((l) => l.paid))).toBe(94500);
    const claimLevel = pc1001.find((l) => l.level === 'claim')!;
    expect(claimLevel.adjustments.map((a) => `${a.group}-${a.reason}`)).toEqual(['CO-B4']);
    expect(claimLevel.explanation).toContain('-$105.00');
    // a claim paid without service lines is paid, on the claim, with its encounters and first date of service
    const pc1002 = report.lines.filter((l) => l.patientControlNumber === 'PC1002');
    expect(pc1002.map((l) => [l.level, l.outcome, l.paid, l.encounters, l.serviceDate])).toEqual([
      ['claim', 'paid', 1350, ['enc-1002-a', 'enc-1002-b'], '2025-11-03'],
    ]);
    // CLP02 4 is a denial on the claim
    expect(report.lines.filter((l) => l.patientControlNumber === 'PC1003').map((l) => [l.level, l.outcome, l.paid])).toEqual([['claim', 'denied', 0]]);
    // reversal + correction both land
    expect(report.lines.filter((l) => l.patientControlNumber === 'PC1004').map((l) => [l.outcome, l.paid, l.encounters, l.serviceDate])).toEqual([
      ['reversed', -300, ['enc-1004'], '2025-10-20'],
      ['paid', 270, ['enc-1004'], '2025-10-20'],
    ]);
    // every line names its encounter and date of service
    for (const l of report.lines.filter((x) => x.level === 'line' && x.outcome !== 'unmatched')) {
      expect(l.encounters.length).toBe(1);
      expect(l.serviceDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(report.providerAdjustments.map((a) => [a.reason, a.reasonText, a.amount])).toEqual([
      ['WO', 'Overpayment recovery', 75.5],
      ['L6', 'Interest owed', -12.34],
      ['50', 'Late charge', 10],
      ['FB', 'Forwarding balance', -120],
    ]);
    // PC1006 was not billed here: its money is unaccounted for, and it is listed
    expect(report.remittanceClaimsWithoutClaim).toEqual(['PC1006']);
    expect(report.totals.unaccounted).toBe(-120);
    expect(report.claimsMatched).toBe(6);
  });

  it('matches CLP01 to CLM01 ignoring case (payers may upper-case it)', () => {
    const claims = billedClaims().map((c) => ({ ...c, identifier: [{ ...c.identifier![0]!, value: c.identifier![0]!.value!.toLowerCase() }] }));
    const report = reconcile(claims, remittances);
    expect(report.remittanceClaimsWithoutClaim).toEqual(['PC1006']);
    expect(report.claimsWithoutRemittance).toEqual([]);
  });
});

describe('refusing a file whole', () => {
  it('refuses a non-numeric amount with the segment position and element, never the value', () => {
    const text = interchange([PAYMENT_2.map((s) => s.replace('CLP*PC1005*1*180*150*', 'CLP*PC1005*1*180*Zyx150*'))]);
    const e = errorOf(() => read835(text));
    expect(e).toBeInstanceOf(X12AmountError);
    expect(e).toBeInstanceOf(X12ParseError);
    const err = e as X12AmountError;
    expect(err.code).toBe('x12.amount-invalid');
    expect(err.element).toBe('CLP04');
    expect(err.segmentId).toBe('CLP');
    expect(err.segmentIndex).toBe(3 + PAYMENT_2.indexOf('CLP*PC1005*1*180*150*30*MC*ICN2005*11*1') + 1);
    expect(`${err.message} ${JSON.stringify(err.details)}`).not.toMatch(/Zyx|PC1005|150/);
  });

  it('refuses units that are not numbers, and amounts with fractions of a cent', () => {
    expect(errorOf(() => read835(interchange([PAYMENT_2.map((s) => s.replace('SVC*HC:H0038:HQ*180*150**3', 'SVC*HC:H0038:HQ*180*150**three'))])))).toMatchObject({ element: 'SVC05' });
    expect(errorOf(() => read835(interchange([PAYMENT_2.map((s) => s.replace('CAS*PR*3*30', 'CAS*PR*3*30.001'))])))).toMatchObject({ element: 'CAS03', code: 'x12.amount-invalid' });
  });

  it('refuses a file whose BPR02 is not ΣCLP04 − ΣPLB', () => {
    const text = interchange([PAYMENT_1.map((s) => s.replace('BPR*I*2191.84*', 'BPR*I*2191.85*'))]);
    const e = errorOf(() => read835(text)) as X12UnbalancedError;
    expect(e).toBeInstanceOf(X12UnbalancedError);
    expect(e).toMatchObject({ code: 'x12.835-unbalanced', rule: 'transaction', segmentId: 'BPR', segmentIndex: 4 });
    expect(e.message).not.toContain('2191');
  });

  it('refuses a claim whose CAS do not explain CLP03 − CLP04, and a line whose CAS do not explain SVC02 − SVC03', () => {
    expect(errorOf(() => read835(interchange([PAYMENT_1.map((s) => s.replace('CAS*CO*B4*105', 'CAS*CO*B4*100'))])))).toMatchObject({ rule: 'claim', segmentId: 'CLP' });
    expect(errorOf(() => read835(interchange([PAYMENT_2.map((s) => s.replace('CAS*PR*3*30', 'CAS*PR*3*20'))])))).toMatchObject({ rule: 'line', segmentId: 'SVC' });
  });

  it('refuses a 4010 835 instead of reading it as 5010', () => {
    const e = errorOf(() => read835(interchange([PAYMENT_2], { isaVersion: '00401', gsVersion: '004010X091A1' })));
    expect(e).toBeInstanceOf(X12VersionError);
    expect(e).toMatchObject({ code: 'x12.version-unsupported', element: 'ISA12' });
    expect(errorOf(() => read835(interchange([PAYMENT_2], { gsVersion: '004010X091A1' })))).toMatchObject({ element: 'GS08' });
  });
});

/** A random, balanced 835 transaction built from cents: claims with or without lines, claim CAS, PLB. */
const arbTransaction = fc
  .record({
    claims: fc.array(
      fc.record({
        status: fc.constantFrom('1', '2', '4', '22'),
        lines: fc.array(fc.record({ paid: fc.integer({ min: 0, max: 500_000 }), adj: fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 3 }) }), { maxLength: 4 }),
        claimAdj: fc.array(fc.integer({ min: -50_000, max: 100_000 }).filter((n) => n !== 0), { maxLength: 2 }),
        paidWithoutLines: fc.integer({ min: 0, max: 900_000 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    plb: fc.array(fc.record({ reason: fc.constantFrom('WO', 'L6', '50', 'FB', 'CS'), amount: fc.integer({ min: -50_000, max: 50_000 }).filter((n) => n !== 0) }), { maxLength: 4 }),
  })
  .map(({ claims, plb }) => {
    const money = (c: number) => (c / 100).toFixed(2);
    const segs: string[] = [];
    let clpTotal = 0;
    claims.forEach((c, i) => {
      const sign = c.status === '22' ? -1 : 1;
      const lines = c.lines.map((l) => ({ paid: sign * l.paid, adj: l.adj.map((a) => sign * a) }));
      const lineCharge = lines.map((l) => l.paid + l.adj.reduce((s, a) => s + a, 0));
      const linePaid = lines.reduce((s, l) => s + l.paid, 0);
      const claimAdj = c.claimAdj.map((a) => sign * a);
      const paid = lines.length ? linePaid : sign * c.paidWithoutLines;
      const charge = (lines.length ? lineCharge.reduce((s, x) => s + x, 0) : paid) + claimAdj.reduce((s, a) => s + a, 0);
      clpTotal += paid;
      segs.push(`CLP*P${i}*${c.status}*${money(charge)}*${money(paid)}**MC*ICN${i}*11*1`, `NM1*QC*1*DOE*J****MI*M${i}`);
      if (claimAdj.length) segs.push(`CAS*OA*${claimAdj.map((a) => `23*${money(a)}`).join('**')}`);
      lines.forEach((l, j) => {
        segs.push(`SVC*HC:H0038*${money(lineCharge[j]!)}*${money(l.paid)}**1`, 'DTM*472*20251201');
        if (l.adj.length) segs.push(`CAS*CO*${l.adj.map((a) => `45*${money(a)}`).join('**')}`);
        segs.push(`REF*6R*${j + 1}`);
      });
    });
    const plbTotal = plb.reduce((s, p) => s + p.amount, 0);
    if (plb.length) segs.push(`PLB*1234567893*20251231*${plb.map((p) => `${p.reason}*${money(p.amount)}`).join('*')}`);
    const bpr = clpTotal - plbTotal;
    const t: Transaction = [`BPR*${bpr === 0 ? 'H' : 'I'}*${money(Math.abs(bpr))}*${bpr < 0 ? 'D' : 'C'}*${bpr === 0 ? 'NON' : 'CHK'}************20251231`, 'TRN*1*T1*1999999999', 'N1*PR*PAYER', 'N1*PE*AGENCY*XX*1234567893', 'LX*1', ...segs];
    return { t, bpr, clpTotal, plbTotal };
  });

describe('money sums to the cent, for every balanced 835 (property)', () => {
  it('ClaimResponses + PaymentReconciliation + reconciliation all sum to BPR02', () => {
    fc.assert(
      fc.property(arbTransaction, ({ t, bpr, clpTotal, plbTotal }) => {
        const [r] = read835(interchange([t]));
        expectBalanced(r!);
        const report = reconcile([], r!);
        expect(cents(report.totals.paid)).toBe(clpTotal);
        expect(sumCents(report.lines.map((l) => l.paid))).toBe(clpTotal);
        expect(cents(report.totals.providerAdjustments)).toBe(plbTotal);
        expect(cents(report.totals.payment)).toBe(bpr);
        expect(report.lines.every((l) => l.balanced)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any change of one amount by any number of cents, naming no amount', () => {
    fc.assert(
      fc.property(arbTransaction, fc.nat(), fc.integer({ min: 1, max: 99_999 }), ({ t }, pick, delta) => {
        const text = interchange([t]);
        // every monetary element position of the transaction: BPR02, CLP03/04, SVC02/03, CAS amounts, PLB amounts
        const spots: [number, number][] = [];
        t.forEach((s, i) => {
          const el = s.split('*');
          const id = el[0]!;
          const idx = id === 'BPR' ? [2] : id === 'CLP' ? [3, 4] : id === 'SVC' ? [2, 3] : id === 'CAS' ? [3, 6, 9] : id === 'PLB' ? [4, 6, 8, 10] : [];
          for (const n of idx) if (el[n]) spots.push([i, n]);
        });
        const [si, n] = spots[pick % spots.length]!;
        const el = t[si]!.split('*');
        el[n] = (Math.round(Number(el[n]) * 100 + delta) / 100).toFixed(2);
        const broken = [...t];
        broken[si] = el.join('*');
        const e = errorOf(() => read835(interchange([broken])));
        expect(e).toBeInstanceOf(X12UnbalancedError);
        expect(text.length).toBeGreaterThan(0);
        expect((e as Error).message).not.toMatch(/\d+\.\d\d/);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses any non-numeric text in any amount with a typed error naming the element', () => {
    fc.assert(
      fc.property(arbTransaction, fc.nat(), fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/^-?(\d+(\.\d{0,2})?|\.\d{1,2})$/.test(s) && !/[*~:^\n]/.test(s)), ({ t }, pick, junk) => {
        const clps = t.map((s, i) => [s, i] as const).filter(([s]) => s.startsWith('CLP*'));
        const [s, i] = clps[pick % clps.length]!;
        const el = s.split('*');
        el[4] = junk;
        const broken = [...t];
        broken[i] = el.join('*');
        const e = errorOf(() => read835(interchange([broken])));
        expect(e).toBeInstanceOf(X12AmountError);
        expect(e).toMatchObject({ element: 'CLP04', segmentId: 'CLP' });
      }),
      { numRuns: 200 },
    );
  });
});
