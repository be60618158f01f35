// Issue 20, acceptance 2 and 4 for claim status: a 277 (005010X212) per category maps to the right ClaimResponse, the
// one 277 reader streams one transaction set at a time, and a malformed file is a typed error by position.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimStatusStage, claimStatusToClaimResponses, claimsAwaitingStatus, read277, read277Stream, X12ParseError, type ClaimStatusReport } from '../src/index.js';
import { CATEGORIES_277, status277 } from './fixtures-ack.js';
import { input } from './fixtures.js';

const claims = ['PCN1', 'PCN2', 'PCN3', 'PCN4', 'PCN5', 'PCN6'].map((pcn) => ({ ...input({ pcn }).claim, created: '2025-02-01' }));

describe('277 claim status response (005010X212)', () => {
  it('reads CLM01 from REF*EJ, keeps the 276 trace, and ignores the service-line STC of 2220D', () => {
    const [r] = read277(CATEGORIES_277);
    expect(r!.version).toBe('005010X212');
    expect(r!.claims.map((c) => [c.patientControlNumber, c.trace, c.payerClaimControlNumber, c.statuses.length])).toEqual([
      ['PCN1', 'claim-PCN1', 'ICN1', 1], ['PCN2', 'claim-PCN2', 'ICN2', 1], ['PCN3', 'claim-PCN3', undefined, 1],
      ['PCN4', 'claim-PCN4', undefined, 1], ['PCN5', 'claim-PCN5', undefined, 1], ['PCN6', 'claim-PCN6', undefined, 1],
    ]);
  });

  it('maps each category to its stage, FHIR outcome and words (finalized paid/denied complete, pending and requests queued, rejections error)', () => {
    const [r] = read277(CATEGORIES_277);
    const crs = claimStatusToClaimResponses(r!, claims, '2025-04-01');
    expect(crs.map((cr) => [cr.request?.reference, cr.outcome, cr.disposition])).toEqual([
      ['Claim/claim-PCN1', 'complete', 'Finalized: Finalized: payment (F1, status code 65)'],
      ['Claim/claim-PCN2', 'complete', 'Denied: Finalized: denial (F2, status code 88)'],
      ['Claim/claim-PCN3', 'queued', 'Pending: Pending: in process (P1, status code 20)'],
      ['Claim/claim-PCN4', 'queued', 'Request for information: Request for additional information: documentation (R4, status code 21)'],
      ['Claim/claim-PCN5', 'error', 'Rejected: Rejected for invalid information (A7, status code 164, entity IL)'],
      ['Claim/claim-PCN6', 'error', 'Rejected: Response not possible: error on the submitted request (E0, status code 0)'],
    ]);
    // a finalized answer is final: the claim is no longer asked about; pending and requests still are
    const aged = claimsAwaitingStatus(claims, crs, { asOf: '2025-04-02', olderThanDays: 30 });
    expect(aged.map((c) => c.id)).toEqual(['claim-PCN3', 'claim-PCN4']);
  });

  it('gives every category code of list 507 exactly one stage', () => {
    const stages = Object.fromEntries(['A1', 'A2', 'A3', 'A4', 'A6', 'A7', 'A8', 'E0', 'E4', 'F0', 'F1', 'F2', 'F3F', 'F4', 'P0', 'P5', 'R0', 'R16'].map((c) => [c, claimStatusStage(c)]));
    expect(stages).toEqual({
      A1: 'acknowledged', A2: 'acknowledged', A3: 'rejected', A4: 'rejected', A6: 'rejected', A7: 'rejected', A8: 'rejected', E0: 'rejected', E4: 'rejected',
      F0: 'finalized', F1: 'finalized', F2: 'denied', F3F: 'finalized', F4: 'finalized', P0: 'pending', P5: 'pending', R0: 'information-requested', R16: 'information-requested',
    });
  });
});

describe('read277Stream', () => {
  const two = CATEGORIES_277.replace('GE*1*77', 'ST*277*0002*005010X212~\nBHT*0010*08*B*20250401*1200*DG~\nHL*1**20*1~\nNM1*PR*2*STATE MEDICAID*****PI*GAMCD~\nSE*5*0002~\nGE*2*77');

  it('yields the same reports as read277 for any chunking of the file', async () => {
    const whole = read277(two);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }), async (cuts) => {
        const chunks: string[] = [];
        let at = 0;
        for (const n of cuts) chunks.push(two.slice(at, (at += n)));
        chunks.push(two.slice(at));
        const got: ClaimStatusReport[] = [];
        for await (const r of read277Stream(chunks.map((c) => new TextEncoder().encode(c)))) got.push(r);
        expect(got).toEqual(whole);
      }),
      { numRuns: 40 },
    );
  });

  it('hands out the first transaction set before reading the second', async () => {
    const [first, second] = [two.slice(0, two.indexOf('ST*277*0002')), two.slice(two.indexOf('ST*277*0002'))];
    let pulled = 0;
    async function* source() {
      pulled++;
      yield first!;
      pulled++;
      yield second!;
    }
    const it = read277Stream(source());
    const a = await it.next();
    expect(a.value?.transactionControlNumber).toBe('0001');
    expect(pulled).toBe(1);
    expect((await it.next()).value?.transactionControlNumber).toBe('0002');
  });
});

describe('malformed 277', () => {
  const secret = 'ZQXSECRETNAME';
  it.each([
    ['a wrong SE01 count', CATEGORIES_277.replace(/SE\*\d+\*0001/, 'SE*3*0001'), /SE01 segment count does not match \(segment \d+ SE\)/],
    ['a file cut inside a transaction set', CATEGORIES_277.slice(0, CATEGORIES_277.indexOf('SE*')), /ended inside a transaction set/],
    ['a 277 of another version', CATEGORIES_277.replace('*005010X212~\nST', '*004010X093~\nST'), /GS08/],
    ['a non-numeric STC04', status277([{ trace: 't', pcn: 'P', stc: `STC*P1:20*20250401**${secret}` }]), /STC04 is not a monetary amount \(segment 14 STC\)/],
  ])('refuses %s with an X12ParseError naming the position, never a value', async (_name, text, message) => {
    expect(() => read277(text.replace('DOE', secret))).toThrow(X12ParseError);
    expect(() => read277(text.replace('DOE', secret))).toThrow(message);
    const err = await (async () => {
      try {
        for await (const _ of read277Stream([text.replace('DOE', secret)])) void _;
      } catch (e) {
        return e as X12ParseError;
      }
    })();
    expect(err).toBeInstanceOf(X12ParseError);
    expect(`${err!.message} ${JSON.stringify(err!.details)}`).not.toContain(secret);
  });
});
