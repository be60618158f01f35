import { describe, expect, it } from 'vitest';
import { eligibilityVerdict, read271, write270, type EligibilityInquiryInput } from '@peer-fhir/x12';
import { answer270 } from '../src/index.js';

const member = (id: string, trace: string): EligibilityInquiryInput => ({
  request: { resourceType: 'CoverageEligibilityRequest', id: trace, status: 'active', purpose: ['validation'], patient: { reference: 'Patient/x' }, created: '2025-03-01', insurer: { reference: 'Organization/p' }, servicedDate: '2025-03-03' },
  patient: { resourceType: 'Patient', name: [{ family: 'Synthetic', given: ['Person'] }], birthDate: '1990-01-01', gender: 'male' },
  coverage: { resourceType: 'Coverage', status: 'active', subscriberId: id, beneficiary: { reference: 'Patient/x' }, payor: [{ reference: 'Organization/p' }] },
  payer: { resourceType: 'Organization', name: 'Synthetic Medicaid', identifier: [{ value: 'SYNMCD' }] },
  provider: { resourceType: 'Organization', name: 'Synthetic Agency', identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }, { system: 'urn:oid:2.16.840.1.113883.4.4', value: '123456789' }] },
});

describe('answer270 (test-only 271 builder)', () => {
  it('answers every member of a roster 270 with the 271 the test asks for, readable by the SDK reader', () => {
    const text270 = write270([member('M1', 'T1'), member('M2', 'T2'), member('M3', 'T3'), member('M4', 'T4')], {
      sender: { id: 'AGENCY' }, receiver: { id: 'PAYER' }, controlNumbers: { isa: 1, gs: 1 }, usage: 'T',
    });
    const text271 = answer270(text270, {
      decide: (m) =>
        m.memberId === 'M2' ? { kind: 'inactive', endedOn: '20250131' }
        : m.memberId === 'M3' ? { kind: 'managed-care', name: 'SYNTHETIC MCO', payerId: 'SYNMCO' }
        : m.memberId === 'M4' ? { kind: 'rejected', code: '75' }
        : { kind: 'active' },
    });
    const [set] = read271(text271);
    expect(set!.subscribers.map((s) => s.traces[0])).toEqual(['T1', 'T2', 'T3', 'T4']);
    expect(set!.subscribers.map((s) => eligibilityVerdict(set!, s).status)).toEqual(['active', 'inactive', 'other-payer', 'rejected']);
  });
});
