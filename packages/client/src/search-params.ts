import type { ResourceType } from './types.js';

/** A search value: one string, or several (repeated parameter = AND; commas inside one = OR). @category Search */
export type SearchValue = string | string[];
type V = SearchValue;

/**
 * Parameters valid on every resource type, plus modifier (`identifier:of-type`) and chained
 * (`subject.identifier`) keys.
 *
 * See https://hl7.org/fhir/R4/search.html#all and https://hl7.org/fhir/R4/search.html#modifiers.
 * @example
 * ```ts
 * const p: CommonSearchParams = { _count: 50, _sort: '-date', 'identifier:missing': 'false' };
 * ```
 * @category Search
 */
export interface CommonSearchParams {
  _id?: V;
  _lastUpdated?: V;
  _tag?: V;
  _profile?: V;
  _security?: V;
  _source?: V;
  _text?: V;
  _content?: V;
  _list?: V;
  _has?: V;
  _count?: number;
  _offset?: number;
  _sort?: V;
  _include?: V;
  _revinclude?: V;
  _elements?: V;
  _summary?: 'true' | 'false' | 'text' | 'data' | 'count';
  _total?: 'none' | 'estimate' | 'accurate';
  [modifierOrChain: `${string}:${string}` | `${string}.${string}`]: V | number | undefined;
}

/** Encounter search parameters (https://hl7.org/fhir/R4/encounter.html#search). @category Search */
export interface EncounterSearchParams extends CommonSearchParams {
  subject?: V; patient?: V; date?: V; identifier?: V; 'part-of'?: V; status?: V; type?: V; class?: V;
  participant?: V; 'participant-type'?: V; practitioner?: V; 'service-provider'?: V; 'episode-of-care'?: V;
  'based-on'?: V; account?: V; 'reason-code'?: V; 'reason-reference'?: V; location?: V; length?: V;
  diagnosis?: V; appointment?: V; 'special-arrangement'?: V; 'service-type'?: V;
}
/** CarePlan search parameters (https://hl7.org/fhir/R4/careplan.html#search). @category Search */
export interface CarePlanSearchParams extends CommonSearchParams {
  subject?: V; patient?: V; category?: V; status?: V; intent?: V; date?: V; identifier?: V; goal?: V;
  'care-team'?: V; encounter?: V; 'based-on'?: V; 'part-of'?: V; replaces?: V; performer?: V;
  'activity-code'?: V; 'activity-date'?: V; 'activity-reference'?: V; condition?: V;
  'instantiates-canonical'?: V; 'instantiates-uri'?: V;
}
/** Goal search parameters (https://hl7.org/fhir/R4/goal.html#search). @category Search */
export interface GoalSearchParams extends CommonSearchParams {
  subject?: V; patient?: V; 'lifecycle-status'?: V; 'achievement-status'?: V; category?: V;
  identifier?: V; 'start-date'?: V; 'target-date'?: V;
}
/** Consent search parameters (https://hl7.org/fhir/R4/consent.html#search). @category Search */
export interface ConsentSearchParams extends CommonSearchParams {
  patient?: V; status?: V; scope?: V; category?: V; date?: V; identifier?: V; actor?: V; action?: V;
  purpose?: V; period?: V; 'security-label'?: V; 'source-reference'?: V; consentor?: V; data?: V;
  organization?: V; policy?: V;
}
/** Patient search parameters (https://hl7.org/fhir/R4/patient.html#search). @category Search */
export interface PatientSearchParams extends CommonSearchParams {
  identifier?: V; name?: V; family?: V; given?: V; birthdate?: V; gender?: V; active?: V;
  'general-practitioner'?: V; organization?: V; telecom?: V; phone?: V; email?: V; address?: V;
  'address-city'?: V; 'address-state'?: V; 'address-postalcode'?: V; deceased?: V; link?: V; language?: V;
}
/** Practitioner search parameters (https://hl7.org/fhir/R4/practitioner.html#search). @category Search */
export interface PractitionerSearchParams extends CommonSearchParams {
  identifier?: V; name?: V; family?: V; given?: V; active?: V; telecom?: V; email?: V; phone?: V;
  address?: V; 'address-state'?: V; communication?: V; gender?: V;
}
/** PractitionerRole search parameters (https://hl7.org/fhir/R4/practitionerrole.html#search). @category Search */
export interface PractitionerRoleSearchParams extends CommonSearchParams {
  practitioner?: V; organization?: V; role?: V; specialty?: V; identifier?: V; active?: V; location?: V;
  service?: V; date?: V; endpoint?: V; email?: V; phone?: V; telecom?: V;
}
/** Organization search parameters (https://hl7.org/fhir/R4/organization.html#search). @category Search */
export interface OrganizationSearchParams extends CommonSearchParams {
  identifier?: V; name?: V; type?: V; active?: V; partof?: V; address?: V; 'address-state'?: V;
  'address-city'?: V; 'address-postalcode'?: V; endpoint?: V; phonetic?: V;
}
/** Coverage search parameters (https://hl7.org/fhir/R4/coverage.html#search). @category Search */
export interface CoverageSearchParams extends CommonSearchParams {
  beneficiary?: V; patient?: V; payor?: V; subscriber?: V; identifier?: V; status?: V; type?: V;
  'class-value'?: V; 'class-type'?: V; 'policy-holder'?: V; dependent?: V;
}
/** Claim search parameters (https://hl7.org/fhir/R4/claim.html#search). @category Search */
export interface ClaimSearchParams extends CommonSearchParams {
  patient?: V; identifier?: V; status?: V; use?: V; created?: V; provider?: V; insurer?: V; encounter?: V;
  'care-team'?: V; enterer?: V; facility?: V; payee?: V; priority?: V; 'detail-udi'?: V; 'item-udi'?: V;
  'procedure-udi'?: V; 'subdetail-udi'?: V;
}
/** ClaimResponse search parameters (https://hl7.org/fhir/R4/claimresponse.html#search). @category Search */
export interface ClaimResponseSearchParams extends CommonSearchParams {
  patient?: V; request?: V; identifier?: V; outcome?: V; status?: V; created?: V; insurer?: V;
  disposition?: V; 'payment-date'?: V; requestor?: V; use?: V;
}
/** Provenance search parameters (https://hl7.org/fhir/R4/provenance.html#search). @category Search */
export interface ProvenanceSearchParams extends CommonSearchParams {
  target?: V; patient?: V; agent?: V; 'agent-role'?: V; 'agent-type'?: V; recorded?: V; entity?: V;
  location?: V; 'signature-type'?: V; when?: V;
}
/** QuestionnaireResponse search parameters (https://hl7.org/fhir/R4/questionnaireresponse.html#search). @category Search */
export interface QuestionnaireResponseSearchParams extends CommonSearchParams {
  subject?: V; patient?: V; questionnaire?: V; status?: V; authored?: V; author?: V; encounter?: V;
  identifier?: V; 'based-on'?: V; 'part-of'?: V; source?: V;
}
/** ServiceRequest search parameters (https://hl7.org/fhir/R4/servicerequest.html#search). @category Search */
export interface ServiceRequestSearchParams extends CommonSearchParams {
  subject?: V; patient?: V; status?: V; intent?: V; category?: V; code?: V; authored?: V; requester?: V;
  performer?: V; 'performer-type'?: V; identifier?: V; encounter?: V; 'based-on'?: V; occurrence?: V;
  requisition?: V; priority?: V; replaces?: V; specimen?: V; 'body-site'?: V;
  'instantiates-canonical'?: V; 'instantiates-uri'?: V;
}
/** Task search parameters (https://hl7.org/fhir/R4/task.html#search). @category Search */
export interface TaskSearchParams extends CommonSearchParams {
  identifier?: V; status?: V; intent?: V; owner?: V; requester?: V; patient?: V; subject?: V; focus?: V;
  'based-on'?: V; 'part-of'?: V; 'group-identifier'?: V; 'business-status'?: V; code?: V;
  'authored-on'?: V; modified?: V; period?: V; performer?: V; priority?: V; encounter?: V;
}

