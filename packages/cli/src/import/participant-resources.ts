import { randomUUID } from 'node:crypto';
import type { FhirResource } from 'fhir/r4.js';
import type { RecordEntries } from '@peer-fhir/client';
import type { BillingRecordOptions } from '@peer-fhir/billing';
import { locateParticipants, mergeOutcomes, NOT_IMPORTED, outcomesOf, type WriteOutcome, type WriteTarget } from './write-records.js';

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
export async function writeParticipantResources(t: WriteTarget, records: readonly ParticipantResource[]): Promise<WriteOutcome[]> {
  const found = await locateParticipants(t, records.map((r) => r.participantId));
  const all: (WriteOutcome | undefined)[] = [];
  const entries: RecordEntries[] = [];
  const sent: number[] = [];
  for (const [i, r] of records.entries()) {
    const patient = found.get(r.participantId);
    if (!patient) {
      all[i] = { status: 'rejected', reason: NOT_IMPORTED };
      continue;
    }
    const resource = r.resource(patient);
    const ifNoneExist = `identifier=${encodeURIComponent(r.identifier.system)}|${encodeURIComponent(r.identifier.value)}`;
    entries.push([{ fullUrl: `urn:uuid:${randomUUID()}`, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist } }]);
    sent.push(i);
  }
  const summary = entries.length > 0 ? await t.peer.client.recordAll(entries) : undefined;
  return mergeOutcomes(all, sent, summary ? outcomesOf(summary) : []);
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
