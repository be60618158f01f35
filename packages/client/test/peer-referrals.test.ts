import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Referral } from '@peer-fhir/core';
import { FhirPreconditionFailedError, PeerClient, PeerFhirClient, PeerRecordNotFoundError } from '../src/index.js';
import { ReferralClient } from '../src/peer/referrals.js';
import { encounter, NS, SCOPE, AGENCY_NS, ORG_NPI, organization, participant, specialist, testing, type EmbeddedServer } from './peer-fixtures.js';

const CLINICIAN_NPI = '1003000126';

let server: EmbeddedServer;
let peer: PeerClient;
let referrals: ReferralClient;
let encounterRef: string;

beforeAll(async () => {
  server = await testing.startFhirServer();
  const client = new PeerFhirClient({ baseUrl: server.url });
  peer = new PeerClient(client, SCOPE);
  referrals = new ReferralClient(client, SCOPE);
  const recorded = await peer.recordEncounter(encounter('enc-ref-1', 'p-ref-1'), { participants: [participant('p-ref-1')], specialist: specialist(), organization: organization() });
  encounterRef = recorded.encounterIds[0] ?? '';
});
afterAll(() => server?.close());

const referral = (id: string, overrides: Partial<Referral> = {}): Referral => ({
  id,
  participantId: 'p-ref-1',
  direction: 'into-peer-services',
  category: 'peer-support',
  requester: { npi: CLINICIAN_NPI, kind: 'practitioner' },
  performer: { name: 'Harbor Peer Agency', npi: ORG_NPI },
  reason: 'Early recovery support',
  status: 'requested',
  authoredOn: '2025-01-10T09:00:00-05:00',
  ...overrides,
});

describe('closed-loop referral into peer services', () => {
  it('goes requested -> accepted -> completed with the fulfilling encounter linked', async () => {
    const created = await referrals.createReferral(referral('ref-1'));
    expect(created.referral.status).toBe('requested');
    expect(created.task.focus?.reference).toBe(`ServiceRequest/${created.serviceRequest.id}`);
    expect(created.task.for?.reference).toMatch(/^Patient\//);
    expect(created.task.owner?.reference).toMatch(/^Organization\//); // the agency, found by NPI
    expect(created.serviceRequest.code?.coding?.[0]?.code).toBe('461481000124109');

    const accepted = await referrals.updateReferralStatus('ref-1', 'accepted', { at: '2025-01-11T09:00:00-05:00' });
    expect(accepted.referral).toMatchObject({ status: 'accepted', lastModified: '2025-01-11T09:00:00-05:00' });
    expect(accepted.versionId).not.toBe(created.versionId);
    expect(accepted.serviceRequest.status).toBe('active');

    const done = await referrals.completeReferral('ref-1', { encounterId: 'enc-ref-1' });
    expect(done.referral.status).toBe('completed');
    expect(done.referral.fulfilledBy).toEqual({ kind: 'encounter', id: 'enc-ref-1' });
    expect(done.task.output?.[0]?.valueReference?.reference).toBe(encounterRef);
    expect(done.serviceRequest.status).toBe('completed');

    const read = await referrals.getReferral('ref-1');
    expect(read.referral).toEqual(done.referral);
    const [task] = await server.repository.search('Task', `identifier=${AGENCY_NS}/referral-task|ref-1`);
    expect((task as { status?: string }).status).toBe('completed');
  });

  it('creating the same referral twice creates nothing new', async () => {
    const a = await referrals.createReferral(referral('ref-2'));
    const b = await referrals.createReferral(referral('ref-2'));
    expect(b.task.id).toBe(a.task.id);
    expect(b.serviceRequest.id).toBe(a.serviceRequest.id);
    expect(await server.repository.search('Task', `identifier=${AGENCY_NS}/referral-task|ref-2`)).toHaveLength(1);
  });

  it('a stale If-Match version fails with 412 and changes nothing', async () => {
    const created = await referrals.createReferral(referral('ref-3'));
    await referrals.updateReferralStatus('ref-3', 'accepted');
    await expect(referrals.updateReferralStatus('ref-3', 'cancelled', { ifMatch: created.versionId })).rejects.toBeInstanceOf(FhirPreconditionFailedError);
    expect((await referrals.getReferral('ref-3')).referral.status).toBe('accepted');
  });

  it('refuses a transition the state machine forbids, before writing', async () => {
    await referrals.createReferral(referral('ref-4'));
    await expect(referrals.completeReferral('ref-4', { encounterId: 'enc-ref-1' })).rejects.toThrow('a referral cannot go from requested to completed');
    const rejected = await referrals.updateReferralStatus('ref-4', 'rejected', { statusReason: 'Outside service area' });
    expect(rejected.referral).toMatchObject({ status: 'rejected', statusReason: 'Outside service area' });
    expect(rejected.serviceRequest.status).toBe('revoked');
    await expect(referrals.updateReferralStatus('ref-4', 'accepted')).rejects.toThrow('cannot go from rejected to accepted');
  });

  it('tracks a referral to a community resource without an NPI', async () => {
    const r = await referrals.createReferral(referral('ref-5', { direction: 'to-community-resource', category: 'housing', performer: { name: 'Eastside Housing Coalition' } }));
    expect(r.task.owner).toEqual({ display: 'Eastside Housing Coalition' });
    expect(r.serviceRequest.category?.[1]?.coding?.[0]?.code).toBe('housing-instability');
  });

  it('names what is missing: an unknown participant, referral or encounter', async () => {
    await expect(referrals.createReferral(referral('ref-6', { participantId: 'nobody' }))).rejects.toBeInstanceOf(PeerRecordNotFoundError);
    await expect(referrals.getReferral('no-such-referral')).rejects.toBeInstanceOf(PeerRecordNotFoundError);
    await referrals.createReferral(referral('ref-7'));
    await referrals.updateReferralStatus('ref-7', 'accepted');
    await expect(referrals.completeReferral('ref-7', { encounterId: 'enc-missing' })).rejects.toBeInstanceOf(PeerRecordNotFoundError);
  });
});
