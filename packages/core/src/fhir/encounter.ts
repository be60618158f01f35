import type { Coding, Condition, DocumentReference, Encounter, Extension, Group, Meta, Reference } from 'fhir/r4.js';
import type { Attendee, PeerEncounter } from '../domain/encounter.js';
import { encounterMinutes } from '../domain/encounter.js';
import { Activities, HCPCS_PEER_SERVICES, Modalities, PeerServices, Programs, Settings, SupportTypes } from '../terminology/codes.js';
import type { IdentifierSystems } from '../terminology/identifiers.js';
import { Extensions, normalizeSystem, Profiles, Systems } from '../terminology/systems.js';
import { isPart2Protected, Part2Labels } from '../security/part2-labels.js';
import { base64ToUtf8, utf8ToBase64 } from './internal/base64.js';
import { coding, logicalRef, type EntryKey, type TransactionBuilder } from './internal/builder.js';
import { identifierValue, refIdentifier, type ResourceIndex } from './internal/resolver.js';
import { encounterLocation, encounterLocationFromFhir } from './location.js';
import { organizationKey } from './organization.js';
import { patientKey } from './patient.js';
import { practitionerKey, practitionerRoleKey } from './practitioner.js';

const V3 = Systems.V3_ACT_CODE;

/**
 * Encounter.class (v3-ActCode) for a modality and setting: VR for video or audio, else HH, EMER, IMP, FLD or AMB.
 *
 * @param e - the encounter's modality and setting
 * @returns the v3-ActCode Encounter.class coding
 * @see https://hl7.org/fhir/R4/v3/ActEncounterCode/vs.html
 * @example
 * ```ts
 * encounterClass({ modality: 'in-person', setting: 'home' }).code; // 'HH'
 * ```
 * @category FHIR mapping
 */
export function encounterClass(e: Pick<PeerEncounter, 'modality' | 'setting'>): Coding {
  if (e.modality !== 'in-person') return coding(V3, 'VR', 'virtual');
  switch (e.setting) {
    case 'home':
      return coding(V3, 'HH', 'home health');
    case 'emergency-department':
      return coding(V3, 'EMER', 'emergency');
    case 'inpatient':
      return coding(V3, 'IMP', 'inpatient encounter');
    case 'community':
    case 'shelter-housing':
    case 'correctional-reentry':
      return coding(V3, 'FLD', 'field');
    default:
      return coding(V3, 'AMB', 'ambulatory');
  }
}

// Every resource gets its own codings, never shared ones: callers edit mapped resources in place (e.g. rewrite a
// coding's system for an older server), and that must not change other resources.
const { Restricted, SubstanceUseDisorder, Part2Law, NoRedisclosure } = Part2Labels;
const label = (c: Coding): Coding => ({ system: c.system, code: c.code, display: c.display });

/** `part2SecurityLabels()` with literals instead of a map over spread copies (same objects, same key order). */
const part2Labels = (): Coding[] => [label(Restricted), label(SubstanceUseDisorder), label(Part2Law), label(NoRedisclosure)];

export function encounterKey(ids: IdentifierSystems, e: PeerEncounter, attendee?: Attendee): EntryKey {
  if (e.mode === 'individual') return { resourceType: 'Encounter', search: 'identifier', system: ids.encounter, value: e.id };
  if (!attendee) return { resourceType: 'Encounter', search: 'identifier', system: ids.groupSession, value: e.id };
  return { resourceType: 'Encounter', search: 'identifier', system: ids.groupAttendance, value: `${e.id}:${attendee.participantId}` };
}

function commonExtensions(e: PeerEncounter): Extension[] {
  const ext: Extension[] = [
    { url: Extensions.Setting, valueCoding: coding(Systems.PEER_SETTING, e.setting, Settings[e.setting]) },
    { url: Extensions.Modality, valueCoding: coding(Systems.PEER_MODALITY, e.modality, Modalities[e.modality]) },
    { url: Extensions.PlaceOfService, valueCoding: coding(Systems.CMS_POS, e.placeOfService) },
  ];
  for (const s of e.supportTypes) ext.push({ url: Extensions.SupportType, valueCoding: coding(Systems.PEER_SUPPORT_TYPE, s, SupportTypes[s]) });
  for (const a of e.activities) ext.push({ url: Extensions.Activity, valueCoding: coding(Systems.PEER_ACTIVITY, a, Activities[a]) });
  return ext;
}

/** What every Encounter of one PeerEncounter shares, worked out once (a group session has one Encounter per attendee). */
interface EncounterContext {
  readonly e: PeerEncounter;
  readonly idx: number;
  readonly minutes: number;
  /**
   * The literal references to the role, supervisor and organization, or undefined when not in the bundle nor on the
   * server; looked up on first use (in the order the mapping always asked the builder) and kept for the other
   * Encounters and the notes: none of these entries can appear while one PeerEncounter is mapped.
   */
  roster?: { role: string | undefined; supervisor: string | undefined; organization: string | undefined };
}

