// Acceptance (foundation issue): the transaction bundle core emits, POSTed twice to the embedded server,
// creates each resource exactly once; the server (validating on write) accepts every resource.
import type { Bundle } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromFhir, recordKeys, toFhir } from '@peer-fhir/core';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { allRecords, organization } from '../../packages/core/test/fixtures.js';

let server: EmbeddedFhirServer;

async function post(bundle: Bundle): Promise<Bundle> {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
  expect(res.status).toBe(200);
  return (await res.json()) as Bundle;
}

describe('core transaction bundle on the embedded FHIR server', () => {
  beforeAll(async () => {
    server = await startFhirServer({ validate: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates each resource exactly once when the bundle is POSTed twice', async () => {
    const bundle = toFhir(allRecords());
    const first = await post(bundle);
    expect(first.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(bundle.entry!.map(() => '201'));
    const second = await post(bundle);
    expect(second.entry?.map((e) => e.response?.status.slice(0, 3))).toEqual(bundle.entry!.map(() => '200'));

    const countByType = new Map<string, number>();
    for (const e of bundle.entry!) countByType.set(e.resource!.resourceType, (countByType.get(e.resource!.resourceType) ?? 0) + 1);
    for (const [type, expected] of countByType) {
      const stored = await server.repository.search(type as 'Patient', { _count: '1000' });
      expect(stored.length, type).toBe(expected);
    }
  });

  it('finds every written record by its identifier and reads everything back into the same domain records', async () => {
    const keys = recordKeys({ agency: organization().npi });
    const res = await fetch(`${server.url}/Encounter?identifier=${encodeURIComponent(`${keys.encounter('enc-1').system}|enc-1`)}`);
    const found = (await res.json()) as Bundle;
    expect(found.total).toBe(1);

    const everything: Bundle['entry'] = [];
    for (const type of ['Organization', 'Practitioner', 'PractitionerRole', 'Patient', 'Coverage', 'Encounter', 'Group', 'Condition', 'DocumentReference', 'CarePlan', 'Goal', 'CareTeam', 'Provenance', 'Consent']) {
      const page = (await (await fetch(`${server.url}/${type}?_count=1000`)).json()) as Bundle;
      everything.push(...(page.entry ?? []));
    }
    const back = fromFhir({ resourceType: 'Bundle', type: 'collection', entry: everything });
    const input = allRecords();
    expect(back.encounters).toEqual(input.encounters);
    expect(back.participants).toEqual(input.participants);
    expect(back.plans).toEqual(input.plans);
    expect(back.consents).toEqual(input.consents);
    expect(back.specialists).toEqual(input.specialists);
  });
});
