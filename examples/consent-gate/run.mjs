#!/usr/bin/env node
// Consent gate: a 42 CFR Part 2 encounter leaves only with a consent that covers the recipient, the purpose and the
// moment. Records one Part 2 encounter on the embedded FHIR server, then discloses it to a partner organization
// (a recovery housing partner, not a TPO recipient): refused without consent, permitted with a part2-specific consent
// (Part 2 labels + the 42 CFR 2.32 redisclosure notice in the bundle), refused again after revocation.
// Uses only the public API of @peer-fhir/core, @peer-fhir/client and @peer-fhir/testing.
import { mkdir, writeFile } from 'node:fs/promises';
import { ConsentRequiredError, isPart2Protected } from '@peer-fhir/core';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { generateAgency, startFhirServer } from '@peer-fhir/testing';

const line = (label, value) => console.log(`  ${label.padEnd(34)} ${value}`);
const server = process.env.FHIR_URL ? undefined : await startFhirServer({ validate: true });
const baseUrl = process.env.FHIR_URL ?? server.url;
const fhir = new PeerFhirClient({ baseUrl });
// Set once the agency is known: identifiers are scoped to the agency's organization NPI.
let peer;

// The partner: a recovery housing organization (fictional NPI with a valid check digit), not a TPO recipient.
const partner = { kind: 'organization', name: 'Harbor Recovery Housing', npi: '1234567893' };
const recipient = { npi: partner.npi, kind: 'organization', isTpoRecipient: false };
const purpose = 'care-coordination';

/** Try a disclosure; returns the bundle or the refusal. */
async function attempt(label, resources, participantId, at) {
  try {
    const { bundle } = await peer.disclose(resources, { recipient, purpose, at, participantId });
    line(label, `DISCLOSED (${bundle.entry.length} entries)`);
    return { bundle };
  } catch (err) {
    if (!(err instanceof ConsentRequiredError)) throw err;
    line(label, `REFUSED — ${err.message} [${err.reasonCodes.join(', ')}]`);
    return { refused: err };
  }
}

try {
  const agency = generateAgency({ seed: 3, months: 1, participants: 12, state: 'NC', part2Share: 0.5 });
  peer = new PeerClient(fhir, { agency: agency.organization.npi, namespace: 'https://peer-fhir.org/examples/consent-gate' });
  const enc = agency.encounters.find((e) => e.part2 && e.mode !== 'group');
  if (!enc) throw new Error('the synthetic agency has no individual Part 2 encounter');
  const participantId = enc.attendees[0].participantId;
  const participant = agency.participants.find((p) => p.id === participantId);
  const specialist = agency.specialists.find((s) => s.npi === enc.specialistNpi) ?? agency.specialists[0];

  console.log(`\npeer-fhir consent gate — FHIR server at ${baseUrl}\n`);
  // Only the encounter and what it references: none of the synthetic agency's consents are written.
  const recorded = await peer.recordEncounter(enc, { participants: [participant], specialist, organization: agency.organization });
  const [type, id] = recorded.encounterIds[0].split('/');
  const encounter = await fhir.read(type, id);
  line('Part 2 encounter recorded', `${recorded.encounterIds[0]} on ${enc.start.slice(0, 10)} (labels: ${encounter.meta.security.map((s) => s.code).join(', ')})`);
  line('Part 2 protected', isPart2Protected(encounter) ? 'yes' : 'no');
  line('recipient', `${partner.name} (NPI ${partner.npi}), purpose ${purpose}`);
  console.log('');

  const dos = enc.start.slice(0, 10);
  // 1. No consent on file.
  const first = await attempt('1. without consent', [encounter], participantId, '2025-02-10T10:00:00-05:00');
  if (!first.refused) throw new Error('a Part 2 record was disclosed without consent');
  if (first.refused.missing?.kind !== 'part2-specific' && first.refused.missing?.kind !== 'part2-tpo') throw new Error('the refusal does not name the missing consent');

  // 2. The participant signs a Part 2 consent naming the partner.
  const consent = {
    id: `consent-${participantId}-housing`,
    participantId,
    kind: 'part2-specific',
    status: 'active',
    recipients: [partner],
    purposes: [purpose],
    dataScope: { resourceTypes: [], sensitivities: [] },
    period: { start: dos, end: '2025-12-31' },
    signedDate: dos,
    disclosingOrganizationNpi: agency.organization.npi,
  };
  await peer.grantConsent(consent);
  line('consent granted', `${consent.kind} ${consent.id}`);
  const second = await attempt('2. with part2-specific consent', [encounter], participantId, '2025-02-15T10:00:00-05:00');
  if (!second.bundle) throw new Error('the disclosure was refused although a consent covers it');
  const disclosed = second.bundle.entry.map((e) => e.resource);
  const enc2 = disclosed.find((r) => r.resourceType === 'Encounter');
  const provenance = disclosed.find((r) => r.resourceType === 'Provenance');
  const labels = enc2.meta.security.map((s) => s.code);
  const notice = JSON.stringify(provenance ?? {}).replace(/<[^>]+>/g, ' ').match(/[^"]{0,40}42 CFR part 2[^"]{0,60}/i)?.[0]?.trim();
  line('   bundle contents', disclosed.map((r) => r.resourceType).join(', '));
  line('   Part 2 labels on the Encounter', labels.join(', '));
  line('   redisclosure notice', notice ? `"${notice.slice(0, 80)}…"` : 'MISSING');
  if (!labels.includes('42CFRPart2') || !notice) throw new Error('the disclosure bundle lacks the Part 2 labels or the notice');
  await mkdir(new URL('./out/', import.meta.url), { recursive: true });
  await writeFile(new URL('./out/disclosure-bundle.json', import.meta.url), JSON.stringify(second.bundle, null, 2));

  // 3. The participant revokes the consent.
  await peer.revokeConsent(consent.id, { at: '2025-03-01T09:00:00-05:00' });
  line('consent revoked', '2025-03-01');
  const third = await attempt('3. after revocation', [encounter], participantId, '2025-03-02T10:00:00-05:00');
  if (!third.refused) throw new Error('a Part 2 record was disclosed after the consent was revoked');

  console.log('\nConsent gate OK: refused without consent, disclosed with consent, refused after revocation.');
  console.log(`The disclosed bundle is in out/disclosure-bundle.json.\n`);
} catch (err) {
  console.error(`consent gate failed: ${err instanceof Error ? err.stack : err}`);
  process.exitCode = 1;
} finally {
  await server?.close();
}