function encounterContext(e: PeerEncounter, idx: number): EncounterContext {
  return { e, idx, minutes: encounterMinutes(e) };
}

function roster(b: TransactionBuilder, cx: EncounterContext): NonNullable<EncounterContext['roster']> {
  if (!cx.roster) {
    const { e } = cx;
    cx.roster = {
      role: b.refIfPresent(practitionerRoleKey(b, e.specialistNpi, e.organizationNpi))?.reference,
      supervisor: e.supervisorNpi ? b.refIfPresent(practitionerKey(e.supervisorNpi))?.reference : undefined,
      organization: b.refIfPresent(organizationKey(e.organizationNpi))?.reference,
    };
  }
  return cx.roster;
}

/**
 * The Encounter up to `serviceProvider`; the caller adds `subject`, `partOf` and `diagnosis` in that order (the key
 * order of the JSON). Each Encounter gets its own Reference objects, as before.
 */
function baseEncounter(b: TransactionBuilder, cx: EncounterContext, service: keyof typeof PeerServices, key: EntryKey): Encounter {
  const { e } = cx;
  const r = roster(b, cx);
  const participant: NonNullable<Encounter['participant']> = [];
  if (r.role !== undefined) {
    participant.push({ type: [{ coding: [coding(Systems.V3_PARTICIPATION_TYPE, 'PPRF', 'primary performer')] }], individual: { reference: r.role }, period: { start: e.start, end: e.end } });
  } else {
    b.problem(`encounters[${cx.idx}].specialistNpi`, 'missing_reference', 'the specialist (for this organization) is not in the input');
  }
  if (e.supervisorNpi) {
    participant.push({
      type: [{ coding: [coding(Systems.PEER_CARE_TEAM_ROLE, 'supervisor', 'Supervising clinician')] }],
      individual: r.supervisor !== undefined ? { reference: r.supervisor } : logicalRef('Practitioner', Systems.NPI, e.supervisorNpi),
    });
  }
  // The parent of a group session has a Group subject, which US Core Encounter does not allow (subject 1..1
  // Reference(US Core Patient)): it claims peer-fhir's group-session profile only. Every per-person Encounter is US Core.
  const meta: Meta = { profile: key.system === b.ids.groupSession ? [Profiles.PeerGroupEncounter] : [Profiles.Encounter] };
  if (e.part2) meta.security = part2Labels();
  return {
    resourceType: 'Encounter',
    meta,
    extension: commonExtensions(e),
    identifier: [{ use: 'official', system: key.system, value: key.value }],
    status: e.status,
    class: encounterClass(e),
    type: [
      {
        coding: [
          coding(Systems.HCPCS, e.serviceCode, e.serviceCode === HCPCS_PEER_SERVICES.code ? HCPCS_PEER_SERVICES.display : undefined),
          coding(Systems.PEER_SERVICE, service, PeerServices[service]),
        ],
      },
    ],
    serviceType: { coding: [coding(Systems.PEER_PROGRAM, e.program, Programs[e.program])] },
    participant,
    period: { start: e.start, end: e.end },
    length: { value: cx.minutes, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' },
    ...(e.location ? { location: encounterLocation(b, e, cx.idx) } : {}),
    serviceProvider: r.organization !== undefined ? { reference: r.organization } : logicalRef('Organization', Systems.NPI, e.organizationNpi),
  };
}

function resourceMeta(profile: string, part2: boolean): Meta {
  return part2 ? { profile: [profile], security: part2Labels() } : { profile: [profile] };
}

/**
 * The diagnosis of an encounter entered in error was never made: verificationStatus `entered-in-error`, and no
 * clinicalStatus (R4 Condition invariant con-5). Otherwise an active, confirmed encounter diagnosis.
 */
function conditionStatus(status: PeerEncounter['status']): Pick<Condition, 'clinicalStatus' | 'verificationStatus'> {
  if (status === 'entered-in-error') return { verificationStatus: { coding: [coding(Systems.CONDITION_VER_STATUS, 'entered-in-error', 'Entered in Error')] } };
  return {
    clinicalStatus: { coding: [coding(Systems.CONDITION_CLINICAL, 'active', 'Active')] },
    verificationStatus: { coding: [coding(Systems.CONDITION_VER_STATUS, 'confirmed', 'Confirmed')] },
  };
}

function addAttendeeDetails(b: TransactionBuilder, cx: EncounterContext, a: Attendee, enc: Encounter, key: EntryKey, patient: Reference, encRef: Reference): void {
  const { e } = cx;
  if (a.goalIds.length) {
    const ext = enc.extension!;
    for (const g of a.goalIds) ext.push({ url: Extensions.GoalAddressed, valueReference: logicalRef('Goal', b.ids.goal, g) });
  }
  if (a.diagnoses.length) {
    const diagnosis: NonNullable<Encounter['diagnosis']> = [];
    for (let i = 0; i < a.diagnoses.length; i++) {
      const code = a.diagnoses[i]!;
      const dxKey: EntryKey = { resourceType: 'Condition', search: 'identifier', system: b.ids.diagnosis, value: `${key.value}:${code}` };
      const condition: Condition = {
        resourceType: 'Condition',
        meta: resourceMeta(Profiles.EncounterDiagnosis, e.part2),
        identifier: [{ system: dxKey.system, value: dxKey.value }],
        ...conditionStatus(e.status),
        category: [{ coding: [coding(Systems.CONDITION_CATEGORY, 'encounter-diagnosis', 'Encounter Diagnosis')] }],
        code: { coding: [coding(Systems.ICD10CM, code)] },
        subject: patient,
        encounter: encRef,
        recordedDate: e.end,
      };
      diagnosis.push({ condition: b.add(dxKey, condition), use: { coding: [coding('http://terminology.hl7.org/CodeSystem/diagnosis-role', 'billing', 'Billing')] }, rank: i + 1 });
    }
    enc.diagnosis = diagnosis;
    // US Core Encounter must-support reasonReference: the same encounter-diagnosis Conditions (why the contact happened).
    enc.reasonReference = diagnosis.map((d) => ({ ...d.condition }));
    // US Core Encounter must-support reasonCode (US Core Condition Codes, extensible, include ICD-10-CM): the same codes.
    enc.reasonCode = a.diagnoses.map((code) => ({ coding: [coding(Systems.ICD10CM, code)] }));
  }
  if (a.note !== undefined) {
    const noteKey: EntryKey = { resourceType: 'DocumentReference', search: 'identifier', system: b.ids.note, value: key.value };
    const role = roster(b, cx).role;
    const meta = resourceMeta(Profiles.DocumentReference, e.part2);
    const identifier = [{ system: noteKey.system, value: noteKey.value }];
    const type = { coding: [coding(Systems.LOINC, '11506-3', 'Progress note')] };
    const category = [{ coding: [coding(Systems.US_CORE_DOCREF_CATEGORY, 'clinical-note', 'Clinical Note')] }];
    const content = [{ attachment: { contentType: 'text/plain; charset=utf-8', data: utf8ToBase64(a.note) } }];
    const context = { encounter: [encRef], period: { start: e.start, end: e.end } };
    // Two literals rather than a spread: `author`, when the role is known, sits between `date` and `content`.
    // An encounter entered in error takes its note with it (DocumentReference.status, R4 document-reference-status).
    const status = e.status === 'entered-in-error' ? 'entered-in-error' : 'current';
    const doc: DocumentReference = role !== undefined
      ? { resourceType: 'DocumentReference', meta, identifier, status, type, category, subject: patient, date: e.end, author: [{ reference: role }], content, context }
      : { resourceType: 'DocumentReference', meta, identifier, status, type, category, subject: patient, date: e.end, content, context };
    b.add(noteKey, doc);
  }
}

function attendeePatient(b: TransactionBuilder, a: Attendee, path: string): Reference | undefined {
  const ref = b.refIfPresent(patientKey(b.ids, a.participantId));
  if (!ref) b.problem(path, 'missing_reference', 'the participant is not in the input');
  return ref;
}

/**
 * Adds a peer encounter: one Encounter (individual) or a parent Encounter with a Group subject plus one child
 * Encounter per attendee (`partOf`), each with its encounter-diagnosis Conditions and progress note.
 */
export function addEncounter(b: TransactionBuilder, e: PeerEncounter, idx: number): void {
  if (e.mode === 'individual') {
    const a = e.attendees[0]!;
    const patient = attendeePatient(b, a, `encounters[${idx}].attendees[0].participantId`);
    if (!patient) return;
    const cx = encounterContext(e, idx);
    const key = encounterKey(b.ids, e);
    const enc = baseEncounter(b, cx, 'individual-peer-support', key);
    enc.subject = patient;
    addAttendeeDetails(b, cx, a, enc, key, patient, b.ref(key));
    b.add(key, enc);
    return;
  }
  const groupKey: EntryKey = { resourceType: 'Group', search: 'identifier', system: b.ids.peerGroup, value: e.groupId ?? e.id };
  const group: Group = {
    resourceType: 'Group',
    meta: resourceMeta(Profiles.PeerGroupSession, e.part2),
    identifier: [{ system: groupKey.system, value: groupKey.value }],
    active: true,
    type: 'person',
    actual: true,
  };
  const cx = encounterContext(e, idx);
  const parentKey = encounterKey(b.ids, e);
  const parent = baseEncounter(b, cx, 'group-peer-support-session', parentKey);
  parent.subject = b.add(groupKey, group);
  const parentRef = b.add(parentKey, parent);
  for (let i = 0; i < e.attendees.length; i++) {
    const a = e.attendees[i]!;
    const patient = attendeePatient(b, a, `encounters[${idx}].attendees[${i}].participantId`);
    if (!patient) continue;
    const key = encounterKey(b.ids, e, a);
    const child = baseEncounter(b, cx, 'group-peer-support', key);
    child.subject = patient;
    child.partOf = parentRef;
    addAttendeeDetails(b, cx, a, child, key, patient, b.ref(key));
    b.add(key, child);
  }
}

// Module constants so ResourceIndex builds each reverse-reference index once per bundle.
const noteEncounters = (d: DocumentReference) => d.context?.encounter ?? [];
const partOf = (c: Encounter) => [c.partOf];

const extCodes = (enc: Encounter, url: string) => (enc.extension ?? []).filter((x) => x.url === url).map((x) => x.valueCoding?.code);
const extCode = (enc: Encounter, url: string) => extCodes(enc, url)[0];

function attendeeFromFhir(index: ResourceIndex, ids: IdentifierSystems, enc: Encounter): unknown {
  const diagnoses = [...(enc.diagnosis ?? [])]
    .sort((x, y) => (x.rank ?? 0) - (y.rank ?? 0))
    .map((d) => index.resolve(d.condition, 'Condition')?.code?.coding?.find((c) => c.system === Systems.ICD10CM)?.code);
  const note = index.referencing('DocumentReference', enc, noteEncounters)[0]?.content[0]?.attachment.data;
  return {
    participantId: refIdentifier(index, enc.subject, ids.participant),
    diagnoses,
    goalIds: (enc.extension ?? []).filter((x) => x.url === Extensions.GoalAddressed).map((x) => x.valueReference?.identifier?.value),
    ...(note !== undefined ? { note: base64ToUtf8(note) } : {}),
  };
}

/** Read an individual Encounter, or a group parent Encounter with its children, back into a PeerEncounter-shaped object. */
export function encounterFromFhir(index: ResourceIndex, ids: IdentifierSystems, enc: Encounter): unknown {
  const groupSession = identifierValue(enc, ids.groupSession);
  const role = index.resolve(enc.participant?.find((p) => p.type?.some((t) => t.coding?.some((c) => c.code === 'PPRF')))?.individual, 'PractitionerRole');
  const practitioner = index.resolve(role?.practitioner, 'Practitioner');
  const supervisorRef = enc.participant?.find((p) => p.type?.some((t) => t.coding?.some((c) => c.code === 'supervisor')))?.individual;
  const supervisorNpi = refIdentifier(index, supervisorRef, Systems.NPI);
  const hcpcs = enc.type?.flatMap((t) => t.coding ?? []).find((c) => normalizeSystem(c.system) === Systems.HCPCS)?.code;
  const children = groupSession ? index.referencing('Encounter', enc, partOf) : [];
  const group = groupSession ? index.resolve(enc.subject, 'Group') : undefined;
  const location = encounterLocationFromFhir(index, ids.location, enc);
  return {
    id: groupSession ?? identifierValue(enc, ids.encounter),
    mode: groupSession ? 'group' : 'individual',
    ...(group ? { groupId: identifierValue(group, ids.peerGroup) } : {}),
    attendees: groupSession ? children.map((c) => attendeeFromFhir(index, ids, c)) : [attendeeFromFhir(index, ids, enc)],
    status: enc.status,
    specialistNpi: practitioner ? identifierValue(practitioner, Systems.NPI) : undefined,
    ...(supervisorNpi ? { supervisorNpi } : {}),
    organizationNpi: refIdentifier(index, enc.serviceProvider, Systems.NPI),
    start: enc.period?.start,
    end: enc.period?.end,
    modality: extCode(enc, Extensions.Modality),
    setting: extCode(enc, Extensions.Setting),
    program: enc.serviceType?.coding?.find((c) => c.system === Systems.PEER_PROGRAM)?.code,
    supportTypes: extCodes(enc, Extensions.SupportType),
    activities: extCodes(enc, Extensions.Activity),
    placeOfService: extCode(enc, Extensions.PlaceOfService),
    ...(location ? { location } : {}),
    serviceCode: hcpcs,
    part2: isPart2Protected(enc),
  };
}
