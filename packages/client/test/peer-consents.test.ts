import type { Encounter, Resource } from 'fhir/r4.js';
import { ConsentRequiredError, REDISCLOSURE_NOTICE_EXTENSION } from '@peer-fhir/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '../src/index.js';
import { encounter, NS, SCOPE, AGENCY_NS, organization, participant, PAYER_NPI, specialist, testing, tpoConsent, type EmbeddedServer } from './peer-fixtures.js';

let server: EmbeddedServer;
let recipientServer: EmbeddedServer;
let peer: PeerClient;
let part2Encounter: Encounter;
beforeAll(async () => {
  server = await testing.startFhirServer();
  recipientServer = await testing.startFhirServer();
  peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
  const { encounterIds } = await peer.recordEncounter(encounter('e-c-1', 'p-c-1'), { participants: [participant('p-c-1')], specialist: specialist(), organization: organization() });
  part2Encounter = await peer.client.read('Encounter', encounterIds[0]!.split('/')[1]!);
});
afterAll(async () => {
  await server?.close();
  await recipientServer?.close();
});

const payer = { npi: PAYER_NPI, kind: 'organization' as const, isTpoRecipient: true };
const codes = (r: Resource) => (r.meta?.security ?? []).map((c) => c.code).sort();

describe('grantConsent and getConsents', () => {
  it('grants idempotently and reads consents back as ConsentDirectives', async () => {
    const first = await peer.grantConsent(tpoConsent('c-1', 'p-c-1'));
    const again = await peer.grantConsent(tpoConsent('c-1', 'p-c-1'));
    expect(first.changed).toBe(true);
    expect(again).toMatchObject({ changed: false, reference: first.reference, versionId: first.versionId });
    expect(await server.repository.search('Consent', `identifier=${AGENCY_NS}/consent|c-1`)).toHaveLength(1);
    expect(await peer.getConsents('p-c-1')).toEqual([tpoConsent('c-1', 'p-c-1')]);
  });
});

describe('consent-gated disclosure', () => {
  it('before revocation a Part 2 disclosure is permitted and the bundle carries the notice, labels and consent copy', async () => {
    const { bundle, denied, consentIds } = await peer.disclose([part2Encounter], { recipient: payer, purpose: 'payment', at: '2025-03-01T10:00:00-05:00', participantId: 'p-c-1' });
    expect(denied).toEqual([]);
    expect(consentIds).toEqual(['c-1']);
    const resources = (bundle?.entry ?? []).map((e) => e.resource!);
    expect(resources.map((r) => r.resourceType)).toEqual(['Encounter', 'Consent', 'Provenance']);
    expect(codes(resources[0]!)).toEqual(['42CFRPart2', 'NORDSCLCD', 'R', 'SUD']);
    const provenance = resources[2] as { extension?: { url: string; valueString?: string }[] };
    expect(provenance.extension?.find((x) => x.url === REDISCLOSURE_NOTICE_EXTENSION)?.valueString).toMatch(/42 CFR part 2/);
  });

  it('sends the collection bundle to the recipient server', async () => {
    const result = await peer.disclose([part2Encounter], { recipient: payer, purpose: 'payment', at: '2025-03-01T10:00:00-05:00', send: { baseUrl: recipientServer.url } });
    expect(result.sent?.id).toBeDefined();
    expect(await recipientServer.repository.search('Bundle')).toHaveLength(1);
  });

  it('after revocation disclosure is refused with ConsentRequiredError naming the missing consent', async () => {
    const revoked = await peer.revokeConsent('c-1', { at: '2025-04-01T09:00:00-04:00' });
    expect(revoked.consent).toMatchObject({ status: 'inactive', revokedAt: '2025-04-01T09:00:00-04:00' });
    expect(revoked.changed).toBe(true);
    const error = await peer.disclose([part2Encounter], { recipient: payer, purpose: 'payment', at: '2025-05-01T10:00:00-04:00', participantId: 'p-c-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsentRequiredError);
    expect((error as ConsentRequiredError).missing).toMatchObject({ kind: 'part2-tpo', purpose: 'payment' });
    expect((error as ConsentRequiredError).reasonCodes).toContain('CONSENT-REVOKED');
    // A moment before the revocation is still covered.
    const earlier = await peer.disclose([part2Encounter], { recipient: payer, purpose: 'payment', at: '2025-03-15T10:00:00-04:00', participantId: 'p-c-1' });
    expect(earlier.consentIds).toEqual(['c-1']);
  });

  it('revoking again keeps the first revocation moment and a stale version gets 412', async () => {
    const again = await peer.revokeConsent('c-1', { at: '2025-05-01T09:00:00-04:00' });
    expect(again).toMatchObject({ changed: false, consent: { revokedAt: '2025-04-01T09:00:00-04:00' } });
    await peer.grantConsent(tpoConsent('c-2', 'p-c-1'));
    const read = (await peer.getConsents('p-c-1')).find((c) => c.id === 'c-2');
    expect(read?.status).toBe('active');
    await expect(peer.revokeConsent('c-2', { ifMatch: 'not-the-version' })).rejects.toMatchObject({ status: 412 });
  });

  it('with partial returns what is permitted and the denied list', async () => {
    const notPart2: Encounter = { ...part2Encounter, id: 'plain-1', meta: { ...part2Encounter.meta, security: [] } };
    const result = await peer.disclose([part2Encounter, notPart2], { recipient: { npi: PAYER_NPI, kind: 'organization' }, purpose: 'payment', at: '2025-06-01T10:00:00-04:00', participantId: 'p-c-1', partial: true, discloser: { npi: organization().npi } });
    expect(result.denied.map((d) => d.reference)).toEqual([`Encounter/${part2Encounter.id}`]);
    expect(result.bundle?.entry?.map((e) => e.resource?.id)).toContain('plain-1');
  });
});
