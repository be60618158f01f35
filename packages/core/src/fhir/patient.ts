import type { ContactPoint, Coverage, Extension, Identifier, Organization as FhirOrganization, Patient, Reference } from 'fhir/r4.js';
import type { MedicaidCoverage, Participant } from '../domain/participant.js';
import { BirthSexCodes, OmbEthnicityCategories, OmbRaceCategories } from '../terminology/codes.js';
import { Profiles, Systems, UsCoreExtensions } from '../terminology/systems.js';
import { type EntryKey, type TransactionBuilder } from './internal/builder.js';
import { codeable, coding, keyIdentifier } from './internal/fresh.js';
import { identifierValue, type ResourceIndex } from './internal/resolver.js';
import { addressFromFhir, addressToFhir } from './organization.js';
import { nameFromFhir, nameToFhir } from './practitioner.js';
import type { IdentifierSystems } from '../terminology/identifiers.js';

export function patientKey(ids: IdentifierSystems, participantId: string): EntryKey {
  return { resourceType: 'Patient', search: 'identifier', system: ids.participant, value: participantId };
}

function safeToken(s: string): string {
  return s.replace(/[^A-Za-z0-9\-.]/g, '_');
}

export function coverageKey(ids: IdentifierSystems, participantId: string, c: MedicaidCoverage): EntryKey {
  return { resourceType: 'Coverage', search: 'identifier', system: ids.coverage, value: `${participantId}:${safeToken(c.payerId)}:${c.period.start}` };
}

export function payerKey(ids: IdentifierSystems, payerId: string): EntryKey {
  return { resourceType: 'Organization', search: 'identifier', system: ids.payer, value: payerId };
}

/** OMB category coding: CDC Race & Ethnicity, or v3-NullFlavor for ASKU / UNK (US Core race and ethnicity bindings). */
function ombCoding(code: string, display: string) {
  return coding(code === 'ASKU' || code === 'UNK' ? Systems.V3_NULL_FLAVOR : Systems.CDC_RACE_ETHNICITY, code, display);
}

/** US Core race, ethnicity and birth-sex extensions of a participant, in that order. */
function demographicExtensions(p: Participant): Extension[] {
  const ext: Extension[] = [];
  if (p.race) {
    ext.push({
      url: UsCoreExtensions.Race,
      extension: [...p.race.categories.map((c) => ({ url: 'ombCategory', valueCoding: ombCoding(c, OmbRaceCategories[c]) })), { url: 'text', valueString: p.race.text }],
    });
  }
  if (p.ethnicity) {
    ext.push({
      url: UsCoreExtensions.Ethnicity,
      extension: [{ url: 'ombCategory', valueCoding: ombCoding(p.ethnicity.category, OmbEthnicityCategories[p.ethnicity.category]) }, { url: 'text', valueString: p.ethnicity.text }],
    });
  }
  if (p.birthSex) ext.push({ url: UsCoreExtensions.BirthSex, valueCode: p.birthSex });
  return ext;
}

function patientTelecom(p: Participant): ContactPoint[] {
  const telecom: ContactPoint[] = [];
  if (p.phone) telecom.push({ system: 'phone', value: p.phone, use: 'home' });
  if (p.email) telecom.push({ system: 'email', value: p.email, use: 'home' });
  return telecom;
}

/**
 * Patient (US Core): participant id, MRN and Medicaid id identifiers, name, birth date, gender, address, and when
 * given race, ethnicity, birth sex, telecom and language (US Core must-support elements).
 */
export function participantToFhir(ids: IdentifierSystems, p: Participant): Patient {
  const identifier: Identifier[] = [{ use: 'usual', system: ids.participant, value: p.id }];
  if (p.mrn) identifier.push({ use: 'official', type: codeable(coding(Systems.V2_0203, 'MR', 'Medical record number')), system: ids.mrn, value: p.mrn });
  if (p.medicaidId) {
    identifier.push({ use: 'secondary', type: codeable(coding(Systems.V2_0203, 'MA', 'Patient Medicaid number')), system: ids.medicaidId, value: p.medicaidId });
  }
  const extension = demographicExtensions(p);
  const telecom = patientTelecom(p);
  return {
    resourceType: 'Patient',
    meta: { profile: [Profiles.Patient] },
    ...(extension.length ? { extension } : {}),
    identifier,
    active: true,
    name: [nameToFhir(p.name)],
    ...(telecom.length ? { telecom } : {}),
    gender: p.gender,
    birthDate: p.birthDate,
    ...(p.address ? { address: [{ ...addressToFhir(p.address), use: 'home' as const }] } : {}),
    ...(p.language ? { communication: [{ language: codeable(coding(Systems.BCP47, p.language)) }] } : {}),
  };
}

