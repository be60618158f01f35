import type { Attachment, Coding, Condition, DocumentReference, DocumentReferenceContext, Encounter, EncounterDiagnosis, EncounterParticipant, Extension, Group, Meta, Quantity, Reference } from 'fhir/r4.js';
import type { Attendee, PeerEncounter } from '../domain/encounter.js';
import { encounterMinutes } from '../domain/encounter.js';
import { Activities, HCPCS_PEER_SERVICES, Modalities, PeerServices, Programs, Settings, SupportTypes } from '../terminology/codes.js';
import type { IdentifierSystems } from '../terminology/identifiers.js';
import { Extensions, normalizeSystem, Profiles, Systems } from '../terminology/systems.js';
import { isPart2Protected, Part2Labels } from '../security/part2-labels.js';
import { base64ToUtf8, utf8ToBase64 } from './internal/base64.js';
import { logicalRef, type EntryKey, type TransactionBuilder } from './internal/builder.js';
import { blank, blankResource, codeable, coding, codingExtension, keyIdentifier, list, period, reference } from './internal/fresh.js';
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
// coding's system for an older server), and that must not change other resources. Objects and arrays of the mapped
// resources are built with internal/fresh.ts, never with literals (why: that module's comment).
const { Restricted, SubstanceUseDisorder, Part2Law, NoRedisclosure } = Part2Labels;
const label = (c: Coding): Coding => {
  const l: Coding = {};
  l.system = c.system;
  l.code = c.code;
  l.display = c.display;
  return l;
};

/** `part2SecurityLabels()` without a map over spread copies (same objects, same key order). */
const part2Labels = (): Coding[] => list(label(Restricted), label(SubstanceUseDisorder), label(Part2Law), label(NoRedisclosure));

/** `{ profile: [profile] }`, with the Part 2 labels as `security` when `part2`. */
function resourceMeta(profile: string, part2: boolean): Meta {
  const meta: Meta = {};
  meta.profile = list(profile);
  if (part2) meta.security = part2Labels();
  return meta;
}

export function encounterKey(ids: IdentifierSystems, e: PeerEncounter, attendee?: Attendee): EntryKey {
  if (e.mode === 'individual') return { resourceType: 'Encounter', search: 'identifier', system: ids.encounter, value: e.id };
  if (!attendee) return { resourceType: 'Encounter', search: 'identifier', system: ids.groupSession, value: e.id };
  return { resourceType: 'Encounter', search: 'identifier', system: ids.groupAttendance, value: `${e.id}:${attendee.participantId}` };
}

