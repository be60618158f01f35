import { ExchangeProfiles } from '@peer-fhir/core';
import type { CodeableConcept, Coverage, CoverageEligibilityResponse, CoverageEligibilityResponseInsuranceItem, Reference } from 'fhir/r4.js';
import { describe, INSURANCE_TYPE_TEXT, SERVICE_TYPE_TEXT } from './codes.js';
import { ELIGIBILITY_TRACE_SYSTEM, OTHER_PAYER_EXTENSION, REJECT_REASON_SYSTEM, SERVICE_TYPE_SYSTEM } from './systems.js';
import type { EligibilityResponseSet, EligibilitySubscriber } from './types.js';
import { eligibilityVerdict, type EligibilityVerdict, type EligibilityVerdictOptions } from './verdict.js';
import { HCPCS_SYSTEM, PAYER_ID_SYSTEM } from '../internal/systems.js';

/** References the response points at (R4 requires patient, request and insurer). @category Eligibility */
export interface EligibilityResponseRefs {
  readonly patient: Reference;
  readonly request: Reference;
  readonly insurer: Reference;
  /** The Coverage asked about; `insurance[0].coverage`. */
  readonly coverage?: Reference;
  readonly requestor?: Reference;
}

const HL7_NETWORK = 'http://terminology.hl7.org/CodeSystem/benefit-network';

function otherPayerExtension(v: EligibilityVerdict) {
  const o = v.otherPayer;
  if (!o) return [];
  return [
    {
      url: OTHER_PAYER_EXTENSION,
      valueReference: {
        ...(o.name ? { display: o.name } : {}),
        ...(o.id ? { identifier: { ...(o.idQualifier === 'PI' ? { system: PAYER_ID_SYSTEM } : {}), value: o.id } } : {}),
      },
    },
  ];
}

/**
 * Map one 271 answer (a 2000C subscriber) to a FHIR R4 `CoverageEligibilityResponse`.
 *
 * - `outcome` `error` with `error[]` (X12 reject reason codes, in words) when the payer returned an AAA; else `complete`
 * - `disposition`: the {@link eligibilityVerdict} reason; `insurance[0].inforce`: active (true), inactive (false),
 *   absent when the 271 did not say; another payer or MCO in the `eligibility-other-payer` extension
 * - `insurance[0].item[]`: one per EB (service type category, HCPCS productOrService, network, authorization, EB01
 *   in words as `name`)
 * - `identifier`: the 270 trace number echoed (TRN*2)
 *
 * Spec: 005010X279A1 2000C–2120C; FHIR R4 CoverageEligibilityResponse.
 *
 * @param set - the 271 transaction set
 * @param sub - the 2000C subscriber answer
 * @param refs - the request, patient, insurer and coverage to reference
 * @param options - the date of service and the service types asked about
 * @returns the CoverageEligibilityResponse
 * @example
 * ```ts
 * import { read271, toCoverageEligibilityResponse } from '@peer-fhir/x12';
 * declare const text: string;
 * const [set] = read271(text);
 * const response = toCoverageEligibilityResponse(set!, set!.subscribers[0]!, {
 *   patient: { reference: 'Patient/p1' }, request: { reference: 'CoverageEligibilityRequest/elig-1' }, insurer: { reference: 'Organization/payer' },
 * });
 * ```
 * @category Eligibility
 */