/** Adds Patient, and per Medicaid coverage a Coverage (US Core, SOPT 2 Medicaid) with its payer Organization. */
export function addParticipant(b: TransactionBuilder, p: Participant, idx: number): Reference {
  const patientRef = b.add(patientKey(b.ids, p.id), participantToFhir(b.ids, p), `participants[${idx}]`);
  p.coverages.forEach((c, j) => {
    const payer: FhirOrganization = {
      resourceType: 'Organization',
      meta: { profile: [Profiles.Organization] },
      identifier: [{ system: b.ids.payer, value: c.payerId }],
      active: true,
      type: [codeable(coding('http://terminology.hl7.org/CodeSystem/organization-type', 'pay', 'Payer'))],
      name: c.payerName,
    };
    // Two coverages naming one payer id with two payer names are a conflict, reported at the second one.
    const payerRef = b.add(payerKey(b.ids, c.payerId), payer, `participants[${idx}].coverages[${j}].payerName`);
    const key = coverageKey(b.ids, p.id, c);
    const coverage: Coverage = {
      resourceType: 'Coverage',
      meta: { profile: [Profiles.Coverage] },
      identifier: [
        keyIdentifier(key),
        { type: codeable(coding(Systems.V2_0203, 'MB', 'Member Number')), system: b.ids.medicaidId, value: c.memberId },
      ],
      status: 'active',
      type: codeable(coding(Systems.SOPT, '2', 'MEDICAID')),
      subscriberId: c.memberId,
      beneficiary: patientRef,
      relationship: codeable(coding(Systems.SUBSCRIBER_RELATIONSHIP, 'self', 'Self')),
      period: { ...c.period },
      payor: [payerRef],
      ...(c.planName ? { class: [{ type: codeable(coding(Systems.COVERAGE_CLASS, 'plan', 'Plan')), value: c.planName, name: c.planName }] } : {}),
    };
    b.add(key, coverage);
  });
  return patientRef;
}

const beneficiary = (c: Coverage) => [c.beneficiary];

export function participantFromFhir(index: ResourceIndex, ids: IdentifierSystems, patient: Patient): unknown {
  const coverages = index.referencing('Coverage', patient, beneficiary).map((c) => {
    const payer = index.resolve(c.payor[0], 'Organization');
    const planName = c.class?.find((k) => k.type.coding?.some((x) => x.code === 'plan'))?.value;
    return {
      payerId: payer ? identifierValue(payer, ids.payer) : undefined,
      payerName: payer?.name,
      ...(planName ? { planName } : {}),
      memberId: c.subscriberId,
      period: { start: c.period?.start, ...(c.period?.end ? { end: c.period.end } : {}) },
    };
  });
  const address = addressFromFhir(patient.address?.[0]);
  const mrn = identifierValue(patient, ids.mrn);
  const ext = (url: string) => patient.extension?.find((e) => e.url === url);
  const sub = (e: Extension | undefined, url: string) => (e?.extension ?? []).filter((x) => x.url === url);
  const race = ext(UsCoreExtensions.Race);
  const ethnicity = ext(UsCoreExtensions.Ethnicity);
  const birthSex = ext(UsCoreExtensions.BirthSex)?.valueCode;
  const phone = patient.telecom?.find((t) => t.system === 'phone')?.value;
  const email = patient.telecom?.find((t) => t.system === 'email')?.value;
  const language = patient.communication?.[0]?.language.coding?.find((c) => c.system === Systems.BCP47)?.code;
  const medicaidId = identifierValue(patient, ids.medicaidId);
  return {
    id: identifierValue(patient, ids.participant),
    ...(mrn ? { mrn } : {}),
    ...(medicaidId ? { medicaidId } : {}),
    name: nameFromFhir(patient.name),
    birthDate: patient.birthDate,
    gender: patient.gender,
    ...(address ? { address } : {}),
    ...(phone ? { phone } : {}),
    ...(email ? { email } : {}),
    ...(language ? { language } : {}),
    ...(race ? { race: { categories: sub(race, 'ombCategory').map((x) => x.valueCoding?.code), text: sub(race, 'text')[0]?.valueString } } : {}),
    ...(ethnicity ? { ethnicity: { category: sub(ethnicity, 'ombCategory')[0]?.valueCoding?.code, text: sub(ethnicity, 'text')[0]?.valueString } } : {}),
    ...(birthSex && birthSex in BirthSexCodes ? { birthSex } : {}),
    coverages,
  };
}
