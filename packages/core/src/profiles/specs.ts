/**
 * peer-fhir's own profiles and extensions, as data: what each constrains on its base. The StructureDefinitions
 * (differential and snapshot) are built from these by `structure-definitions.ts`.
 * @module
 */
import { REDISCLOSURE_NOTICE_EXTENSION } from '../security/redisclosure-notice.js';
import { ReferralProfiles } from '../referrals/terminology.js';
import { PEER_FHIR_CANONICAL, Extensions, Profiles } from '../terminology/systems.js';
import { ExchangeExtensions, ExchangeProfiles } from '../terminology/exchange-profiles.js';
import { SyncCheckpoint } from '../terminology/sync.js';
import { WorkforceExtensions, WorkforceProfiles, WorkforceSystems } from '../workforce/terminology.js';

/** A type an element may take, with target profiles for references. */
export interface TypeSpec {
  code: string;
  targetProfile?: string[];
}

/** One constrained element of a profile (a path of the base resource, `[x]` kept for choice elements). */
export interface ElementSpec {
  path: string;
  min?: number;
  max?: string;
  type?: TypeSpec[];
  /** `fixed<Type>` / `pattern<Type>` name and value, e.g. `['patternCodeableConcept', {...}]`. */
  fixed?: [string, unknown];
  pattern?: [string, unknown];
  short?: string;
  mustSupport?: boolean;
  /** Invariants added on the element (key `peer-<n>`), in FHIRPath. */
  constraint?: { key: string; human: string; expression: string }[];
}

/** A peer-fhir profile on a base R4 resource. */
export interface ProfileSpec {
  kind: 'profile';
  url: string;
  /** Base R4 resource type. */
  type: string;
  title: string;
  description: string;
  elements: ElementSpec[];
}

/** A peer-fhir extension with one value type (or several) and the elements it may appear on. */
export interface ExtensionSpec {
  kind: 'extension';
  url: string;
  title: string;
  description: string;
  /** FHIRPath element contexts (`Encounter`, `Practitioner.qualification`). */
  context: string[];
  value: TypeSpec[];
}

const R4 = (type: string) => `http://hl7.org/fhir/StructureDefinition/${type}`;
const US = (id: string) => `http://hl7.org/fhir/us/core/StructureDefinition/${id}`;
const ref = (...types: string[]): TypeSpec[] => [{ code: 'Reference', targetProfile: types.map((t) => (t.startsWith('http') ? t : R4(t))) }];

/** `https://peer-fhir.org/fhir/StructureDefinition/<id>` of a profile or extension URL. */
const idOf = (url: string) => url.slice(`${PEER_FHIR_CANONICAL}/StructureDefinition/`.length);
export { idOf as structureDefinitionId };

