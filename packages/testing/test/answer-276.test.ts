import { describe, expect, it } from 'vitest';
import type { Claim, Coverage, Organization, Patient } from 'fhir/r4.js';
import { claimStatusToClaimResponses, read277, write276, type ClaimStatusInquiryInput } from '@peer-fhir/x12';
import { parseX12Independently } from '../../../test/support/x12-parser.js';
import { answer276 } from '../src/index.js';

const subscriber: Patient = { resourceType: 'Patient', name: [{ family: 'Synthetic', given: ['Person'] }], birthDate: '1990-01-01', gender: 'male' };
const coverage: Coverage = { resourceType: 'Coverage', status: 'active', subscriberId: 'M1', beneficiary: { reference: 'Patient/x' }, payor: [{ reference: 'Organization/p' }] };
const payer: Organization = { resourceType: 'Organization', name: 'Synthetic Medicaid', identifier: [{ value: 'SYNMCD' }] };
const billingProvider: Organization = { resourceType: 'Organization', name: 'Synthetic Agency', identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }] };
const claim = (pcn: string): Claim => ({
  resourceType: 'Claim', id: `c-${pcn}`, status: 'active', use: 'claim', created: '2025-02-01', identifier: [{ value: pcn }],
  type: { coding: [{ code: 'professional' }] }, patient: { reference: 'Patient/x' }, provider: { reference: 'Organization/a' },
  priority: { coding: [{ code: 'normal' }] }, insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/c' } }],
  item: [{ sequence: 1, productOrService: { coding: [{ code: 'H0038' }] }, servicedDate: '2025-01-14' }], total: { value: 60, currency: 'USD' },
});
const inquiry = (pcn: string): ClaimStatusInquiryInput => ({ claim: claim(pcn), subscriber, coverage, payer, billingProvider });

describe('answer276 (test-only 277 builder)', () => {
  it('answers every claim of a 276 with the status the test asks for, readable by the SDK reader and by x12-parser', async () => {
    const text276 = write276([inquiry('PCN-1'), inquiry('PCN-2'), inquiry('PCN-3')], { sender: { id: 'AGENCY' }, receiver: { id: 'PAYER' }, controlNumbers: { isa: 1, gs: 1 }, usage: 'T', submitter: { name: 'Synthetic Agency' } });
    const text277 = answer276(text276, {
      decide: (c) => (c.patientControlNumber === 'PCN-1' ? { category: 'F1', code: '65', payerClaimControlNumber: 'ICN1' } : c.patientControlNumber === 'PCN-2' ? { category: 'F2', code: '88' } : { category: 'R4', code: '21' }),
    });
    const [report] = read277(text277);
    expect(report!.version).toBe('005010X212');
    expect(report!.claims.map((c) => [c.patientControlNumber, c.trace, c.statuses[0]?.category, c.payerClaimControlNumber])).toEqual([
      ['PCN-1', 'c-PCN-1', 'F1', 'ICN1'], ['PCN-2', 'c-PCN-2', 'F2', undefined], ['PCN-3', 'c-PCN-3', 'R4', undefined],
    ]);
    const outcomes = claimStatusToClaimResponses(report!, [claim('PCN-1'), claim('PCN-2'), claim('PCN-3')]).map((r) => [r.request?.reference, r.outcome]);
    expect(outcomes).toEqual([['Claim/c-PCN-1', 'complete'], ['Claim/c-PCN-2', 'complete'], ['Claim/c-PCN-3', 'queued']]);
    const segs = await parseX12Independently(text277);
    expect(segs.filter((s) => s.name === 'STC')).toHaveLength(3);
    const se = segs.find((s) => s.name === 'SE') as unknown as Record<string, string>;
    expect(Number(se['1'])).toBe(segs.findIndex((s) => s.name === 'SE') - segs.findIndex((s) => s.name === 'ST') + 1);
  });
});