/**
 * Typed search parameters for the resource types peer-fhir writes.
 *
 * See https://hl7.org/fhir/R4/search.html.
 * @example
 * ```ts
 * const p: TypedSearchParams['Encounter'] = { patient: 'Patient/1', date: ['ge2024-01-01', 'lt2024-02-01'] };
 * ```
 * @category Search
 */
export interface TypedSearchParams {
  Encounter: EncounterSearchParams;
  CarePlan: CarePlanSearchParams;
  Goal: GoalSearchParams;
  Consent: ConsentSearchParams;
  Patient: PatientSearchParams;
  Practitioner: PractitionerSearchParams;
  PractitionerRole: PractitionerRoleSearchParams;
  Organization: OrganizationSearchParams;
  Coverage: CoverageSearchParams;
  Claim: ClaimSearchParams;
  ClaimResponse: ClaimResponseSearchParams;
  Provenance: ProvenanceSearchParams;
  QuestionnaireResponse: QuestionnaireResponseSearchParams;
  ServiceRequest: ServiceRequestSearchParams;
  Task: TaskSearchParams;
}

/**
 * Raw search parameters: the escape hatch for any type or server-specific parameter.
 *
 * See https://hl7.org/fhir/R4/search.html.
 * @example
 * ```ts
 * await client.search('Observation', 'code=http://loinc.org|1234-5&_count=10');
 * ```
 * @category Search
 */
export type RawSearchParams = URLSearchParams | string | Record<string, string | string[]>;

/**
 * What `search(type, params)` accepts: the typed interface for owned types (so typos fail to
 * compile), `URLSearchParams` or a query string for anything else; a plain record for other types.
 *
 * See https://hl7.org/fhir/R4/search.html.
 * @example
 * ```ts
 * const p: SearchParamsFor<'Goal'> = { patient: 'Patient/1', 'lifecycle-status': 'active' };
 * ```
 * @category Search
 */
export type SearchParamsFor<K extends ResourceType> = K extends keyof TypedSearchParams
  ? TypedSearchParams[K] | URLSearchParams | string
  : RawSearchParams | CommonSearchParams;