/** Every peer-fhir profile. */
export const profileSpecs: readonly ProfileSpec[] = [
  {
    kind: 'profile',
    url: Profiles.PeerGroupEncounter,
    type: 'Encounter',
    title: 'Peer group session (parent Encounter)',
    description:
      'The session of a peer support group as a whole: subject is the Group of attendees. Billing, consent and clinical facts are per person and live on each attendee\'s own Encounter (US Core Encounter, partOf this one). Not a US Core Encounter: US Core requires a Patient subject.',
    elements: [
      { path: 'Encounter.identifier', min: 1, mustSupport: true },
      { path: 'Encounter.type', min: 1, mustSupport: true },
      { path: 'Encounter.subject', min: 1, type: ref(Profiles.PeerGroupSession), mustSupport: true },
      { path: 'Encounter.participant', min: 1, mustSupport: true },
      { path: 'Encounter.period', min: 1, mustSupport: true },
      { path: 'Encounter.serviceProvider', mustSupport: true },
    ],
  },
  {
    kind: 'profile',
    url: Profiles.PeerGroupSession,
    type: 'Group',
    title: 'Peer support group',
    description: 'The attendees of a peer group session as an actual Group of persons.',
    elements: [
      { path: 'Group.identifier', min: 1, mustSupport: true },
      { path: 'Group.type', fixed: ['fixedCode', 'person'] },
      { path: 'Group.actual', fixed: ['fixedBoolean', true] },
    ],
  },
  {
    kind: 'profile',
    url: Profiles.PeerPractitionerRole,
    type: 'PractitionerRole',
    title: 'Peer specialist role without contact information',
    description:
      'A peer specialist at an agency (NUCC 175T00000X in code and specialty) when no work phone or e-mail is known. US Core PractitionerRole requires contact information or an endpoint (pd-1); with a phone or e-mail peer-fhir claims US Core PractitionerRole instead.',
    elements: [
      { path: 'PractitionerRole.identifier', min: 1 },
      { path: 'PractitionerRole.practitioner', min: 1, type: ref(US('us-core-practitioner')), mustSupport: true },
      { path: 'PractitionerRole.organization', min: 1, type: ref(US('us-core-organization')), mustSupport: true },
      { path: 'PractitionerRole.code', min: 1, mustSupport: true },
      { path: 'PractitionerRole.specialty', min: 1, mustSupport: true },
    ],
  },
  {
    kind: 'profile',
    url: Profiles.PeerRecipientPractitioner,
    type: 'Practitioner',
    title: 'Consent recipient known by name only',
    description:
      'A practitioner named as a recipient of a consent when only a free-text name is known. US Core Practitioner requires name.family; a recipient with a name in parts claims US Core Practitioner instead.',
    elements: [
      { path: 'Practitioner.identifier', min: 1, mustSupport: true },
      {
        path: 'Practitioner.name',
        min: 1,
        mustSupport: true,
        constraint: [{ key: 'peer-1', human: 'Every name of a recipient has its text', expression: 'text.exists()' }],
      },
    ],
  },
  {
    kind: 'profile',
    url: Profiles.PeerConsent,
    type: 'Consent',
    title: 'Peer consent directive',
    description:
      'A 42 CFR Part 2 consent (single TPO consent or to named recipients) or a HIPAA authorization: scope patient-privacy, a permit provision naming recipients, purposes, period and data scope.',
    elements: [
      { path: 'Consent.identifier', min: 1, mustSupport: true },
      { path: 'Consent.patient', min: 1, type: ref(US('us-core-patient')), mustSupport: true },
      { path: 'Consent.dateTime', min: 1, mustSupport: true },
      { path: 'Consent.organization', min: 1, mustSupport: true },
      { path: 'Consent.policy', min: 1, mustSupport: true },
      { path: 'Consent.provision', min: 1, mustSupport: true },
      { path: 'Consent.provision.period', min: 1, mustSupport: true },
      { path: 'Consent.provision.purpose', mustSupport: true },
    ],
  },
  {
    kind: 'profile',
    url: Profiles.PeerPlanSignature,
    type: 'Provenance',
    title: 'Recovery plan signature',
    description:
      'One signature on a recovery plan (R4 CarePlan has no signature element): target the CarePlan, the signature with its ASTM E1762-95 type, the signer as agent. Keyed by a record-key tag because R4 Provenance has no identifier.',
    elements: [
      {
        path: 'Provenance.meta',
        min: 1,
        constraint: [{ key: 'peer-2', human: 'A signature carries its record-key tag (the key it is created under)', expression: "tag.where(system = 'https://peer-fhir.org/fhir/CodeSystem/record-key').exists()" }],
      },
      { path: 'Provenance.target', max: '1', type: ref(US('us-core-careplan')) },
      { path: 'Provenance.signature', min: 1, max: '1', mustSupport: true },
    ],
  },
  {
    kind: 'profile',
    url: `${PEER_FHIR_CANONICAL}/StructureDefinition/instrument-score`,
    type: 'Observation',
    title: 'Instrument total score',
    description:
      'The total score of a recovery or outcome instrument (BARC-10, PHQ-9, …): category survey, the instrument\'s score code, an integer value, derivedFrom the QuestionnaireResponse.',
    elements: [
      { path: 'Observation.identifier', min: 1 },
      { path: 'Observation.category', min: 1, mustSupport: true },
      { path: 'Observation.subject', min: 1, type: ref(US('us-core-patient')), mustSupport: true },
      { path: 'Observation.effective[x]', min: 1, type: [{ code: 'dateTime' }], mustSupport: true },
      { path: 'Observation.value[x]', min: 1, type: [{ code: 'integer' }], mustSupport: true },
      { path: 'Observation.derivedFrom', min: 1, type: ref(US('us-core-questionnaireresponse')), mustSupport: true },
    ],
  },
  {
    kind: 'profile',
    url: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-instrument`,
    type: 'Questionnaire',
    title: 'Peer outcome instrument',
    description: 'A versioned Questionnaire for a recovery or outcome instrument, answered by QuestionnaireResponses that cite `url|version`.',
    elements: [
      { path: 'Questionnaire.url', min: 1 },
      { path: 'Questionnaire.version', min: 1 },
      { path: 'Questionnaire.item', min: 1 },
    ],
  },
  {
    kind: 'profile',
    url: `${PEER_FHIR_CANONICAL}/StructureDefinition/peer-supervision-session`,
    type: 'Encounter',
    title: 'Supervision session',
    description: 'A clinical supervision session of peer specialists (individual or group); the supervisor is the primary performer. Not about a patient, so not a US Core Encounter.',
    elements: [
      { path: 'Encounter.identifier', min: 1 },
      { path: 'Encounter.type', min: 1 },
      { path: 'Encounter.subject', max: '0' },
      { path: 'Encounter.participant', min: 1 },
      { path: 'Encounter.length', min: 1 },
    ],
  },
  {
    kind: 'profile',
    url: WorkforceProfiles.ContinuingEducation,
    type: 'Basic',
    title: 'Continuing education',
    description:
      'Continuing-education hours a peer specialist earned: code workforce-activity#continuing-education, the peer (Practitioner by NPI) as subject, the date as created, the agency as author; hours (ce-hours) and topic (ce-topic) always, provider (ce-provider) and the credential number the hours count toward (ce-credential) when known. R4 has no resource for a training record; Practitioner.qualification is the credential itself (see docs/mapping.md).',
    elements: [
      { path: 'Basic.identifier', min: 1, mustSupport: true },
      { path: 'Basic.code', pattern: ['patternCodeableConcept', { coding: [{ system: WorkforceSystems.ACTIVITY, code: 'continuing-education' }] }], mustSupport: true },
      { path: 'Basic.subject', min: 1, type: ref(US('us-core-practitioner')), mustSupport: true },
      { path: 'Basic.created', min: 1, mustSupport: true },
      { path: 'Basic.author', type: ref(US('us-core-organization')), mustSupport: true },
    ],
  },
  {
    kind: 'profile',
    url: ReferralProfiles.Task,
    type: 'Task',
    title: 'Referral task',
    description:
      'The workflow state of a referral into or out of peer services: status, businessStatus, owner, focus the ServiceRequest and, once completed, output the fulfilling Encounter or Procedure. peer-fhir does not claim the SDOHCC Task profile (see docs/referrals.md).',
    elements: [
      { path: 'Task.identifier', min: 1 },
      { path: 'Task.businessStatus', min: 1 },
      { path: 'Task.focus', min: 1, type: ref(US('us-core-servicerequest')) },
      { path: 'Task.for', min: 1, type: ref(US('us-core-patient')) },
      { path: 'Task.authoredOn', min: 1 },
      { path: 'Task.owner', min: 1 },
    ],
  },
  {
    kind: 'profile',
    url: Profiles.PeerProfessionalClaim,
    type: 'Claim',
    title: 'Peer services professional claim',
    description:
      'A professional claim for peer services built from billable lines (the internal/exchange model of an 837P): patient, billing organization, care team with the rendering peer, HCPCS lines with place of service.',
    elements: [
      { path: 'Claim.identifier', min: 1 },
      { path: 'Claim.patient', type: ref(US('us-core-patient')) },
      { path: 'Claim.careTeam', min: 1 },
      { path: 'Claim.insurance', max: '1' },
      { path: 'Claim.item', min: 1 },
    ],
  },
  {
    kind: 'profile',
    url: Profiles.PeerClaimResponse,
    type: 'ClaimResponse',
    title: 'Remittance of a peer services claim',
    description: 'A payer\'s adjudication of a claim as read from an X12 835: per-line adjudications with CARC reasons, payment and patient responsibility.',
    elements: [
      { path: 'ClaimResponse.patient', type: ref(US('us-core-patient')) },
    ],
  },
  {
    kind: 'profile',
    url: ExchangeProfiles.EligibilityRequest,
    type: 'CoverageEligibilityRequest',
    title: 'Eligibility inquiry (X12 270)',
    description: 'A question to a payer whether a member is covered on a date of service, sent as an X12 270 (005010X279A1); its id is the 270 trace number.',
    elements: [
      { path: 'CoverageEligibilityRequest.patient', type: ref(US('us-core-patient')) },
      { path: 'CoverageEligibilityRequest.serviced[x]', min: 1, type: [{ code: 'date' }] },
      { path: 'CoverageEligibilityRequest.insurance', min: 1 },
    ],
  },
  {
    kind: 'profile',
    url: ExchangeProfiles.EligibilityResponse,
    type: 'CoverageEligibilityResponse',
    title: 'Eligibility answer (X12 271)',
    description: 'A payer\'s X12 271 answer (2000C subscriber): in force or not, benefits with service types and HCPCS, the 270 trace echoed, rejection reasons, another payer.',
    elements: [
      { path: 'CoverageEligibilityResponse.identifier', min: 1 },
      { path: 'CoverageEligibilityResponse.patient', type: ref(US('us-core-patient')) },
      { path: 'CoverageEligibilityResponse.disposition', min: 1 },
    ],
  },
  {
    kind: 'profile',
    url: ExchangeProfiles.PaymentReconciliation,
    type: 'PaymentReconciliation',
    title: 'Payment of an X12 835',
    description: 'One 835 payment (BPR, TRN): the amount, its date and trace, and one detail per claim payment and per provider adjustment (PLB); the details sum to the payment.',
    elements: [
      { path: 'PaymentReconciliation.identifier', min: 1 },
      { path: 'PaymentReconciliation.paymentIssuer', min: 1 },
      { path: 'PaymentReconciliation.paymentIdentifier', min: 1 },
    ],
  },
  {
    kind: 'profile',
    url: ExchangeProfiles.DisclosureAudit,
    type: 'AuditEvent',
    title: 'Disclosure record',
    description: 'One disclosure of records (42 CFR 2.24 accounting; HIPAA 45 CFR 164.528): the patients and resources disclosed, the consents relied on, the discloser and the recipient, the purpose.',
    elements: [
      { path: 'AuditEvent.subtype', min: 2 },
      { path: 'AuditEvent.purposeOfEvent', min: 1 },
      { path: 'AuditEvent.agent', min: 2 },
      { path: 'AuditEvent.entity', min: 1 },
    ],
  },
  {
    kind: 'profile',
    url: SyncCheckpoint.Profile,
    type: 'Basic',
    title: 'Bulk Data sync checkpoint',
    description:
      'Where an incremental FHIR Bulk Data sync from one source stands, stored in the target server so that a sync can move between machines: the source (identifier, its base URL) and the transactionTime of its last complete export (extension). One per source; moved only after a sync in which nothing ended in conflict or was rejected.',
    elements: [
      {
        path: 'Basic',
        constraint: [
          { key: 'peer-sync-1', human: 'Exactly one identifier names the source', expression: `identifier.where(system = '${SyncCheckpoint.SourceSystem}' and value.exists()).count() = 1` },
          { key: 'peer-sync-2', human: 'Exactly one transaction time', expression: `extension.where(url = '${SyncCheckpoint.TransactionTime}' and value.exists()).count() = 1` },
        ],
      },
      { path: 'Basic.identifier', min: 1, mustSupport: true },
      { path: 'Basic.code', pattern: ['patternCodeableConcept', { coding: [{ system: SyncCheckpoint.CodeSystem, code: SyncCheckpoint.Code }] }] },
      { path: 'Basic.extension', min: 1, mustSupport: true },
    ],
  },
];

const coding: TypeSpec[] = [{ code: 'Coding' }];
const ENCOUNTER = ['Encounter'];

/** Every peer-fhir extension. */
export const extensionSpecs: readonly ExtensionSpec[] = [
  { kind: 'extension', url: Extensions.SupportType, title: 'Peer support type', description: 'A kind of support given in a peer encounter (emotional, informational, …), one per extension; code system peer-support-type.', context: ENCOUNTER, value: coding },
  { kind: 'extension', url: Extensions.Activity, title: 'Peer activity', description: 'An activity of a peer encounter (goal setting, advocacy, …), one per extension; code system peer-activity.', context: ENCOUNTER, value: coding },
  { kind: 'extension', url: Extensions.Setting, title: 'Service setting', description: 'Where the service took place (community, home, shelter, …); code system peer-setting.', context: ENCOUNTER, value: coding },
  { kind: 'extension', url: Extensions.Modality, title: 'Modality', description: 'In person, video or audio only; code system peer-modality.', context: ENCOUNTER, value: coding },
  { kind: 'extension', url: Extensions.PlaceOfService, title: 'Place of service', description: 'CMS place-of-service code of the service, kept on the Encounter for billing (the claim carries it on each line).', context: ENCOUNTER, value: coding },
  { kind: 'extension', url: Extensions.GoalAddressed, title: 'Goal addressed', description: 'A recovery-plan Goal this contact worked on.', context: ENCOUNTER, value: ref(US('us-core-goal')) },
  { kind: 'extension', url: Extensions.Part2Program, title: 'Part 2 program', description: 'True when the record comes from a 42 CFR Part 2 program (peer-fhir writes the DS4P labels in meta.security instead; reserved).', context: ['Resource'], value: [{ code: 'boolean' }] },
  { kind: 'extension', url: Extensions.CredentialEndorsement, title: 'Credential endorsement', description: 'An endorsement of a peer certification (MH, SUD, youth, family, forensic); code system peer-endorsement.', context: ['Practitioner.qualification'], value: coding },
  { kind: 'extension', url: Extensions.CredentialState, title: 'Credential state', description: 'Two-letter state (USPS) that issued a peer certification.', context: ['Practitioner.qualification'], value: [{ code: 'code' }] },
  { kind: 'extension', url: Extensions.Strength, title: 'Recovery strength', description: 'A strength the person named in their recovery plan, in their own words.', context: ['CarePlan'], value: [{ code: 'string' }] },
  { kind: 'extension', url: Extensions.CrisisPlan, title: 'Crisis plan', description: 'The crisis plan agreed in a recovery plan.', context: ['CarePlan'], value: [{ code: 'string' }] },
  { kind: 'extension', url: Extensions.ReviewDue, title: 'Review due', description: 'Date by which the recovery plan must be reviewed (e.g. every 6 months in Pennsylvania).', context: ['CarePlan'], value: [{ code: 'date' }] },
  { kind: 'extension', url: ExchangeExtensions.EligibilityOtherPayer, title: 'Other payer', description: 'Another payer or managed-care plan an X12 271 names for the member (2120C NM1), by name and payer id.', context: ['Coverage', 'CoverageEligibilityResponse.insurance'], value: ref('Organization') },
  { kind: 'extension', url: Extensions.ConsentRevoked, title: 'Consent revoked', description: 'When the person revoked the consent (the Consent is then inactive).', context: ['Consent'], value: [{ code: 'dateTime' }] },
  { kind: 'extension', url: Extensions.ConsentDataScope, title: 'Consent data scope', description: 'A kind of data a consent covers, as a coding (reserved; peer-fhir writes provision.class and provision.securityLabel).', context: ['Consent.provision'], value: coding },
  { kind: 'extension', url: Extensions.Supervisor, title: 'Supervisor', description: 'The licensed clinician who supervises the peer in this role.', context: ['PractitionerRole'], value: ref(US('us-core-practitioner')) },
  { kind: 'extension', url: REDISCLOSURE_NOTICE_EXTENSION, title: 'Part 2 redisclosure notice', description: 'The 42 CFR 2.32 notice that accompanies a disclosure of Part 2 records.', context: ['Provenance', 'Bundle'], value: [{ code: 'string' }] },
  { kind: 'extension', url: Extensions.ClaimFrequency, title: 'Claim frequency', description: '837P claim frequency code (CLM05-3): 1 original, 7 replacement, 8 void.', context: ['Claim'], value: [{ code: 'code' }] },
  { kind: 'extension', url: SyncCheckpoint.TransactionTime, title: 'Sync checkpoint transaction time', description: "The source's transactionTime of the last complete Bulk Data sync: the next sync exports with _since set to it.", context: ['Basic'], value: [{ code: 'instant' }] },
  { kind: 'extension', url: WorkforceExtensions.CeHours, title: 'Continuing-education hours', description: 'Hours of continuing education earned (UCUM h).', context: ['Basic'], value: [{ code: 'Quantity' }] },
  { kind: 'extension', url: WorkforceExtensions.CeTopic, title: 'Continuing-education topic', description: 'What the continuing education was about.', context: ['Basic'], value: [{ code: 'string' }] },
  { kind: 'extension', url: WorkforceExtensions.CeProvider, title: 'Continuing-education provider', description: 'Who gave the continuing education (a training provider by name).', context: ['Basic'], value: [{ code: 'string' }] },
  { kind: 'extension', url: WorkforceExtensions.CeCredential, title: 'Credential the hours count toward', description: 'Number of the credential (Practitioner.qualification.identifier) these continuing-education hours count toward; any credential when absent.', context: ['Basic'], value: [{ code: 'string' }] },
  { kind: 'extension', url: Extensions.LineItemControlNumber, title: 'Line item control number', description: 'Overrides the 837P 2400 REF*6R line item control number of a claim line.', context: ['Claim.item'], value: [{ code: 'string' }] },
];
