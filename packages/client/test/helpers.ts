import type { OperationOutcome, Patient } from 'fhir/r4.js';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { PeerFhirClient, PeerFhirClientOptions } from '../src/index.js';
import { clientWithTestHooks } from '../src/testing/index.js';

export const BASE = 'https://fhir.example.test/r4';

/** One msw server per test file; unhandled requests fail the test. */
export function useMswServer(): ReturnType<typeof setupServer> {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** A client whose backoff sleeps are recorded instead of waited. */
export function testClient(options: Partial<PeerFhirClientOptions> = {}): { client: PeerFhirClient; delays: number[] } {
  const delays: number[] = [];
  const client = clientWithTestHooks(
    { baseUrl: BASE, ...options },
    {
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 0.5,
    },
  );
  return { client, delays };
}

export function patient(overrides: Partial<Patient> = {}): Patient {
  return { resourceType: 'Patient', name: [{ family: 'Zyxwvut', given: ['Synthia'] }], ...overrides };
}

export function outcome(code: OperationOutcome['issue'][number]['code'], diagnostics = 'Patient Synthia Zyxwvut MRN 998877 is invalid', expression?: string[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics, ...(expression ? { expression } : {}) }] };
}

export const fhirJson = { 'content-type': 'application/fhir+json' };
