/**
 * Service orders as FHIR R4 ServiceRequests (intent `order`), written and read back so `bill` can check them.
 * @module
 */
import { FhirMappingError, identifierSystems, Systems, type IdentityScope, type RecordKey, type ValidationIssue } from '@peer-fhir/core';
import type { ServiceRequest } from 'fhir/r4.js';
import type { z } from 'zod';
import { ServiceOrder } from '../context.js';
import { claimKeys, patientRef } from '../claim/references.js';

/**
 * Options of {@link serviceOrderToFhir} and {@link serviceOrderFromFhir}: whose records (the agency) and, for writing,
 * how to reach the participant's Patient literally.
 *
 * @example
 * ```ts
 * const opts: BillingRecordOptions = { agency: '1234567893', existing: () => 'Patient/42' };
 * ```
 * @category Records
 */
export interface BillingRecordOptions extends IdentityScope {
  /** Resolves the participant's Patient to a literal reference (`Patient/123`), like core's `toFhir` `existing`. */
  existing?: ((key: RecordKey) => string | undefined) | undefined;
}

/** An order with no codes covers any peer service: the ServiceRequest says so in words (code is 1..1 in US Core). */
const ANY_PEER_SERVICE = 'Peer support services';

/**
 * A service order as a FHIR ServiceRequest: `intent` `order`, `authoredOn` the signature date, `occurrencePeriod`
 * what it covers (`end` = `expires`), `requester` the signer by NPI, `code` the HCPCS codes ordered (several codings
 * of one concept: the codes the order covers), identified under the agency's `serviceOrder` system.
 *
 * @param order - the signed service order
 * @param options - the ServiceRequest already stored for the order, if any
 * @returns the ServiceRequest
 * @see https://hl7.org/fhir/R4/servicerequest.html
 * @example
 * ```ts
 * const sr = serviceOrderToFhir({ id: 'so-1', participantId: 'p-1', signedDate: '2025-01-02' }, { agency: '1234567893' });
 * ```
 * @category Records
 */
export function serviceOrderToFhir(order: ServiceOrder, options: BillingRecordOptions): ServiceRequest {
  const o = ServiceOrder.parse(order);
  const ids = identifierSystems(options);
  return {
    resourceType: 'ServiceRequest',
    identifier: [{ system: ids.serviceOrder, value: o.id }],
    status: 'active',
    intent: 'order',
    code: o.codes?.length ? { coding: o.codes.map((code) => ({ system: Systems.HCPCS, code })) } : { text: ANY_PEER_SERVICE },
    subject: patientRef(claimKeys(options), o.participantId, options.existing),
    authoredOn: o.signedDate,
    occurrencePeriod: { start: o.signedDate, ...(o.expires ? { end: o.expires } : {}) },
    ...(o.signerNpi ? { requester: { type: 'Practitioner', identifier: { system: Systems.NPI, value: o.signerNpi } } } : {}),
  };
}

/** The value of the first identifier under `system`. */
const idIn = (identifiers: readonly { system?: string; value?: string }[] | undefined, system: string) => identifiers?.find((i) => i.system === system)?.value;

/** A ServiceRequest that is no longer in force (revoked, entered in error, a draft) orders nothing. */
const IN_FORCE: ReadonlySet<string> = new Set(['active', 'completed']);

function orderCodes(sr: ServiceRequest): string[] | undefined {
  const codes = (sr.code?.coding ?? []).filter((c) => c.system === Systems.HCPCS && c.code).map((c) => c.code as string);
  return codes.length ? codes : undefined;
}

/**
 * Read a ServiceRequest written by {@link serviceOrderToFhir} back into a service order. Returns `undefined` for a
 * ServiceRequest that is not one of this agency's service orders (a referral, another agency's order) or is no longer
 * in force; throws core's `FhirMappingError` (paths only) for one of ours that cannot be read.
 *
 * @param sr - a ServiceRequest written by `serviceOrderToFhir`
 * @param scope - the identity scope it was written under
 * @returns the service order, or undefined when the ServiceRequest is not one
 * @example
 * ```ts
 * const order = serviceOrderFromFhir(sr, { agency: '1234567893' });
 * ```
 * @throws FhirMappingError
 * @category Records
 */
export function serviceOrderFromFhir(sr: ServiceRequest, scope: IdentityScope): ServiceOrder | undefined {
  const ids = identifierSystems(scope);
  const id = idIn(sr.identifier, ids.serviceOrder);
  if (id === undefined || sr.intent !== 'order' || !IN_FORCE.has(sr.status)) return undefined;
  const codes = orderCodes(sr);
  const candidate = {
    id,
    participantId: sr.subject?.identifier?.system === ids.participant ? sr.subject.identifier.value : undefined,
    signedDate: sr.authoredOn?.slice(0, 10) ?? sr.occurrencePeriod?.start?.slice(0, 10),
    ...(sr.requester?.identifier?.system === Systems.NPI ? { signerNpi: sr.requester.identifier.value } : {}),
    ...(codes ? { codes } : {}),
    ...(sr.occurrencePeriod?.end ? { expires: sr.occurrencePeriod.end.slice(0, 10) } : {}),
  };
  return parsed(ServiceOrder, candidate, 'ServiceRequest');
}

/** Parse with a record schema; problems become a `FhirMappingError` naming paths, never values. @internal */
export function parsed<T>(schema: z.ZodType<T>, value: unknown, resourceType: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // zod 4 messages name the expected type or pattern, never the received value
  const issues: ValidationIssue[] = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), code: i.code, message: i.message }));
  throw new FhirMappingError(resourceType, issues);
}
