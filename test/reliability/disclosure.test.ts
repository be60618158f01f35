// R4 Disclosure matrix, end to end. The full matrix (4,704 cases, independent oracle) runs in core:
// packages/core/test/consent-matrix.test.ts. This file runs a sample of it through PeerClient.disclose against the
// embedded server — consents written and read back over HTTP, resources labelled by core's mapping — for every
// consent state (none, active, expired, revoked, future) x purpose x recipient x Part 2 label x consent kind, and checks
// each decision against the rules (oracle below, written from the rules) and that zero Part 2 resources leave
// without an active matching consent.
import type { Encounter } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentDirective, isPart2Protected, type DisclosureRecipient, type PeerEncounter, type PurposeKey } from '@peer-fhir/core';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { generateAgency, loadFhirDefinitions, startFhirServer, type EmbeddedFhirServer, type SyntheticAgency } from '@peer-fhir/testing';

const NS = 'https://disclosure.example.org/ids';
const AT = '2026-03-01T12:00:00Z';
const NAMED_NPI = '1234567802';
const OTHER_NPI = '1234567810';
const TPO_NPI = '1234567828';
const TPO: PurposeKey[] = ['treatment', 'payment', 'operations', 'care-coordination'];

type State = 'none' | 'active' | 'expired' | 'revoked' | 'future';
type Kind = 'part2-tpo-class' | 'part2-tpo-named';
type RecipientCase = 'named' | 'other-org' | 'tpo-class';
interface Case {
  state: State;
  kind: Kind;
  purpose: PurposeKey;
  recipient: RecipientCase;
  part2: boolean;
}

const RECIPIENTS: Record<RecipientCase, DisclosureRecipient> = {
  named: { npi: NAMED_NPI, kind: 'organization', isTpoRecipient: false },
  'other-org': { npi: OTHER_NPI, kind: 'organization', isTpoRecipient: false },
  'tpo-class': { npi: TPO_NPI, kind: 'organization', isTpoRecipient: true },
};
const STATE_FIELDS = {
  active: { status: 'active', period: { start: '2026-01-01', end: '2026-12-31' }, signedDate: '2026-01-01' },
  expired: { status: 'active', period: { start: '2025-01-01', end: '2025-12-31' }, signedDate: '2025-01-01' },
  revoked: { status: 'inactive', period: { start: '2026-01-01' }, signedDate: '2026-01-01', revokedAt: '2026-02-01T10:00:00Z' },
  future: { status: 'active', period: { start: '2026-06-01' }, signedDate: '2026-01-15' },
} as const;

const cases: Case[] = [];
// Consent kind alternates with the part2 flag and purpose, so both kinds meet every state, recipient and label.
for (const state of ['none', 'active', 'expired', 'revoked', 'future'] as const)
  for (const [p, purpose] of (['treatment', 'payment', 'research'] as const).entries())
    for (const recipient of ['named', 'other-org', 'tpo-class'] as const)
      for (const part2 of [true, false]) {
        const flip = (p + (part2 ? 1 : 0)) % 2 === 0;
        cases.push({ state, kind: flip ? 'part2-tpo-class' : 'part2-tpo-named', purpose, recipient, part2 });
        if (state === 'active') cases.push({ state, kind: flip ? 'part2-tpo-named' : 'part2-tpo-class', purpose, recipient, part2 });
      }

/** From the rules: non-Part 2 data goes for TPO; Part 2 data needs an active TPO consent naming or covering the recipient. */
function oracle(c: Case): 'permit' | 'deny' {
  if (!c.part2 && TPO.includes(c.purpose)) return 'permit';
  return activeMatchingConsent(c) ? 'permit' : 'deny';
}
function activeMatchingConsent(c: Case): boolean {
  if (c.state !== 'active' || !TPO.includes(c.purpose)) return false;
  return c.kind === 'part2-tpo-class' ? c.recipient === 'tpo-class' : c.recipient === 'named';
}

let server: EmbeddedFhirServer;
let agency: SyntheticAgency;
let peer: PeerClient;
let client: PeerFhirClient;

beforeAll(async () => {
  await loadFhirDefinitions();
  server = await startFhirServer();
  client = new PeerFhirClient({ baseUrl: server.url });
  agency = generateAgency({ seed: 4, participants: 8, months: 1 });
  peer = new PeerClient(client, { agency: agency.organization.npi, namespace: NS });
});
afterAll(async () => {
  await server?.close();
});

describe('PeerClient.disclose against the embedded server', () => {
  it(`gives the rules' decision in all ${cases.length} sampled cases and lets no Part 2 resource out without an active matching consent`, async () => {
    const template = agency.encounters.find((e) => e.mode === 'individual')!;
    const templateParticipant = agency.participants.find((p) => p.id === template.attendees[0]!.participantId)!;
    const specialist = agency.specialists.find((s) => s.npi === template.specialistNpi)!;
    const mismatches: string[] = [];
    const leaks: string[] = [];
    let part2Out = 0;

    const runCase = async (c: Case, i: number): Promise<void> => {
      const participantId = `p-r4-${i}`;
      const participant = { ...templateParticipant, id: participantId, mrn: undefined, medicaidId: undefined, coverages: [] };
      const encounter: PeerEncounter = { ...template, id: `enc-r4-${i}`, part2: c.part2, attendees: [{ ...template.attendees[0]!, participantId, goalIds: [] }] };
      const recorded = await peer.recordEncounter(encounter, { participants: [participant], specialist, organization: agency.organization });
      if (c.state !== 'none') {
        const consent = ConsentDirective.parse({
          id: `c-r4-${i}`,
          participantId,
          kind: 'part2-tpo',
          recipients: c.kind === 'part2-tpo-class' ? [] : [{ kind: 'organization', name: 'Named Health Plan', npi: NAMED_NPI }],
          purposes: TPO,
          dataScope: { resourceTypes: [], sensitivities: [] },
          disclosingOrganizationNpi: agency.organization.npi,
          ...STATE_FIELDS[c.state],
        });
        await peer.grantConsent(consent);
      }
      const resource = (await client.read('Encounter', recorded.encounterIds[0]!.split('/')[1]!)) as Encounter;
      expect(isPart2Protected(resource)).toBe(c.part2);

      const result = await peer.disclose([resource], { recipient: RECIPIENTS[c.recipient], purpose: c.purpose, at: AT, participantId, partial: true, discloser: { npi: agency.organization.npi, kind: 'organization' } });
      const out = (result.bundle?.entry ?? []).map((e) => e.resource).filter((r): r is Encounter => r?.resourceType === 'Encounter');
      const decision = out.length > 0 ? 'permit' : 'deny';
      if (decision !== oracle(c)) mismatches.push(`${JSON.stringify(c)} -> ${decision}`);
      for (const r of out) {
        if (!isPart2Protected(r)) continue;
        part2Out++;
        if (!activeMatchingConsent(c)) leaks.push(JSON.stringify(c));
        // 42 CFR 2.32: a Part 2 disclosure carries the notice and a copy of the consent that permits it.
        expect(result.consentIds).toEqual([`c-r4-${i}`]);
      }
    };
    for (let i = 0; i < cases.length; i += 6) await Promise.all(cases.slice(i, i + 6).map((c, j) => runCase(c, i + j)));
    expect(mismatches).toEqual([]);
    expect(leaks).toEqual([]);
    expect(part2Out).toBeGreaterThan(0); // not vacuous
  }, 180_000);
});