export function toCoverageEligibilityResponse(
  set: EligibilityResponseSet,
  sub: EligibilitySubscriber,
  refs: EligibilityResponseRefs,
  options: EligibilityVerdictOptions = {},
): CoverageEligibilityResponse {
  const v = eligibilityVerdict(set, sub, options);
  const items: CoverageEligibilityResponseInsuranceItem[] = sub.benefits.map((b) => {
    const category: CodeableConcept | undefined = b.serviceTypes.length
      ? { coding: b.serviceTypes.map((t) => ({ system: SERVICE_TYPE_SYSTEM, code: t, display: describe(SERVICE_TYPE_TEXT, t, 'service type') })) }
      : undefined;
    return {
      ...(category ? { category } : {}),
      ...(b.procedure && b.procedure.qualifier === 'HC'
        ? {
            productOrService: { coding: [{ system: HCPCS_SYSTEM, code: b.procedure.code }] },
            ...(b.procedure.modifiers.length ? { modifier: b.procedure.modifiers.map((m) => ({ coding: [{ system: HCPCS_SYSTEM, code: m }] })) } : {}),
          }
        : {}),
      name: `${b.text} (EB01 ${b.code})${b.insuranceType ? `, ${describe(INSURANCE_TYPE_TEXT, b.insuranceType, 'insurance type')}` : ''}`,
      ...(b.planDescription ? { description: b.planDescription } : {}),
      ...(b.code === 'I' ? { excluded: true } : {}),
      ...(b.inPlanNetwork === 'Y' || b.inPlanNetwork === 'N' ? { network: { coding: [{ system: HL7_NETWORK, code: b.inPlanNetwork === 'Y' ? 'in' : 'out' }] } } : {}),
      ...(b.authorizationRequired === 'Y' || b.authorizationRequired === 'N' ? { authorizationRequired: b.authorizationRequired === 'Y' } : {}),
    };
  });
  const rejected = v.status === 'rejected';
  const inforce = v.status === 'active' || v.status === 'other-payer' ? true : v.status === 'inactive' ? false : undefined;
  return {
    resourceType: 'CoverageEligibilityResponse',
    meta: { profile: [ExchangeProfiles.EligibilityResponse] },
    status: 'active',
    purpose: ['validation', 'benefits'],
    patient: refs.patient,
    created: set.created ?? new Date().toISOString().slice(0, 10),
    request: refs.request,
    ...(refs.requestor ? { requestor: refs.requestor } : {}),
    outcome: rejected ? 'error' : 'complete',
    disposition: v.reason,
    insurer: refs.insurer,
    ...(sub.traces.length ? { identifier: sub.traces.map((t) => ({ system: ELIGIBILITY_TRACE_SYSTEM, value: t })) } : {}),
    ...(v.period && (v.period.start || v.period.end) && !rejected
      ? { servicedPeriod: { ...(v.period.start ? { start: v.period.start } : {}), ...(v.period.end ? { end: v.period.end } : {}) } }
      : {}),
    ...(refs.coverage
      ? {
          insurance: [
            {
              coverage: refs.coverage,
              ...(inforce !== undefined ? { inforce } : {}),
              ...(v.period && !rejected ? { benefitPeriod: { ...(v.period.start ? { start: v.period.start } : {}), ...(v.period.end ? { end: v.period.end } : {}) } } : {}),
              ...(items.length ? { item: items } : {}),
              ...(v.otherPayer ? { extension: otherPayerExtension(v) } : {}),
            },
          ],
        }
      : {}),
    ...(v.rejections.length
      ? { error: v.rejections.map((r) => ({ code: { coding: [{ system: REJECT_REASON_SYSTEM, code: r.code, display: r.text }], text: `${r.loop}${r.followUpText ? `: ${r.followUpText}` : ''}` } })) }
      : {}),
  };
}

/**
 * The Coverage as the 271 describes it: member id (NM109, when the payer corrected it), period (the deciding benefit's
 * dates, else the plan/eligibility dates), plan and group (`class` plan/group from EB05, REF*18, REF*6P), and another
 * payer or managed-care plan (the `eligibility-other-payer` extension). Returns a new resource; `status` and `payor`
 * stay as they were. A rejected or silent 271 changes nothing.
 *
 * Spec: 005010X279A1 2100C NM1/REF/DTP, 2110C EB/REF/DTP, 2120C NM1; FHIR R4 Coverage.
 *
 * @param coverage - the Coverage the 270 asked about
 * @param set - the 271 transaction set
 * @param sub - the 2000C subscriber answer
 * @param options - the date of service and the service types asked about
 * @returns a copy of the Coverage updated with what the payer answered
 * @example
 * ```ts
 * import { coverageFrom271, read271 } from '@peer-fhir/x12';
 * import type { Coverage } from 'fhir/r4.js';
 * declare const text: string;
 * declare const stored: Coverage;
 * const [set] = read271(text);
 * const updated = coverageFrom271(stored, set!, set!.subscribers[0]!, { dateOfService: '2025-03-03' });
 * ```
 * @category Eligibility
 */
