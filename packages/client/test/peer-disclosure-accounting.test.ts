// Issue 11: PeerClient.disclose decides each resource against the consents of its own patient, records every
// disclosure as an AuditEvent on the source server before anything leaves, and accountingOfDisclosures answers
// "who received this person's records" from those events (42 CFR 2.24 / 2.25, 45 CFR 164.528).
import type { AuditEvent, Encounter } from 'fhir/r4.js';
import { ConsentRequiredError, PeerFhirError } from '@peer-fhir/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '../src/index.js';
import { encounter, SCOPE, organization, participant, PAYER_NPI, specialist, testing, tpoConsent, type EmbeddedServer } from './peer-fixtures.js';

let server: EmbeddedServer;
let recipientServer: EmbeddedServer;
let peer: PeerClient;
let encA: Encounter;
let encB: Encounter;
const payer = { npi: PAYER_NPI, kind: 'organization' as const, isTpoRecipient: true };
const AT = '2025-03-01T10:00:00-05:00';

beforeAll(async () => {
  server = await testing.startFhirServer();
  recipientServer = await testing.startFhirServer();
  peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
  const opts = (id: string) => ({ participants: [participant(id)], specialist: specialist(), organization: organization() });
  const a = await peer.recordEncounter(encounter('e-acc-a', 'p-acc-a'), opts('p-acc-a'));
  const b = await peer.recordEncounter(encounter('e-acc-b', 'p-acc-b'), opts('p-acc-b'));
  encA = await peer.client.read('Encounter', a.encounterIds[0]!.split('/')[1]!);
  encB = await peer.client.read('Encounter', b.encounterIds[0]!.split('/')[1]!);
  // Only B consents to disclosure for payment (42 CFR 2.31).
  await peer.grantConsent(tpoConsent('c-acc-b', 'p-acc-b'));
});
afterAll(async () => {
  await server?.close();
  await recipientServer?.close();
});

describe('class 1 through the client: consent borrowed from another patient', () => {
  it("refuses to disclose A's Part 2 Encounter alongside B's under B's consent, without participantId", async () => {
    const error = await peer.disclose([encA, encB], { recipient: payer, purpose: 'payment', at: AT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsentRequiredError);
    const partial = await peer.disclose([encA, encB], { recipient: payer, purpose: 'payment', at: AT, partial: true });
    expect(partial.denied.map((d) => d.reference)).toEqual([`Encounter/${encA.id}`]);
    expect(partial.bundle?.entry?.filter((e) => e.resource?.resourceType === 'Encounter').map((e) => e.resource?.id)).toEqual([encB.id]);
  });

  it("refuses A's Encounter when the caller says it is B's", async () => {
    const out = await peer.disclose([encA], { recipient: payer, purpose: 'payment', at: AT, participantId: 'p-acc-b', partial: true });
    expect(out.bundle).toBeUndefined();
    expect(out.denied[0]?.decision.reasons.map((r) => r.code)).toContain('PATIENT-MISMATCH');
  });

  it('refuses A\'s Encounter wrapped in an unlabelled Bundle with B\'s', async () => {
    const wrapped = { resourceType: 'Bundle' as const, id: 'w-1', type: 'collection' as const, entry: [{ resource: encA }, { resource: encB }] };
    const out = await peer.disclose([wrapped], { recipient: payer, purpose: 'payment', at: AT, partial: true });
    expect(out.bundle).toBeUndefined();
  });
});

describe('the accounting of disclosures', () => {
  it('writes one AuditEvent per disclosed bundle, before sending, naming recipient, purpose, consent and resources by reference', async () => {
    const before = (await server.repository.search('AuditEvent')).length;
    const result = await peer.disclose([encB], { recipient: payer, purpose: 'payment', at: AT, send: { baseUrl: recipientServer.url } });
    expect(result.auditEvent).toMatch(/^AuditEvent\//);
    const events = (await server.repository.search('AuditEvent')) as AuditEvent[];
    expect(events).toHaveLength(before + 1);
    const entries = await peer.accountingOfDisclosures('p-acc-b');
    const last = entries.at(-1);
    expect(last).toMatchObject({ recipient: { npi: PAYER_NPI }, purpose: 'payment', consentIds: ['c-acc-b'], resources: [`Encounter/${encB.id}`], resourceCount: 1, part2: true, channel: 'fhir-bundle' });
    // By reference, not by content: no name, note or diagnosis of the participant appears in the event.
    const text = JSON.stringify(events);
    for (const phi of ['Testperson', 'housing', 'F11.20', 'MRN-p-acc-b']) expect(text).not.toContain(phi);
  });

  it('records nothing for a refused disclosure', async () => {
    await peer.disclose([encA], { recipient: payer, purpose: 'payment', at: AT, partial: true });
    expect(await peer.accountingOfDisclosures('p-acc-a')).toEqual([]);
  });

  it('sends nothing when the AuditEvent cannot be stored', async () => {
    const failing = new PeerFhirClient({
      baseUrl: server.url,
      fetch: async (url, init) => {
        if (init.method === 'POST' && /\/AuditEvent$/.test(url)) return new Response('{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden"}]}', { status: 403, headers: { 'content-type': 'application/fhir+json' } });
        return fetch(url, init);
      },
    });
    const gated = new PeerClient(failing, SCOPE);
    const sentBefore = (await recipientServer.repository.search('Bundle')).length;
    await expect(gated.disclose([encB], { recipient: payer, purpose: 'payment', at: AT, send: { baseUrl: recipientServer.url } })).rejects.toMatchObject({ status: 403 });
    expect(await recipientServer.repository.search('Bundle')).toHaveLength(sentBefore);
  });

  it('filters by --since', async () => {
    expect(await peer.accountingOfDisclosures('p-acc-b', { since: '2099-01-01' })).toEqual([]);
  });
});

describe('class 5 through the client: a revocation dated in the future', () => {
  it('is refused, so the status never says inactive while the consent still permits', async () => {
    await peer.grantConsent(tpoConsent('c-acc-future', 'p-acc-b'));
    const error = await peer.revokeConsent('c-acc-future', { at: '2099-01-01T00:00:00Z' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PeerFhirError);
    expect((error as PeerFhirError).code).toBe('client.revocation-in-future');
    expect((await peer.getConsents('p-acc-b')).find((c) => c.id === 'c-acc-future')?.status).toBe('active');
  });
});
