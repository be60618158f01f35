import type { Bundle, Encounter, Patient, Resource } from 'fhir/r4.js';

/** Small fetch helpers so tests read like FHIR interactions. */
export interface FhirReply<T = Resource> {
  status: number;
  headers: Headers;
  body: T;
}

export async function fhir<T = Resource>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<FhirReply<T>> {
  const res = await fetch(path.startsWith('http') ? path : `${base}/${path}`, {
    method,
    headers: { accept: 'application/fhir+json', ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

export const MRN = 'urn:oid:2.16.840.1.113883.3.999.1';

export function patient(mrn: string, extra: Partial<Patient> = {}): Patient {
  return { resourceType: 'Patient', identifier: [{ system: MRN, value: mrn }], name: [{ family: `Test${mrn}` }], ...extra };
}

export function encounter(subject: string, start: string, extra: Partial<Encounter> = {}): Encounter {
  return {
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: subject },
    period: { start, end: start.replace(/T.*/, 'T23:00:00Z') },
    ...extra,
  };
}

/** A transaction that creates a Patient (conditionally, by MRN) and an Encounter referring to it by urn:uuid. */
export function patientWithEncounterTransaction(mrn: string): Bundle {
  const patientUrn = 'urn:uuid:6c1a6b5e-2f4e-4f59-9a0f-5f1c1c4b0001';
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      { fullUrl: patientUrn, resource: patient(mrn), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${MRN}|${mrn}` } },
      {
        fullUrl: 'urn:uuid:6c1a6b5e-2f4e-4f59-9a0f-5f1c1c4b0002',
        resource: encounter(patientUrn, '2024-03-01T10:00:00Z', { identifier: [{ system: 'urn:peer-fhir:encounter', value: `enc-${mrn}` }] }),
        request: { method: 'POST', url: 'Encounter', ifNoneExist: `identifier=urn:peer-fhir:encounter|enc-${mrn}` },
      },
    ],
  };
}
