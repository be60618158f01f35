import type { Bundle, Patient } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '../src/index.js';

let server: EmbeddedFhirServer;
const post = (body: unknown, path = '') =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
const patient = (value: string, family = 'Rollback'): Patient => ({ resourceType: 'Patient', identifier: [{ system: 'urn:test:rb', value }], name: [{ family }] });

describe('a failing transaction leaves nothing behind', () => {
  beforeAll(async () => {
    server = await startFhirServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('undoes creates, updates, the identifier index and version history of the entries before the failure', async () => {
    const existing = (await (await post(patient('keep', 'Before'), '/Patient')).json()) as Patient;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:1', resource: patient('new-1'), request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:test:rb|new-1' } },
        { resource: { ...patient('keep', 'After'), id: existing.id }, request: { method: 'PUT', url: `Patient/${existing.id}` } },
        { request: { method: 'DELETE', url: 'Patient/does-not-exist-xyz' } },
        { resource: { resourceType: 'Patient', id: 'x', gender: 'bogus' } as unknown as Patient, request: { method: 'PUT', url: 'Patient/other-id' } },
      ],
    };
    const res = await post(bundle);
    expect(res.status).toBeGreaterThanOrEqual(400);

    expect(await server.repository.search('Patient', 'identifier=urn:test:rb|new-1')).toHaveLength(0);
    const kept = await server.repository.read('Patient', existing.id!);
    expect(kept?.name?.[0]?.family).toBe('Before');
    const history = (await (await fetch(`${server.url}/Patient/${existing.id}/_history`)).json()) as Bundle;
    expect(history.entry).toHaveLength(1);

    // The rolled-back identifier is free again: the same conditional create now creates.
    const again = await post({ ...bundle, entry: bundle.entry!.slice(0, 1) });
    const body = (await again.json()) as Bundle;
    expect(body.entry?.[0]?.response?.status).toMatch(/^201/);
    expect(await server.repository.search('Patient', 'identifier=urn:test:rb|new-1')).toHaveLength(1);
  });

  // FHIR R4 http.html#transaction: every entry of a transaction or batch carries a request (method and url). A null or
  // request-less entry is refused before anything is written, with the entry's position and no value from the body.
  it('refuses a bundle with a null or request-less entry (400, the entry named) and writes none of its entries', async () => {
    for (const type of ['transaction', 'batch'] as const) {
      const body = { resourceType: 'Bundle', type, entry: [{ resource: patient(`ok-${type}`), request: { method: 'POST', url: 'Patient' } }, null, { resource: patient('no-request') }] };
      const res = await post(body);
      expect(res.status).toBe(400);
      const outcome = (await res.json()) as { issue: { code: string; expression?: string[] }[] };
      expect(outcome.issue.map((i) => [i.code, i.expression?.[0]])).toEqual([
        ['required', 'Bundle.entry[1].request'],
        ['required', 'Bundle.entry[2].request'],
      ]);
      expect(await server.repository.search('Patient', `identifier=urn:test:rb|ok-${type}`)).toHaveLength(0);
    }
  });
});

describe('resources with a single identifier', () => {
  it('indexes QuestionnaireResponse.identifier (a single Identifier in R4) for conditional creates', async () => {
    const s = await startFhirServer();
    try {
      const qr = { resourceType: 'QuestionnaireResponse', status: 'completed', identifier: { system: 'urn:test:qr', value: 'qr-1' } };
      const first = await fetch(`${s.url}/QuestionnaireResponse`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', 'if-none-exist': 'identifier=urn:test:qr|qr-1' }, body: JSON.stringify(qr) });
      const second = await fetch(`${s.url}/QuestionnaireResponse`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', 'if-none-exist': 'identifier=urn:test:qr|qr-1' }, body: JSON.stringify(qr) });
      expect([first.status, second.status]).toEqual([201, 200]);
      expect(await s.repository.search('QuestionnaireResponse', 'identifier=urn:test:qr|qr-1')).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});
