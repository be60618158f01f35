import type { Coding, Condition, DocumentReference, Encounter, Extension, Group, Reference } from 'fhir/r4.js';
import type { Attendee, PeerEncounter } from '../domain/encounter.js';
import { encounterMinutes } from '../domain/encounter.js';
import { Activities, HCPCS_PEER_SERVICES, Modalities, PeerServices, Programs, Settings, SupportTypes } from '../terminology/codes.js';
import type { IdentifierSystems } from '../terminology/identifiers.js';
import { Extensions, normalizeSystem, Profiles, Systems } from '../terminology/systems.js';
import { isPart2Protected, part2SecurityLabels } from '../security/part2-labels.js';
import { base64ToUtf8, utf8ToBase64 } from './internal/base64.js';
import { coding, logicalRef, type EntryKey, type TransactionBuilder } from './internal/builder.js';
import { identifierValue, refIdentifier, type ResourceIndex } from './internal/resolver.js';
import { organizationKey } from './organization.js';
import { patientKey } from './patient.js';
import { practitionerKey, practitionerRoleKey } from './practitioner.js';

const V3 = Systems.V3_ACT_CODE;

/**
 * Encounter.class (v3-ActCode) for a modality and setting: VR for video or audio, else HH, EMER, IMP, FLD or AMB.
 *
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

function baseEncounter(b: TransactionBuilder, e: PeerEncounter, service: keyof typeof PeerServices, key: EntryKey, idx: number): Encounter {
  const participant: NonNullable<Encounter['participant']> = [];
  const roleKey = practitionerRoleKey(b, e.specialistNpi, e.organizationNpi);
  if (b.has(roleKey)) {
    participant.push({ type: [{ coding: [coding(Systems.V3_PARTICIPATION_TYPE, 'PPRF', 'primary performer')] }], individual: b.ref(roleKey), period: { start: e.start, end: e.end } });
  } else {
    b.problem(`encounters[${idx}].specialistNpi`, 'missing_reference', 'the specialist (for this organization) is not in the input');
  }
  if (e.supervisorNpi) {
    const supKey = practitionerKey(e.supervisorNpi);
    participant.push({
      type: [{ coding: [coding(Systems.PEER_CARE_TEAM_ROLE, 'supervisor', 'Supervising clinician')] }],
      individual: b.has(supKey) ? b.ref(supKey) : logicalRef('Practitioner', Systems.NPI, e.supervisorNpi),
    });
  }
  const orgKey = organizationKey(e.organizationNpi);
  return {
    resourceType: 'Encounter',
    meta: {
      profile: [e.mode === 'group' ? Profiles.PeerGroupEncounter : Profiles.Encounter, ...(e.mode === 'group' ? [Profiles.Encounter] : [])],
      ...(e.part2 ? { security: part2SecurityLabels() } : {}),
    },
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
    length: { value: encounterMinutes(e), unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' },
    serviceProvider: b.has(orgKey) ? b.ref(orgKey) : logicalRef('Organization', Systems.NPI, e.organizationNpi),
  };
}

function addAttendeeDetails(b: TransactionBuilder, e: PeerEncounter, a: Attendee, enc: Encounter, key: EntryKey, patient: Reference, encRef: Reference): void {
  const security = e.part2 ? { security: part2SecurityLabels() } : {};
  if (a.goalIds.length) {
    enc.extension = [...(enc.extension ?? []), ...a.goalIds.map((g) => ({ url: Extensions.GoalAddressed, valueReference: logicalRef('Goal', b.ids.goal, g) }))];
  }
  enc.diagnosis = a.diagnoses.map((code, i) => {
    const dxKey: EntryKey = { resourceType: 'Condition', search: 'identifier', system: b.ids.diagnosis, value: `${key.value}:${code}` };
    const condition: Condition = {
      resourceType: 'Condition',
      meta: { profile: [Profiles.EncounterDiagnosis], ...security },
      identifier: [{ system: dxKey.system, value: dxKey.value }],
      clinicalStatus: { coding: [coding(Systems.CONDITION_CLINICAL, 'active', 'Active')] },
      verificationStatus: { coding: [coding(Systems.CONDITION_VER_STATUS, 'confirmed', 'Confirmed')] },
      category: [{ coding: [coding(Systems.CONDITION_CATEGORY, 'encounter-diagnosis', 'Encounter Diagnosis')] }],
      code: { coding: [coding(Systems.ICD10CM, code)] },
      subject: patient,
      encounter: encRef,
      recordedDate: e.end,
    };
    return { condition: b.add(dxKey, condition), use: { coding: [coding('http://terminology.hl7.org/CodeSystem/diagnosis-role', 'billing', 'Billing')] }, rank: i + 1 };
  });
  if (enc.diagnosis.length === 0) delete enc.diagnosis;
  if (a.note !== undefined) {
    const noteKey: EntryKey = { resourceType: 'DocumentReference', search: 'identifier', system: b.ids.note, value: key.value };
    const roleKey = practitionerRoleKey(b, e.specialistNpi, e.organizationNpi);
    const doc: DocumentReference = {
      resourceType: 'DocumentReference',
      meta: { profile: [Profiles.DocumentReference], ...security },
      identifier: [{ system: noteKey.system, value: noteKey.value }],
      status: 'current',
      type: { coding: [coding(Systems.LOINC, '11506-3', 'Progress note')] },
      category: [{ coding: [coding(Systems.US_CORE_DOCREF_CATEGORY, 'clinical-note', 'Clinical Note')] }],
      subject: patient,
      date: e.end,
      ...(b.has(roleKey) ? { author: [b.ref(roleKey)] } : {}),
      content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: utf8ToBase64(a.note) } }],
      context: { encounter: [encRef], period: { start: e.start, end: e.end } },
    };
    b.add(noteKey, doc);
  }
}

function attendeePatient(b: TransactionBuilder, a: Attendee, path: string): Reference | undefined {
  const key = patientKey(b.ids, a.participantId);
  if (!b.has(key)) {
    b.problem(path, 'missing_reference', 'the participant is not in the input');
    return undefined;
  }
  return b.ref(key);
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
    const key = encounterKey(b.ids, e);
    const enc = baseEncounter(b, e, 'individual-peer-support', key, idx);
    enc.subject = patient;
    const ref = b.ref(key);
    addAttendeeDetails(b, e, a, enc, key, patient, ref);
    b.add(key, enc);
    return;
  }
  const groupKey: EntryKey = { resourceType: 'Group', search: 'identifier', system: b.ids.peerGroup, value: e.groupId ?? e.id };
  const group: Group = {
    resourceType: 'Group',
    meta: { profile: [Profiles.PeerGroupSession], ...(e.part2 ? { security: part2SecurityLabels() } : {}) },
    identifier: [{ system: groupKey.system, value: groupKey.value }],
    active: true,
    type: 'person',
    actual: true,
  };
  const parentKey = encounterKey(b.ids, e);
  const parent = baseEncounter(b, e, 'group-peer-support-session', parentKey, idx);
  parent.subject = b.add(groupKey, group);
  const parentRef = b.add(parentKey, parent);
  e.attendees.forEach((a, i) => {
    const patient = attendeePatient(b, a, `encounters[${idx}].attendees[${i}].participantId`);
    if (!patient) return;
    const key = encounterKey(b.ids, e, a);
    const child = baseEncounter(b, e, 'group-peer-support', key, idx);
    child.subject = patient;
    child.partOf = parentRef;
    addAttendeeDetails(b, e, a, child, key, patient, b.ref(key));
    b.add(key, child);
  });
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
    serviceCode: hcpcs,
    part2: isPart2Protected(enc),
  };
}