export function coverageFrom271(
  coverage: Coverage,
  set: EligibilityResponseSet,
  sub: EligibilitySubscriber,
  options: EligibilityVerdictOptions = {},
): Coverage {
  const v = eligibilityVerdict(set, sub, options);
  if (v.status === 'rejected' || v.status === 'unknown') return coverage;
  const out: Coverage = { ...coverage };
  if (sub.memberId) out.subscriberId = sub.memberId;
  if (v.period && (v.period.start || v.period.end)) {
    // A 271 that gives only an end (an inactive member's DTP*357) ends the stored period; it does not erase its start
    out.period = { ...coverage.period, ...(v.period.start ? { start: v.period.start } : {}), ...(v.period.end ? { end: v.period.end } : {}) };
  }
  const CLASS = 'http://terminology.hl7.org/CodeSystem/coverage-class';
  const classes = (coverage.class ?? []).filter((c) => !c.type.coding?.some((x) => x.system === CLASS && (x.code === 'plan' || x.code === 'group')));
  if (v.plan?.number || v.plan?.description) {
    classes.push({
      type: { coding: [{ system: CLASS, code: 'plan' }] },
      value: v.plan.number ?? v.plan.description ?? '',
      ...(v.plan.description ? { name: v.plan.description } : {}),
    });
  }
  if (v.plan?.group) classes.push({ type: { coding: [{ system: CLASS, code: 'group' }] }, value: v.plan.group });
  if (classes.length) out.class = classes;
  const ext = (coverage.extension ?? []).filter((x) => x.url !== OTHER_PAYER_EXTENSION);
  ext.push(...otherPayerExtension(v));
  if (ext.length) out.extension = ext;
  else delete out.extension;
  return out;
}

/**
 * Read back what a stored `CoverageEligibilityResponse` (written by {@link toCoverageEligibilityResponse}) said:
 * status, reason, dates and the other payer — what billing's `PB-ELIGIBILITY` edit needs.
 *
 * @param r - a CoverageEligibilityResponse written by `toCoverageEligibilityResponse`
 * @returns the verdict, plan and dates it records
 * @example
 * ```ts
 * import { eligibilityFromResponse } from '@peer-fhir/x12';
 * import type { CoverageEligibilityResponse } from 'fhir/r4.js';
 * declare const stored: CoverageEligibilityResponse;
 * const { status, reason } = eligibilityFromResponse(stored);
 * ```
 * @category Eligibility
 */
export function eligibilityFromResponse(r: CoverageEligibilityResponse): {
  status: EligibilityVerdict['status'];
  reason: string;
  checkedOn: string;
  period?: { start?: string; end?: string };
  otherPayer?: { name?: string; id?: string };
} {
  const ins = r.insurance?.[0];
  const other = ins?.extension?.find((x) => x.url === OTHER_PAYER_EXTENSION)?.valueReference;
  const status: EligibilityVerdict['status'] = r.outcome === 'error' || r.error?.length
    ? 'rejected'
    : other
      ? 'other-payer'
      : ins?.inforce === true
        ? 'active'
        : ins?.inforce === false
          ? 'inactive'
          : 'unknown';
  // Coverage dates bound an active or other-payer answer; an inactive answer speaks for the date asked
  const p = status === 'active' || status === 'other-payer' ? (ins?.benefitPeriod ?? r.servicedPeriod) : undefined;
  return {
    status,
    reason: r.disposition ?? `271 ${status}`,
    checkedOn: r.created.slice(0, 10),
    ...(p ? { period: { ...(p.start ? { start: p.start.slice(0, 10) } : {}), ...(p.end ? { end: p.end.slice(0, 10) } : {}) } } : {}),
    ...(other ? { otherPayer: { ...(other.display ? { name: other.display } : {}), ...(other.identifier?.value ? { id: other.identifier.value } : {}) } } : {}),
  };
}
