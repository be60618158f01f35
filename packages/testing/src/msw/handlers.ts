import { http, HttpResponse, type RequestHandler } from 'msw';
import { createFhirRepository, handleFhirRequest, type FhirTestRepository } from '@peer-fhir/server';
import { withFaults, type FaultOptions } from './faults.js';

/**
 * Options for {@link createFhirHandlers}.
 * @category msw
 */
export interface FhirHandlersOptions {
  /** FHIR base URL to answer under, e.g. `https://ehr.example/fhir`. */
  baseUrl: string;
  /** Store to serve; default a new empty one. Share it with {@link startFhirServer} or seed it first. */
  repository?: FhirTestRepository;
  /** Reject invalid resources with 400, as the server's `validate` option; default `false`. */
  validate?: boolean;
  /** Inject faults in front of the FHIR handler (see {@link withFaults}). */
  faults?: FaultOptions;
}

/**
 * msw request handlers that act as a complete FHIR R4 server under `baseUrl`, backed by the same
 * request handling as {@link startFhirServer} (https://hl7.org/fhir/R4/http.html), for vendors'
 * own tests of code that talks FHIR over `fetch`.
 *
 * @param options - the base URL to answer for, and optionally a repository and validation
 * @returns msw request handlers that behave like the embedded FHIR server
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * const server = setupServer(...createFhirHandlers({ baseUrl: 'https://ehr.test/fhir' }));
 * server.listen();
 * const res = await fetch('https://ehr.test/fhir/Patient?identifier=urn:mrn|1');
 * ```
 * @category msw
 */
export function createFhirHandlers(options: FhirHandlersOptions): RequestHandler[] {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const repository = options.repository ?? createFhirRepository();
  const validate = options.validate ?? false;
  const handler = http.all(
    ({ request }) => {
      const url = request.url.split('#')[0] ?? '';
      return url === baseUrl || url.startsWith(`${baseUrl}/`) || url.startsWith(`${baseUrl}?`);
    },
    async ({ request }) => {
      const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.text();
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const response = await handleFhirRequest({ method: request.method, url: request.url, headers, body }, { baseUrl, repository, validate });
      return new HttpResponse(response.body, { status: response.status, headers: response.headers });
    },
  );
  return options.faults ? withFaults([handler], options.faults) : [handler];
}
