/**
 * Prior authorizations as FHIR R4 Claims with `use` `preauthorization`, written and read back so `bill` can draw on
 * them (837P 2300 REF*G1).
 * @module
 */
import { FhirMappingError, identifierSystems, Systems, type IdentityScope } from '@peer-fhir/core';
import type { Claim, Reference } from 'fhir/r4.js';
import { PriorAuthorization } from '../context.js';
import { claimKeys, organizationRef, patientRef } from '../claim/references.js';
import { parsed, type BillingRecordOptions } from './service-order.js';

const CLAIM_TYPE = Systems.CLAIM_TYPE;
const PROCESS_PRIORITY = Systems.PROCESS_PRIORITY;

/**
 * Options of {@link priorAuthorizationToFhir}.
 *
 * @example
 * ```ts
 * const opts: PriorAuthorizationOptions = { agency: '1234567893', created: '2025-01-02' };
 * ```
 * @category Records
 */
export interface PriorAuthorizationOptions extends BillingRecordOptions {
  /** `Claim.created`; default the authorization's first day. */
  created?: string | undefined;
  /** The participant's Coverage; default a reference that only says so in words (Claim.insurance.coverage is 1..1). */
  coverage?: Reference | undefined;
}

/**
 * A payer's prior authorization as a FHIR Claim with `use` `preauthorization` (the form a payer answers): one item
 * with the HCPCS code, the units authorized (`quantity`) and the period (`servicedPeriod`), the authorization number
 * in `insurance[0].preAuthRef`, identified under the agency's `priorAuthorization` system. `unitsUsed` is not stored:
 * `bill` counts the units drawn from the agency's stored claims.
 *
 * @param auth - the prior authorization
 * @param options - the creation date and the Coverage to reference
 * @returns a Claim with `use` `preauthorization`
 * @see https://hl7.org/fhir/R4/claim-definitions.html#Claim.use
 * @example
 * ```ts
 * const claim = priorAuthorizationToFhir({ id: 'pa-1', participantId: 'p-1', code: 'H0038',
 *   period: { start: '2025-01-01', end: '2025-06-30' }, units: 48, unitsUsed: 0, reference: 'AUTH123' }, { agency: '1234567893' });
 * ```
 * @category Records
 */
export function priorAuthorizationToFhir(auth: PriorAuthorization, options: PriorAuthorizationOptions): Claim {
  const a = PriorAuthorization.parse(auth);
  const keys = claimKeys(options);
  return {
    resourceType: 'Claim',
    identifier: [{ system: identifierSystems(options).priorAuthorization, value: a.id }],
    status: 'active',
    type: { coding: [{ system: CLAIM_TYPE, code: 'professional', display: 'Professional' }] },
    use: 'preauthorization',
    patient: patientRef(keys, a.participantId, options.existing),
    billablePeriod: { ...a.period },
    created: options.created ?? a.period.start,
    provider: organizationRef(keys, options.agency),
    priority: { coding: [{ system: PROCESS_PRIORITY, code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: options.coverage ?? { display: "the participant's coverage" }, preAuthRef: [a.reference] }],
    item: [{ sequence: 1, productOrService: { coding: [{ system: Systems.HCPCS, code: a.code }] }, quantity: { value: a.units }, servicedPeriod: { ...a.period } }],
  };
}

/**
 * Read a Claim written by {@link priorAuthorizationToFhir} back into a prior authorization. Returns `undefined` for a
 * Claim that is not one of this agency's prior authorizations or is no longer active; throws core's
 * `FhirMappingError` (paths only) for one of ours that cannot be read (e.g. more than one item).
 *
 * @param claim - a Claim written by `priorAuthorizationToFhir`
 * @param scope - the identity scope it was written under
 * @returns the prior authorization, or undefined when the Claim is not one
 * @example
 * ```ts
 * const auth = priorAuthorizationFromFhir(claim, { agency: '1234567893' });
 * ```
 * @throws FhirMappingError
 * @category Records
 */
export function priorAuthorizationFromFhir(claim: Claim, scope: IdentityScope): PriorAuthorization | undefined {
  const ids = identifierSystems(scope);
  const id = claim.identifier?.find((i) => i.system === ids.priorAuthorization)?.value;
  if (id === undefined || claim.use !== 'preauthorization' || claim.status !== 'active') return undefined;
  if ((claim.item ?? []).length !== 1) throw new FhirMappingError('Claim', [{ path: 'item', code: 'cardinality', message: 'a prior authorization has exactly one item' }]);
  const item = claim.item?.[0];
  const period = item?.servicedPeriod ?? claim.billablePeriod;
  return parsed(
    PriorAuthorization,
    {
      id,
      participantId: claim.patient.identifier?.system === ids.participant ? claim.patient.identifier.value : undefined,
      code: item?.productOrService.coding?.find((c) => c.system === Systems.HCPCS)?.code,
      period: { start: period?.start?.slice(0, 10), end: period?.end?.slice(0, 10) },
      units: item?.quantity?.value,
      reference: claim.insurance?.[0]?.preAuthRef?.[0],
    },
    'Claim',
  );
}
