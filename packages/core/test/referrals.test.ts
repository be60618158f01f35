import { describe, expect, it } from 'vitest';
import { validationProblems } from '../../../test/support/validators.js';
import { PeerFhirValidationError } from '../src/errors.js';
import { parseRecord } from '../src/validate.js';
import { assertTransition, Referral, referralBundle, referralFromFhir, ReferralTransitionError, referralToFhir, REFERRAL_TRANSITIONS, type ReferralStatus } from '../src/referrals/index.js';

const NS = 'https://ehr.example.org/ids';
const AGENCY = '1234567893';
const SCOPED = `${NS}/agency/${AGENCY}`;
const intoPeer = (overrides: Partial<Referral> = {}): Referral => ({
  id: 'ref-1',
  participantId: 'p-1',
  direction: 'into-peer-services',
  category: 'peer-support',
  requester: { npi: '1003000126', kind: 'practitioner' },
  performer: { name: 'Harbor Peer Agency', npi: '1234567893' },
  reason: 'Wants support in early recovery',
  status: 'requested',
  authoredOn: '2025-02-01T09:00:00-05:00',
  ...overrides,
});
const toHousing = (overrides: Partial<Referral> = {}): Referral =>
  intoPeer({ id: 'ref-2', direction: 'to-community-resource', category: 'housing', requester: { npi: '1245319599', kind: 'practitioner' }, performer: { name: 'Eastside Housing Coalition' }, ...overrides });

describe('Referral record', () => {
  it('requires the fulfilling encounter or procedure once completed, and only then', () => {
    const r = parseRecord(Referral, intoPeer({ status: 'completed' }), 'Referral');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toEqual([{ path: 'fulfilledBy', code: 'custom', message: 'a completed referral names the encounter or procedure that fulfilled it' }]);
    expect(parseRecord(Referral, intoPeer({ fulfilledBy: { kind: 'encounter', id: 'e-1' } }), 'Referral').ok).toBe(false);
  });
  it('keeps referrals into peer services in the peer-support category', () => {
    expect(() => referralToFhir(intoPeer({ category: 'food' }))).toThrow(PeerFhirValidationError);
  });
});

describe('status machine', () => {
  it('follows requested -> accepted -> in-progress -> completed', () => {
    expect(() => {
      assertTransition('requested', 'accepted');
      assertTransition('accepted', 'in-progress');
      assertTransition('in-progress', 'completed');
    }).not.toThrow();
  });
  it('never leaves a final status', () => {
    for (const from of ['completed', 'rejected', 'cancelled'] as ReferralStatus[]) {
      expect(REFERRAL_TRANSITIONS[from]).toEqual([]);
      expect(() => assertTransition(from, 'accepted')).toThrow(ReferralTransitionError);
    }
  });
  it('cannot complete a referral that was never accepted', () => {
    expect(() => assertTransition('requested', 'completed')).toThrow('a referral cannot go from requested to completed');
  });
});

describe('referral to FHIR', () => {
  it('writes a referral into peer services as a US Core ServiceRequest with SNOMED 461481000124109', () => {
    const { serviceRequest } = referralToFhir(intoPeer(), { namespace: NS, agency: AGENCY });
    expect(serviceRequest).toMatchObject({
      // Not SDOHCC-ServiceRequest: its rules do not hold for every referral (see ReferralProfiles).
      meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-servicerequest'] },
      status: 'active',
      intent: 'order',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '461481000124109' }] },
      subject: { identifier: { system: `${SCOPED}/participant`, value: 'p-1' } },
    });
    expect(serviceRequest.category?.map((c) => c.coding?.[0]?.code)).toEqual(['410606002', 'social-connection', 'peer-support']);
  });
  it('maps a community-resource referral to its SDOH domain', () => {
    const { serviceRequest, task } = referralToFhir(toHousing(), { namespace: NS, agency: AGENCY });
    expect(serviceRequest.category?.[1]?.coding?.[0]).toMatchObject({ system: 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes', code: 'housing-instability' });
    expect(task.owner).toEqual({ display: 'Eastside Housing Coalition' });
  });
  it('tracks state in the Task and links the fulfilling encounter as output once completed', () => {
    const { task } = referralToFhir(intoPeer({ status: 'completed', fulfilledBy: { kind: 'encounter', id: 'enc-9' } }), { namespace: NS, agency: AGENCY, resolved: { fulfilledBy: 'Encounter/77' } });
    expect(task).toMatchObject({
      status: 'completed',
      businessStatus: { coding: [{ code: 'completed' }] },
      intent: 'order',
      code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
      focus: { type: 'ServiceRequest', identifier: { system: `${SCOPED}/referral`, value: 'ref-1' } },
      output: [{ type: { coding: [{ code: 'resulting-activity' }] }, valueReference: { reference: 'Encounter/77', identifier: { system: `${SCOPED}/encounter`, value: 'enc-9' } } }],
    });
  });
  it.each<[string, Referral]>([
    ['requested, into peer services', intoPeer()],
    ['rejected, with a reason', intoPeer({ status: 'rejected', statusReason: 'Outside service area' })],
    ['completed by an encounter', intoPeer({ status: 'completed', fulfilledBy: { kind: 'encounter', id: 'enc-9' }, lastModified: '2025-03-01T10:00:00Z' })],
    ['completed by a procedure, community resource', toHousing({ status: 'completed', fulfilledBy: { kind: 'procedure', id: 'proc-1' } })],
  ])('%s: passes both validators and reads back to the same record', (_name, referral) => {
    const { serviceRequest, task } = referralToFhir(referral, { namespace: NS, agency: AGENCY });
    expect(validationProblems(serviceRequest)).toEqual([]);
    expect(validationProblems(task)).toEqual([]);
    expect(referralFromFhir(serviceRequest, task, { namespace: NS, agency: AGENCY })).toEqual(referral);
  });
  it('bundles both as conditional creates with the Task focused on the ServiceRequest entry', () => {
    const bundle = referralBundle(intoPeer(), { namespace: NS, agency: AGENCY });
    const [sr, task] = bundle.entry ?? [];
    expect(sr?.request?.ifNoneExist).toBe(`identifier=${encodeURIComponent(`${SCOPED}/referral`)}|ref-1`);
    expect((task?.resource as { focus?: { reference?: string } }).focus?.reference).toBe(sr?.fullUrl);
    expect(validationProblems(bundle)).toEqual([]);
  });
});
