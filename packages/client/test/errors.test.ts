import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  FhirBadRequestError,
  FhirConflictError,
  FhirError,
  FhirForbiddenError,
  FhirGoneError,
  FhirNotFoundError,
  FhirPreconditionFailedError,
  FhirServerError,
  FhirTooManyRequestsError,
  FhirUnauthorizedError,
  FhirUnprocessableEntityError,
  isFhirError,
} from '../src/index.js';
import { fromFhirKitError } from '../src/internal/fhir-kit-adapter.js';
import { BASE, outcome, testClient, useMswServer } from './helpers.js';

const server = useMswServer();

const cases = [
  [400, FhirBadRequestError],
  [401, FhirUnauthorizedError],
  [403, FhirForbiddenError],
  [404, FhirNotFoundError],
  [409, FhirConflictError],
  [410, FhirGoneError],
  [412, FhirPreconditionFailedError],
  [422, FhirUnprocessableEntityError],
  [429, FhirTooManyRequestsError],
  [500, FhirServerError],
  [503, FhirServerError],
] as const;

describe('HTTP errors become typed FhirError subclasses', () => {
  it.each(cases)('maps %i to %o with the OperationOutcome preserved', async (status, ErrorClass) => {
    const oo = outcome('invalid', 'Synthia Zyxwvut MRN 998877', ['Patient.name[0]']);
    server.use(http.get(`${BASE}/Patient`, () => HttpResponse.json(oo, { status })));
    const { client } = testClient({ maxRetries: 0 });
    const err = await client.search('Patient', { identifier: 'urn:mrn|998877' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrorClass);
    expect(err).toBeInstanceOf(FhirError);
    expect(err).toBeInstanceOf(Error);
    const e = err as FhirError;
    expect(e.status).toBe(status);
    expect(e.method).toBe('GET');
    expect(e.operationOutcome).toEqual(oo);
    expect(e.url).toBe(`${BASE}/Patient?identifier=urn%3Amrn%7C998877`);
    // Message: method, path template, status and issue codes only (no host, no query, no expression).
    expect(e.message).toBe(`GET Patient?… failed with HTTP ${status} (issues: invalid)`);
    expect(e.code).toMatch(/^client\.http\./);
    expect(e.message).not.toContain('998877');
    expect(e.message).not.toContain('Zyxwvut');
    expect(e.stack).toBeDefined();
    expect(isFhirError(e)).toBe(true);
  });

  it('keeps url and OperationOutcome out of enumerable properties and JSON', async () => {
    server.use(http.get(`${BASE}/Patient/p1`, () => HttpResponse.json(outcome('not-found'), { status: 404 })));
    const { client } = testClient();
    const e = (await client.read('Patient', 'p1').catch((x: unknown) => x)) as FhirError;
    expect(Object.keys(e)).not.toContain('operationOutcome');
    expect(Object.keys(e)).not.toContain('url');
    expect(JSON.stringify(e)).not.toContain('Zyxwvut');
  });

  it('handles non-JSON error bodies (proxy pages) without an OperationOutcome', async () => {
    server.use(http.get(`${BASE}/Patient/p1`, () => new HttpResponse('<html>bad gateway</html>', { status: 502 })));
    const { client } = testClient({ maxRetries: 0 });
    const e = (await client.read('Patient', 'p1').catch((x: unknown) => x)) as FhirError;
    expect(e).toBeInstanceOf(FhirServerError);
    expect(e.operationOutcome).toBeUndefined();
  });

  it('exposes retryAfterMs on 429', async () => {
    server.use(http.get(`${BASE}/Patient/p1`, () => HttpResponse.json(outcome('throttled'), { status: 429, headers: { 'retry-after': '7' } })));
    const { client } = testClient({ maxRetries: 0 });
    const e = (await client.read('Patient', 'p1').catch((x: unknown) => x)) as FhirTooManyRequestsError;
    expect(e.retryAfterMs).toBe(7000);
  });
});

describe('fhir-kit-client error conversion', () => {
  it('turns its thrown plain {response, config} object into a typed error', () => {
    const thrown = { response: { status: 412, data: outcome('conflict') }, config: { method: 'PUT', url: `${BASE}/Goal/g1` } };
    const e = fromFhirKitError(thrown);
    expect(e).toBeInstanceOf(FhirPreconditionFailedError);
    expect((e as FhirError).operationOutcome?.issue[0]?.code).toBe('conflict');
  });

  it('turns its input validation errors into TypeErrors', () => {
    const { client } = testClient();
    return expect(client.read('Bad:Type' as 'Patient', '1')).rejects.toBeInstanceOf(TypeError);
  });

  it('isFhirError is false for other values', () => {
    expect(isFhirError(new Error('x'))).toBe(false);
    expect(isFhirError({ status: 404 })).toBe(false);
    expect(isFhirError(undefined)).toBe(false);
  });
});
