import type { FhirResource } from 'fhir/r4.js';
import type { BillingRecordOptions } from '@peer-fhir/billing';
import { conditionalCreate, writeOfParticipants, type WriteOutcome, type WriteTarget } from './write-records.js';

/** One participant's resource, stored by a conditional create on its identifier (`system|value`). */
export interface ParticipantResource {
  participantId: string;
  /** The resource, given the participant's Patient as a literal reference (`Patient/123`). */
  resource: (patient: string) => FhirResource;
  identifier: { system: string; value: string };
}

/**
 * Store one resource per record of a participant already on the server (import their encounters first, else the
 * record is rejected): a conditional create on the record's identifier, so importing the same file again is
 * `unchanged`, and another record under a used id is a `conflict` naming the differing paths (nothing written over).
 */
export function writeParticipantResources(t: WriteTarget, records: readonly ParticipantResource[]): Promise<WriteOutcome[]> {
  return writeOfParticipants(t, records, (r, patient) => conditionalCreate(r.resource(patient), r.identifier.system, r.identifier.value));
}

/**
 * Billing records of participants (service orders, prior authorizations), each mapped by its billing mapper with the
 * participant's Patient as a literal reference and stored under the agency's identifier `system` by its id.
 */
export function writeBillingRecords<R extends { id: string; participantId: string }>(
  t: WriteTarget,
  records: readonly R[],
  system: string,
  toFhir: (record: R, options: BillingRecordOptions) => FhirResource,
): Promise<WriteOutcome[]> {
  return writeParticipantResources(
    t,
    records.map((r) => ({
      participantId: r.participantId,
      identifier: { system, value: r.id },
      resource: (patient) => toFhir(r, { ...t.scope, existing: (key) => (key.resourceType === 'Patient' ? patient : undefined) }),
    })),
  );
}
