/**
 * 999 and 277CA readers, on fixtures written for this project from the TR3s (005010X231A1, 005010X214): accepted,
 * partially accepted and rejected, mapped back to the claims sent.
 */
import { describe, expect, it } from 'vitest';
import { validationProblems } from '../../../test/support/validators.js';
import { claimStatusToClaimResponses, read277, read999, submitted837Transactions, X12VersionError } from '../src/index.js';
import { input } from './fixtures.js';
import { ACCEPTED_277, ACCEPTED_999, PARTIAL_277, PARTIAL_999, REJECTED_277, REJECTED_999, SENT } from './fixtures-ack.js';

describe('999 implementation acknowledgment', () => {
  const sent = submitted837Transactions(SENT);
  const claimsOf = (text: string, accepted: boolean) =>
    read999(text).flatMap((g) =>
      g.transactions.filter((t) => t.accepted === accepted).flatMap((t) => sent.find((s) => s.groupControlNumber === g.groupControlNumber && s.controlNumber === t.controlNumber)?.patientControlNumbers ?? []),
    );

  it('lists the claims of each 837 transaction set', () => {
    expect(sent.map((s) => [s.groupControlNumber, s.controlNumber, s.patientControlNumbers])).toEqual([
      ['17', '0001', ['PCN1', 'PCN2']],
      ['17', '0002', ['PCN3']],
    ]);
  });

  it('maps accepted, partially accepted and rejected 999s to the claims sent', () => {
    expect([claimsOf(ACCEPTED_999, true), claimsOf(ACCEPTED_999, false)]).toEqual([['PCN1', 'PCN2', 'PCN3'], []]);
    expect([claimsOf(PARTIAL_999, true), claimsOf(PARTIAL_999, false)]).toEqual([['PCN1', 'PCN2'], ['PCN3']]);
    expect([claimsOf(REJECTED_999, true), claimsOf(REJECTED_999, false)]).toEqual([[], ['PCN1', 'PCN2', 'PCN3']]);
  });

  it('reads the group status, counts and the errors by segment, loop, element and code', () => {
    const [g] = read999(PARTIAL_999);
    expect(g).toMatchObject({ functionalIdentifier: 'HC', groupControlNumber: '17', version: '005010X222A1', status: 'P', included: 2, received: 2, acceptedCount: 1 });
    expect(g!.transactions[1]).toEqual({
      transactionSetId: '837',
      controlNumber: '0002',
      status: 'R',
      accepted: false,
      codes: ['5'],
      errors: [
        { segmentId: 'NM1', segmentPosition: 8, loop: '2010', code: '8' },
        { segmentId: 'NM1', segmentPosition: 8, loop: '2010', code: '7', elementPosition: 9, elementReference: '67' },
      ],
    });
  });

  it('refuses a 4010 997 or anything that is not a 5010 999', () => {
    expect(() => read999(ACCEPTED_999.replace('*00501*', '*00401*'))).toThrow(X12VersionError);
    expect(() => read999(ACCEPTED_999.replace('005010X231A1~', '004010X231~'))).toThrow(/GS08/);
  });
});

describe('277CA claim acknowledgment', () => {
  const claims = [input({ pcn: 'PCN1' }).claim, input({ pcn: 'PCN2' }).claim];

  it('maps accepted, partially accepted and rejected 277CAs to the claims sent (CLP01-style, ignoring case)', () => {
    const outcomes = (text: string) => read277(text).flatMap((r) => claimStatusToClaimResponses(r, claims, '2025-01-16').map((cr) => [cr.request?.reference, cr.outcome]));
    expect(outcomes(ACCEPTED_277)).toEqual([['Claim/claim-PCN1', 'queued'], ['Claim/claim-PCN2', 'queued']]);
    expect(outcomes(PARTIAL_277)).toEqual([['Claim/claim-PCN1', 'queued'], ['Claim/claim-PCN2', 'error']]);
    expect(outcomes(REJECTED_277)).toEqual([['Claim/claim-PCN1', 'error'], ['Claim/claim-PCN2', 'error']]);
  });

  it('reads the claim statuses, payer claim number and service date, and says why in words', () => {
    const [r] = read277(PARTIAL_277);
    expect(r).toMatchObject({ version: '005010X214', source: 'STATE MEDICAID' });
    expect(r!.claims).toEqual([
      { patientControlNumber: 'PCN1', payerClaimControlNumber: 'ICN9001', statuses: [{ category: 'A2', code: '20', entity: 'PR', date: '2025-01-16' }], chargeAmount: 60, serviceDate: '2025-01-14', outcome: 'accepted' },
      { patientControlNumber: 'pcn2', statuses: [{ category: 'A7', code: '164', entity: 'IL', date: '2025-01-16' }], chargeAmount: 60, serviceDate: '2025-01-14', outcome: 'rejected' },
    ]);
    const [, rejected] = claimStatusToClaimResponses(r!, claims);
    expect(rejected!.disposition).toBe('Rejected: Rejected for invalid information (A7, status code 164, entity IL)');
    for (const cr of claimStatusToClaimResponses(r!, claims)) expect(validationProblems(cr)).toEqual([]);
  });
});