function commonExtensions(e: PeerEncounter): Extension[] {
  const ext = list(
    codingExtension(Extensions.Setting, coding(Systems.PEER_SETTING, e.setting, Settings[e.setting])),
    codingExtension(Extensions.Modality, coding(Systems.PEER_MODALITY, e.modality, Modalities[e.modality])),
    codingExtension(Extensions.PlaceOfService, coding(Systems.CMS_POS, e.placeOfService)),
  );
  for (const s of e.supportTypes) ext.push(codingExtension(Extensions.SupportType, coding(Systems.PEER_SUPPORT_TYPE, s, SupportTypes[s])));
  for (const a of e.activities) ext.push(codingExtension(Extensions.Activity, coding(Systems.PEER_ACTIVITY, a, Activities[a])));
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

/** `{ type: [{ coding: [role] }], individual }`. */
function encounterParticipant(role: Coding, individual: Reference): EncounterParticipant {
  const p: EncounterParticipant = {};
  p.type = list(codeable(role));
  p.individual = individual;
  return p;
}

function participants(b: TransactionBuilder, cx: EncounterContext, r: NonNullable<EncounterContext['roster']>): EncounterParticipant[] {
  const { e } = cx;
  const participant = list<EncounterParticipant>();
  if (r.role !== undefined) {
    const performer = encounterParticipant(coding(Systems.V3_PARTICIPATION_TYPE, 'PPRF', 'primary performer'), reference(r.role));
    performer.period = period(e.start, e.end);
    participant.push(performer);
  } else {
    b.problem(`encounters[${cx.idx}].specialistNpi`, 'missing_reference', 'the specialist (for this organization) is not in the input');
  }
  if (e.supervisorNpi) {
    const supervisor = r.supervisor !== undefined ? reference(r.supervisor) : logicalRef('Practitioner', Systems.NPI, e.supervisorNpi);
    participant.push(encounterParticipant(coding(Systems.PEER_CARE_TEAM_ROLE, 'supervisor', 'Supervising clinician'), supervisor));
  }
  return participant;
}

/** `{ value: minutes, unit: 'min', system: UCUM, code: 'min' }`. */
function minutesQuantity(minutes: number): Quantity {
  const q: Quantity = {};
  q.value = minutes;
  q.unit = 'min';
  q.system = 'http://unitsofmeasure.org';
  q.code = 'min';
  return q;
}

/**
 * The Encounter up to `serviceProvider`; the caller adds `subject`, `partOf` and `diagnosis` in that order (the key
 * order of the JSON). Each Encounter gets its own Reference objects, as before.
 */
function baseEncounter(b: TransactionBuilder, cx: EncounterContext, service: keyof typeof PeerServices, key: EntryKey): Encounter {
  const { e } = cx;
  const r = roster(b, cx);
  const participant = participants(b, cx, r);
  // The parent of a group session has a Group subject, which US Core Encounter does not allow (subject 1..1
  // Reference(US Core Patient)): it claims peer-fhir's group-session profile only. Every per-person Encounter is US Core.
  const enc = blankResource<Encounter>('Encounter');
  enc.meta = resourceMeta(key.system === b.ids.groupSession ? Profiles.PeerGroupEncounter : Profiles.Encounter, e.part2);
  enc.extension = commonExtensions(e);
  enc.identifier = list(keyIdentifier(key, 'official'));
  enc.status = e.status;
  enc.class = encounterClass(e);
  const hcpcsDisplay = e.serviceCode === HCPCS_PEER_SERVICES.code ? HCPCS_PEER_SERVICES.display : undefined;
  enc.type = list(codeable(coding(Systems.HCPCS, e.serviceCode, hcpcsDisplay), coding(Systems.PEER_SERVICE, service, PeerServices[service])));
  enc.serviceType = codeable(coding(Systems.PEER_PROGRAM, e.program, Programs[e.program]));
  enc.participant = participant;
  enc.period = period(e.start, e.end);
  enc.length = minutesQuantity(cx.minutes);
  if (e.location) enc.location = encounterLocation(b, e, cx.idx);
  enc.serviceProvider = r.organization !== undefined ? reference(r.organization) : logicalRef('Organization', Systems.NPI, e.organizationNpi);
  return enc;
}

/**
 * The diagnosis of an encounter entered in error was never made: verificationStatus `entered-in-error`, and no
 * clinicalStatus (R4 Condition invariant con-5). Otherwise an active, confirmed encounter diagnosis.
 */
function setConditionStatus(condition: Condition, status: PeerEncounter['status']): void {
  if (status === 'entered-in-error') {
    condition.verificationStatus = codeable(coding(Systems.CONDITION_VER_STATUS, 'entered-in-error', 'Entered in Error'));
    return;
  }
  condition.clinicalStatus = codeable(coding(Systems.CONDITION_CLINICAL, 'active', 'Active'));
  condition.verificationStatus = codeable(coding(Systems.CONDITION_VER_STATUS, 'confirmed', 'Confirmed'));
}

/** One encounter-diagnosis Condition (US Core), identified by `dxKey`. */
function diagnosisCondition(cx: EncounterContext, dxKey: EntryKey, code: string, patient: Reference, encRef: Reference): Condition {
  const { e } = cx;
  const condition = blankResource<Condition>('Condition');
  condition.meta = resourceMeta(Profiles.EncounterDiagnosis, e.part2);
  condition.identifier = list(keyIdentifier(dxKey));
  setConditionStatus(condition, e.status);
  condition.category = list(codeable(coding(Systems.CONDITION_CATEGORY, 'encounter-diagnosis', 'Encounter Diagnosis')));
  condition.code = codeable(coding(Systems.ICD10CM, code));
  condition.subject = patient;
  condition.encounter = encRef;
  condition.recordedDate = e.end;
  return condition;
}

/** The attendee's diagnoses as Conditions, and as the Encounter's diagnosis, reasonReference and reasonCode. */
function addDiagnoses(b: TransactionBuilder, cx: EncounterContext, a: Attendee, enc: Encounter, key: EntryKey, patient: Reference, encRef: Reference): void {
  const diagnosis = list<EncounterDiagnosis>();
  const reasons = list<Reference>();
  for (let i = 0; i < a.diagnoses.length; i++) {
    const code = a.diagnoses[i]!;
    const dxKey: EntryKey = { resourceType: 'Condition', search: 'identifier', system: b.ids.diagnosis, value: `${key.value}:${code}` };
    const d = blank<EncounterDiagnosis>();
    d.condition = b.add(dxKey, diagnosisCondition(cx, dxKey, code, patient, encRef));
    d.use = codeable(coding('http://terminology.hl7.org/CodeSystem/diagnosis-role', 'billing', 'Billing'));
    d.rank = i + 1;
    diagnosis.push(d);
    const reason: Reference = {};
    reason.reference = d.condition.reference;
    reasons.push(reason);
  }
  enc.diagnosis = diagnosis;
  // US Core Encounter must-support reasonReference: the same encounter-diagnosis Conditions (why the contact happened).
  enc.reasonReference = reasons;
  // US Core Encounter must-support reasonCode (US Core Condition Codes, extensible, include ICD-10-CM): the same codes.
  enc.reasonCode = a.diagnoses.map((code) => codeable(coding(Systems.ICD10CM, code)));
}

/** The attendee's note as a DocumentReference (US Core clinical note), authored by the peer's role when known. */
function addNote(b: TransactionBuilder, cx: EncounterContext, note: string, key: EntryKey, patient: Reference, encRef: Reference): void {
  const { e } = cx;
  const noteKey: EntryKey = { resourceType: 'DocumentReference', search: 'identifier', system: b.ids.note, value: key.value };
  const role = roster(b, cx).role;
  const doc = blankResource<DocumentReference>('DocumentReference');
  doc.meta = resourceMeta(Profiles.DocumentReference, e.part2);
  doc.identifier = list(keyIdentifier(noteKey));
  // An encounter entered in error takes its note with it (DocumentReference.status, R4 document-reference-status).
  doc.status = e.status === 'entered-in-error' ? 'entered-in-error' : 'current';
  doc.type = codeable(coding(Systems.LOINC, '11506-3', 'Progress note'));
  doc.category = list(codeable(coding(Systems.US_CORE_DOCREF_CATEGORY, 'clinical-note', 'Clinical Note')));
  doc.subject = patient;
  doc.date = e.end;
  if (role !== undefined) doc.author = list(reference(role));
  const attachment: Attachment = {};
  attachment.contentType = 'text/plain; charset=utf-8';
  attachment.data = utf8ToBase64(note);
  const content = blank<NonNullable<DocumentReference['content']>[number]>();
  content.attachment = attachment;
  doc.content = list(content);
  const context: DocumentReferenceContext = {};
  context.encounter = list(encRef);
  context.period = period(e.start, e.end);
  doc.context = context;
  b.add(noteKey, doc);
}

function addAttendeeDetails(b: TransactionBuilder, cx: EncounterContext, a: Attendee, enc: Encounter, key: EntryKey, patient: Reference, encRef: Reference): void {
  if (a.goalIds.length) {
    const ext = enc.extension!;
    for (const g of a.goalIds) {
      const goal = blank<Extension>();
      goal.url = Extensions.GoalAddressed;
      goal.valueReference = logicalRef('Goal', b.ids.goal, g);
      ext.push(goal);
    }
  }
  if (a.diagnoses.length) addDiagnoses(b, cx, a, enc, key, patient, encRef);
  if (a.note !== undefined) addNote(b, cx, a.note, key, patient, encRef);
}

/** The attendee's Patient; a problem at `encounters[idx].attendees[i].participantId` when it is not there (the path is built only then). */
function attendeePatient(b: TransactionBuilder, a: Attendee, idx: number, i: number): Reference | undefined {
  const ref = b.refIfPresent(patientKey(b.ids, a.participantId));
  if (!ref) b.problem(`encounters[${idx}].attendees[${i}].participantId`, 'missing_reference', 'the participant is not in the input');
  return ref;
}

/**
 * Adds a peer encounter: one Encounter (individual) or a parent Encounter with a Group subject plus one child
 * Encounter per attendee (`partOf`), each with its encounter-diagnosis Conditions and progress note.
 */
export function addEncounter(b: TransactionBuilder, e: PeerEncounter, idx: number): void {
  if (e.mode === 'individual') {
    const a = e.attendees[0]!;
    const patient = attendeePatient(b, a, idx, 0);
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
  const group = blankResource<Group>('Group');
  group.meta = resourceMeta(Profiles.PeerGroupSession, e.part2);
  group.identifier = list(keyIdentifier(groupKey));
  group.active = true;
  group.type = 'person';
  group.actual = true;
  const cx = encounterContext(e, idx);
  const parentKey = encounterKey(b.ids, e);
  const parent = baseEncounter(b, cx, 'group-peer-support-session', parentKey);
  parent.subject = b.add(groupKey, group);
  const parentRef = b.add(parentKey, parent);
  for (let i = 0; i < e.attendees.length; i++) {
    const a = e.attendees[i]!;
    const patient = attendeePatient(b, a, idx, i);
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
