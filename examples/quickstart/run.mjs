#!/usr/bin/env node
// Quick start: a synthetic peer-support agency -> validated domain records -> FHIR R4 transaction bundles ->
// the embedded FHIR server, written twice (the second run creates nothing), then read back and compared.
// Uses only the public API of @peer-fhir/core, @peer-fhir/client and @peer-fhir/testing.
import { canDisclose, fromFhir, toFhir } from '@peer-fhir/core';
import { PeerFhirClient } from '@peer-fhir/client';
import { generateAgency, startFhirServer } from '@peer-fhir/testing';
import { isDeepStrictEqual } from 'node:util';

const started = performance.now();
const server = await startFhirServer({ validate: true });
const client = new PeerFhirClient({ baseUrl: server.url });
const line = (label, value) => console.log(`  ${label.padEnd(36)} ${value}`);

try {
  const agency = generateAgency({ seed: 7, months: 1, participants: 12, state: 'NC' });
  console.log(`\npeer-fhir quick start — embedded FHIR R4 server at ${server.url}\n`);
  console.log('Synthetic agency (no real person\'s data):');
  line('organization', agency.organization.name);
  line('peer specialists', agency.specialists.length);
  line('participants', agency.participants.length);
  line('recovery plans (incl. revisions)', agency.plans.length);
  line('consents', agency.consents.length);
  line('encounters (one month)', `${agency.encounters.length} (${agency.encounters.filter((e) => e.mode === 'group').length} group, ${agency.encounters.filter((e) => e.part2).length} Part 2)`);

  // 1. The roster (agency, peers, participants, plans, consents) in one transaction.
  // Each participant's current plan: earlier versions share goals with it, and a plan's history is written as
  // versioned updates of the same resources, not as second copies.
  const currentPlans = [...new Map(agency.plans.map((p) => [p.participantId, p])).values()];
  const roster = { organizations: [agency.organization], specialists: agency.specialists, participants: agency.participants, plans: currentPlans, consents: agency.consents };
  const onServer = new Map();
  const write = async (bundle) => {
    const response = await client.transaction(bundle);
    let created = 0;
    response.entry.forEach((e, i) => {
      if (e.response.status.startsWith('201')) created++;
      const req = bundle.entry[i].request;
      const [, search] = req.ifNoneExist.split('=');
      const [system, value] = search.split('|').map(decodeURIComponent);
      onServer.set(JSON.stringify({ resourceType: req.url, system, value }), e.response.location.split('/_history')[0]);
    });
    return { entries: bundle.entry.length, created };
  };
  const existing = (key) => onServer.get(JSON.stringify(key));

  const runOnce = async () => {
    const totals = { entries: 0, created: 0 };
    const add = (r) => { totals.entries += r.entries; totals.created += r.created; };
    add(await write(toFhir(roster)));
    // 2. Encounters in bundles of 25, referencing the roster already on the server.
    for (let i = 0; i < agency.encounters.length; i += 25) {
      add(await write(toFhir({ encounters: agency.encounters.slice(i, i + 25) }, { existing })));
    }
    return totals;
  };

  console.log('\nWriting to the FHIR server (conditional creates in transactions, validated on write):');
  const first = await runOnce();
  line('first run', `${first.entries} entries, ${first.created} created`);
  const second = await runOnce();
  line('second run (same input)', `${second.entries} entries, ${second.created} created`);
  if (second.created !== 0) throw new Error('the second run created resources: writes are not idempotent');

  // 3. Read everything back page by page and map it to domain records again.
  const types = ['Organization', 'Practitioner', 'PractitionerRole', 'Patient', 'Coverage', 'Encounter', 'Group', 'Condition', 'DocumentReference', 'CarePlan', 'Goal', 'CareTeam', 'Provenance', 'Consent'];
  const entry = [];
  const counts = [];
  for (const type of types) {
    let n = 0;
    for await (const resource of client.searchAll(type, type === 'Encounter' ? { _count: 200 } : new URLSearchParams({ _count: '200' }))) {
      entry.push({ fullUrl: `${server.url}/${type}/${resource.id}`, resource });
      n++;
    }
    counts.push(`${type} ${n}`);
  }
  console.log('\nOn the server:');
  line('resources', counts.join(', '));
  const back = fromFhir({ resourceType: 'Bundle', type: 'collection', entry });
  const checks = [
    ['encounters', back.encounters, agency.encounters],
    ['participants', back.participants, agency.participants],
    ['recovery plans', back.plans, currentPlans],
    ['consents', back.consents, agency.consents],
  ];
  for (const [label, got, wanted] of checks) {
    const same = isDeepStrictEqual(sortById(got), sortById(wanted));
    line(`${label} read back == written`, same ? `yes (${got.length})` : 'NO');
    if (!same) throw new Error(`${label} read back differ from those written`);
  }

  // 4. A consent decision: may a Part 2 encounter go to the payer for payment?
  const part2 = agency.encounters.find((e) => e.part2);
  if (part2) {
    const pid = part2.attendees[0].participantId;
    const decision = canDisclose({
      resource: { resourceType: 'Encounter', meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: '42CFRPart2' }] } },
      recipient: { isTpoRecipient: true, kind: 'organization' },
      purpose: 'payment',
      at: part2.start,
      consents: agency.consents.filter((c) => c.participantId === pid),
      participantId: pid,
    });
    console.log('\n42 CFR Part 2 check for one Part 2 encounter (to the payer, for payment):');
    line('decision', `${decision.decision} (${decision.reasons.map((r) => r.code).join(', ')})`);
  }
  console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s. Next: docs/mapping.md, packages/*/README.md.\n`);
} finally {
  await server.close();
}

function sortById(list) {
  return [...list].sort((a, b) => a.id.localeCompare(b.id));
}
