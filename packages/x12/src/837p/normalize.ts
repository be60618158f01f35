import type { Address, CodeableConcept, Coding, HumanName, Identifier } from 'fhir/r4.js';
import type { X12Issue } from '../errors.js';
import { isValidNpi } from '@peer-fhir/core';
import { CLAIM_FILING_INDICATOR_CODES, identifierElement, taxonomyElement, textElement } from '../internal/elements.js';
import { clean, fhirDateToD8, toCents } from '../internal/format.js';
import {
  ACT_CODE_SYSTEM,
  CARE_TEAM_ROLE_SYSTEM,
  CLAIM_FREQUENCY_EXTENSION,
  EIN_SYSTEMS,
  ICD10CM_SYSTEMS,
  LINE_CONTROL_NUMBER_EXTENSION,
  NPI_SYSTEM,
  NUCC_SYSTEM,
  PAYER_ID_SYSTEM,
  POS_SYSTEMS,
  PROCEDURE_SYSTEMS,
  RELATED_CLAIM_RELATIONSHIP_SYSTEM,
  V2_0203_SYSTEM,
} from '../internal/systems.js';
import type { NormalizedAddress, NormalizedClaim, NormalizedLine, X12ClaimInput } from './input.js';

/** 837P 2400 repeats at most 50 times per 2300 claim (see README: verification). */
export const MAX_LINES_PER_CLAIM = 50;
/** HI carries at most 12 diagnosis codes (HI01..HI12). */
export const MAX_DIAGNOSES = 12;
/** SV101-3..6: four procedure modifiers. */
export const MAX_MODIFIERS = 4;
/** SV107: four diagnosis pointers. */
export const MAX_POINTERS = 4;

const codingIn = (cc: CodeableConcept | undefined, systems: readonly string[]): Coding | undefined =>
  cc?.coding?.find((c) => c.system !== undefined && systems.includes(c.system) && !!c.code);

const identifierIn = (ids: readonly Identifier[] | undefined, systems: readonly string[]): string | undefined =>
  ids?.find((i) => i.system !== undefined && systems.includes(i.system) && !!i.value)?.value;

function pickName(names: readonly HumanName[] | undefined): HumanName | undefined {
  if (!names?.length) return undefined;
  return names.find((n) => n.use === 'official') ?? names.find((n) => n.use !== 'old') ?? names[0];
}

function personName(
  names: readonly HumanName[] | undefined,
  path: string,
  issues: X12Issue[],
): { last: string; first?: string; middle?: string } | undefined {
  // Names are transliterated (José -> JOSE, Łukasz -> LUKASZ, Strauß -> STRAUSS), never identifiers.
  const n = pickName(names);
  const before = issues.length;
  const last = textElement(n?.family ? clean(n.family, 60) : '', `${path}.name.family`, 'NM103', 1, 60, issues);
  const first = n?.given?.[0] !== undefined ? textElement(clean(n.given[0], 35), `${path}.name.given[0]`, 'NM104', 1, 35, issues) : undefined;
  const middle = n?.given?.[1] !== undefined ? textElement(clean(n.given[1], 25), `${path}.name.given[1]`, 'NM105', 1, 25, issues) : undefined;
  if (issues.length > before || !last) return undefined;
  return { last, ...(first ? { first } : {}), ...(middle ? { middle } : {}) };
}

function address(
  addresses: readonly Address[] | undefined,
  path: string,
  issues: X12Issue[],
  opts: { required: boolean; zip9: boolean },
): NormalizedAddress | undefined {
  const a = addresses?.find((x) => x.use !== 'old' && x.type !== 'postal') ?? addresses?.[0];
  if (!a) {
    if (opts.required) issues.push({ path: `${path}.address`, message: 'required (N3/N4)' });
    return undefined;
  }
  const before = issues.length;
  const line1 = textElement(a.line?.[0] ? clean(a.line[0], 55) : '', `${path}.address.line[0]`, 'N301', 1, 55, issues) ?? '';
  const city = textElement(a.city ? clean(a.city, 30) : '', `${path}.address.city`, 'N401', 2, 30, issues) ?? '';
  const state = a.state ? clean(a.state) : '';
  if (!/^[A-Z]{2}$/.test(state)) issues.push({ path: `${path}.address.state`, message: 'must be a 2-letter state code (N402)' });
  const zip = (a.postalCode ?? '').replace(/[^0-9]/g, '');
  if (opts.zip9 ? zip.length !== 9 : zip.length !== 5 && zip.length !== 9) {
    issues.push({
      path: `${path}.address.postalCode`,
      message: opts.zip9 ? 'must be a 9-digit ZIP+4 for the billing provider (2010AA N403)' : 'must be a 5- or 9-digit ZIP (N403)',
    });
  }
  if (issues.length > before) return undefined;
  const line2 = a.line?.[1] ? clean(a.line[1], 55) || undefined : undefined;
  return { line1, ...(line2 ? { line2 } : {}), city, state, zip };
}

function npiOf(ids: readonly Identifier[] | undefined, path: string, issues: X12Issue[]): string | undefined {
  const npi = identifierIn(ids, [NPI_SYSTEM]);
  if (!npi) {
    issues.push({ path: `${path}.identifier(${NPI_SYSTEM})`, message: 'NPI required' });
    return undefined;
  }
  if (!isValidNpi(npi)) {
    issues.push({ path: `${path}.identifier(${NPI_SYSTEM})`, message: 'NPI must be 10 digits with a valid check digit' });
    return undefined;
  }
  return npi;
}

function isPart2(input: X12ClaimInput): boolean {
  return !!input.claim.meta?.security?.some((s) => s.system === ACT_CODE_SYSTEM && s.code === '42CFRPart2');
}

/**
 * Validate one {@link X12ClaimInput} and convert it to X12-ready values.
 * Problems are pushed to `issues` with paths under `prefix`; returns undefined when any were found.
 */
export function normalizeClaim(input: X12ClaimInput, prefix: string, issues: X12Issue[]): NormalizedClaim | undefined {
  const start = issues.length;
  const p = (s: string) => `${prefix}.${s}`;
  const { claim } = input;
  if (!claim || claim.resourceType !== 'Claim') {
    issues.push({ path: p('claim'), message: 'must be a FHIR Claim' });
    return undefined;
  }
  if (claim.use !== 'claim') issues.push({ path: p('claim.use'), message: "must be 'claim'" });
  if (!claim.type?.coding?.some((c) => c.code === 'professional')) {
    issues.push({ path: p('claim.type'), message: "must be the claim-type 'professional'" });
  }

  // 2300 CLM01 — patient control number (echoed as 835 CLP01)
  const pcn = claim.identifier?.find((i) => !!i.value)?.value;
  const patientControlNumber = identifierElement(pcn, p('claim.identifier'), 'CLM01 patient control number', 1, 38, issues) ?? '';

  // 2010AA billing provider
  const bp = input.billingProvider;
  const billingPath = p('billingProvider');
  if (!bp) issues.push({ path: billingPath, message: 'required' });
  const billingName = bp ? (textElement(bp.name ? clean(bp.name, 60) : '', `${billingPath}.name`, '2010AA NM103', 1, 60, issues) ?? '') : '';
  const billingNpi = bp ? npiOf(bp.identifier, billingPath, issues) : undefined;
  const ein = (identifierIn(bp?.identifier, EIN_SYSTEMS) ?? '').replace(/-/g, '');
  if (bp && !/^\d{9}$/.test(ein)) issues.push({ path: `${billingPath}.identifier(us-ein)`, message: 'TIN required as 9 digits (REF*EI)' });
  const billingAddress = bp ? address(bp.address, billingPath, issues, { required: true, zip9: true }) : undefined;
  const billingTaxonomy = taxonomyElement(bp?.type?.map((t) => codingIn(t, [NUCC_SYSTEM])).find((c) => c)?.code, `${billingPath}.type(${NUCC_SYSTEM})`, '2000A PRV03', issues);

  // 2010BA subscriber
  const sub = input.subscriber;
  const subPath = p('subscriber');
  if (!sub) issues.push({ path: subPath, message: 'required' });
  const subName = sub ? personName(sub.name, subPath, issues) : undefined;
  const birthDate = fhirDateToD8(sub?.birthDate);
  if (sub && !birthDate) issues.push({ path: `${subPath}.birthDate`, message: 'required as a full date (DMG02)' });
  const gender = sub?.gender === 'male' ? 'M' : sub?.gender === 'female' ? 'F' : 'U';
  // 2010BA N3/N4: required when the subscriber is the patient — always here (SBR02 18, no 2000C loop)
  const subAddress = sub ? address(sub.address, subPath, issues, { required: true, zip9: false }) : undefined;

  // 2000B SBR / 2010BA NM109 member id
  const cov = input.coverage;
  const covPath = p('coverage');
  if (!cov) issues.push({ path: covPath, message: 'required' });
  const memberId =
    cov?.subscriberId ??
    cov?.identifier?.find((i) => i.type?.coding?.some((c) => c.system === V2_0203_SYSTEM && c.code === 'MB') && i.value)?.value ??
    '';
  const memberIdClean = cov ? (identifierElement(memberId, `${covPath}.subscriberId`, '2010BA NM109 member id', 2, 80, issues) ?? '') : '';
  const rel = cov?.relationship?.coding?.find((c) => c.code)?.code;
  if (cov && rel !== undefined && rel !== 'self') {
    issues.push({ path: `${covPath}.relationship`, message: "only 'self' is supported (2000C patient loop is not written)" });
  }

  // 2010BB payer
  const payer = input.payer;
  const payerPath = p('payer');
  if (!payer) issues.push({ path: payerPath, message: 'required' });
  const payerName = payer ? (textElement(payer.name ? clean(payer.name, 60) : '', `${payerPath}.name`, '2010BB NM103', 1, 60, issues) ?? '') : '';
  const payerId =
    identifierIn(payer?.identifier, [PAYER_ID_SYSTEM]) ??
    payer?.identifier?.find((i) => i.value && i.system !== NPI_SYSTEM && !EIN_SYSTEMS.includes(i.system ?? ''))?.value ??
    '';
  const payerIdClean = payer ? (identifierElement(payerId, `${payerPath}.identifier(${PAYER_ID_SYSTEM})`, '2010BB NM109 payer id', 2, 80, issues) ?? '') : '';

  // 2310B rendering provider
  const rPath = p('rendering');
  const rPract = input.rendering?.practitioner;
  if (!rPract) issues.push({ path: `${rPath}.practitioner`, message: 'required' });
  const rName = rPract ? personName(rPract.name, `${rPath}.practitioner`, issues) : undefined;
  const rNpi = rPract
    ? (identifierIn(rPract.identifier, [NPI_SYSTEM]) ?? identifierIn(input.rendering.practitionerRole?.identifier, [NPI_SYSTEM]))
    : undefined;
  if (rPract && !rNpi) issues.push({ path: `${rPath}.practitioner.identifier(${NPI_SYSTEM})`, message: 'NPI required' });
  else if (rNpi && !isValidNpi(rNpi)) {
    issues.push({ path: `${rPath}.practitioner.identifier(${NPI_SYSTEM})`, message: 'NPI must be 10 digits with a valid check digit' });
  }
  const primaryCare =
    claim.careTeam?.find((c) => c.role?.coding?.some((x) => x.system === CARE_TEAM_ROLE_SYSTEM && x.code === 'primary')) ??
    claim.careTeam?.[0];
  const role = input.rendering?.practitionerRole;
  const rTaxonomyRaw =
    codingIn(primaryCare?.qualification, [NUCC_SYSTEM])?.code ??
    role?.specialty?.map((s) => codingIn(s, [NUCC_SYSTEM])).find((c) => c)?.code ??
    role?.code?.map((s) => codingIn(s, [NUCC_SYSTEM])).find((c) => c)?.code;
  const rTaxonomy = taxonomyElement(rTaxonomyRaw, `${rPath}.practitionerRole.specialty(${NUCC_SYSTEM})`, '2310B PRV03', issues);
  // 2310B PRV is situational (TR3: required when adjudication is known to be impacted by the taxonomy): a peer's
  // taxonomy (175T00000X) is always sent; a rendering practitioner with no taxonomy on file gets no PRV.

  // 2310D supervising provider
  let supervising: NormalizedClaim['supervising'];
  if (input.supervising) {
    const sPath = p('supervising');
    const sName = personName(input.supervising.name, sPath, issues);
    const sNpi = npiOf(input.supervising.identifier, sPath, issues);
    if (sNpi && rNpi && sNpi === rNpi) {
      issues.push({ path: sPath, message: 'must differ from the rendering provider (omit 2310D instead)' });
    }
    if (sName && sNpi) supervising = { ...sName, npi: sNpi };
  }

  // 2300 HI diagnoses, ordered by sequence (principal first)
  const diagnoses: string[] = [];
  const dxPosition = new Map<number, number>();
  const dx = [...(claim.diagnosis ?? [])].sort((a, b) => {
    const ap = a.type?.some((t) => t.coding?.some((c) => c.code === 'principal')) ? 0 : 1;
    const bpri = b.type?.some((t) => t.coding?.some((c) => c.code === 'principal')) ? 0 : 1;
    return ap - bpri || a.sequence - b.sequence;
  });
  dx.forEach((d) => {
    const idx = (claim.diagnosis ?? []).indexOf(d);
    const code = codingIn(d.diagnosisCodeableConcept, ICD10CM_SYSTEMS)?.code;
    if (!code) {
      issues.push({ path: p(`claim.diagnosis[${idx}].diagnosisCodeableConcept`), message: `ICD-10-CM coding (${ICD10CM_SYSTEMS[0]}) required` });
      return;
    }
    const stripped = code.replace(/\./g, '').toUpperCase(); // HI: no decimal point
    if (!/^[A-Z][0-9A-Z]{2,6}$/.test(stripped)) {
      issues.push({ path: p(`claim.diagnosis[${idx}].diagnosisCodeableConcept`), message: 'not a valid ICD-10-CM code' });
      return;
    }
    diagnoses.push(stripped);
    dxPosition.set(d.sequence, diagnoses.length);
  });
  if (diagnoses.length === 0 && (claim.diagnosis ?? []).length === 0) {
    issues.push({ path: p('claim.diagnosis'), message: 'at least one ICD-10-CM diagnosis required (HI)' });
  }
  if (diagnoses.length > MAX_DIAGNOSES) issues.push({ path: p('claim.diagnosis'), message: `at most ${MAX_DIAGNOSES} diagnoses (HI)` });

  // 2300 CLM05-3 frequency + REF*F8
  const freqExt = claim.extension?.find((e) => e.url === CLAIM_FREQUENCY_EXTENSION)?.valueCode;
  const prior = claim.related?.find((r) =>
    r.relationship?.coding?.some((c) => c.system === RELATED_CLAIM_RELATIONSHIP_SYSTEM && c.code === 'prior'),
  );
  const priorIcn = identifierElement(prior?.reference?.value, p('claim.related.reference'), 'REF02 payer claim control number (F8)', 1, 50, issues, false);
  let frequency: '1' | '7' | '8' = '1';
  if (freqExt !== undefined) {
    if (freqExt === '1' || freqExt === '7' || freqExt === '8') frequency = freqExt;
    else issues.push({ path: p(`claim.extension(${CLAIM_FREQUENCY_EXTENSION})`), message: "must be '1', '7' or '8'" });
  } else if (priorIcn) {
    frequency = '7';
  }
  if ((frequency === '7' || frequency === '8') && !priorIcn) {
    issues.push({
      path: p('claim.related'),
      message: "replacement/void needs related[relationship='prior'].reference with the payer claim number (REF*F8)",
    });
  }
  if (frequency === '1' && priorIcn && freqExt === '1') {
    issues.push({ path: p('claim.related'), message: "a prior claim reference needs frequency '7' or '8'" });
  }

  // 2300 REF*G1 prior authorization
  const insurance = claim.insurance?.find((i) => i.focal) ?? claim.insurance?.[0];
  const priorAuthorization = identifierElement(insurance?.preAuthRef?.[0], p('claim.insurance.preAuthRef[0]'), 'REF02 prior authorization (G1)', 1, 50, issues, false);

  // 2000B SBR09 claim filing indicator: a code from the TR3 list (MC Medicaid, MB Medicare Part B, HM HMO, ...)
  const filingIndicator = input.claimFilingIndicator ?? 'MC';
  if (!CLAIM_FILING_INDICATOR_CODES.has(filingIndicator)) issues.push({ path: p('claimFilingIndicator'), message: 'must be an SBR09 claim filing indicator code (e.g. MC, MB, HM)' });

  // 2400 service lines
  const items = claim.item ?? [];
  if (items.length === 0) issues.push({ path: p('claim.item'), message: 'at least one service line required (2400)' });
  if (items.length > MAX_LINES_PER_CLAIM) {
    issues.push({ path: p('claim.item'), message: `at most ${MAX_LINES_PER_CLAIM} service lines per claim (2400); split the claim` });
  }
  const lines: NormalizedLine[] = [];
  const controlNumbers = new Set<string>();
  items.forEach((item, i) => {
    const ip = (s: string) => p(`claim.item[${i}]${s}`);
    const before = issues.length;
    const proc = codingIn(item.productOrService, PROCEDURE_SYSTEMS)?.code;
    if (!proc) issues.push({ path: ip('.productOrService'), message: 'HCPCS/CPT coding required (SV101-2)' });
    else if (!/^[A-Z0-9]{5}$/i.test(proc)) issues.push({ path: ip('.productOrService'), message: 'must be a 5-character HCPCS/CPT code' });
    const mods = (item.modifier ?? []).map((m) => codingIn(m, PROCEDURE_SYSTEMS)?.code ?? m.coding?.find((c) => !c.system)?.code);
    if (mods.length > MAX_MODIFIERS) issues.push({ path: ip('.modifier'), message: `at most ${MAX_MODIFIERS} modifiers (SV101-3..6)` });
    mods.forEach((m, j) => {
      if (!m || !/^[A-Z0-9]{2}$/i.test(m)) issues.push({ path: ip(`.modifier[${j}]`), message: 'must be a 2-character HCPCS modifier' });
    });
    const units = item.quantity?.value;
    if (units === undefined || !(units > 0)) issues.push({ path: ip('.quantity.value'), message: 'units must be > 0 (SV104)' });
    let charge = toCents(item.net?.value);
    if (charge === undefined && item.unitPrice?.value !== undefined && units !== undefined) {
      charge = toCents(item.unitPrice.value * units * (item.factor ?? 1));
    }
    if (charge === undefined || charge < 0) issues.push({ path: ip('.net'), message: 'line charge required and >= 0 (SV102)' });
    const pos = codingIn(item.locationCodeableConcept, POS_SYSTEMS)?.code;
    if (!pos || !/^\d{2}$/.test(pos)) issues.push({ path: ip('.locationCodeableConcept'), message: `CMS place of service (${POS_SYSTEMS[0]}) required` });
    const from = fhirDateToD8(item.servicedDate ?? item.servicedPeriod?.start);
    const to = item.servicedPeriod?.end ? fhirDateToD8(item.servicedPeriod.end) : undefined;
    if (!from) issues.push({ path: ip('.servicedDate'), message: 'service date required (DTP*472)' });
    const pointers: number[] = [];
    for (const seq of item.diagnosisSequence ?? []) {
      const pos1 = dxPosition.get(seq);
      if (pos1 === undefined) issues.push({ path: ip('.diagnosisSequence'), message: 'points to a diagnosis that is not on the claim' });
      else pointers.push(pos1);
    }
    if (pointers.length > MAX_POINTERS) issues.push({ path: ip('.diagnosisSequence'), message: `at most ${MAX_POINTERS} pointers (SV107)` });
    if (pointers.length === 0 && diagnoses.length > 0) pointers.push(1);
    const ctrlRaw = item.extension?.find((e) => e.url === LINE_CONTROL_NUMBER_EXTENSION)?.valueString ?? String(item.sequence);
    const controlNumber = identifierElement(ctrlRaw, ip('.extension(line-item-control-number)'), 'REF02 line item control number (6R)', 1, 30, issues) ?? '';
    if (controlNumber && controlNumbers.has(controlNumber)) {
      issues.push({ path: ip('.sequence'), message: 'line item control numbers must be unique within a claim (REF*6R)' });
    }
    controlNumbers.add(controlNumber);
    if (issues.length === before && proc && units !== undefined && charge !== undefined && pos && from) {
      lines.push({
        sequence: item.sequence,
        controlNumber,
        procedure: proc.toUpperCase(),
        modifiers: mods.map((m) => (m ?? '').toUpperCase()),
        chargeCents: charge,
        units,
        pos,
        dateFrom: from,
        ...(to && to !== from ? { dateTo: to } : {}),
        pointers,
      });
    }
  });

  // 2300 CLM02 must equal the sum of SV102
  const totalCents = lines.reduce((s, l) => s + l.chargeCents, 0);
  const claimTotal = toCents(claim.total?.value);
  if (claimTotal !== undefined && lines.length === items.length && claimTotal !== totalCents) {
    issues.push({ path: p('claim.total'), message: 'must equal the sum of the line charges (CLM02)' });
  }

  if (issues.length > start) return undefined;
  return {
    patientControlNumber,
    totalCents,
    pos: lines[0]!.pos,
    frequency,
    ...(priorIcn && frequency !== '1' ? { payerClaimControlNumber: priorIcn } : {}),
    ...(priorAuthorization ? { priorAuthorization } : {}),
    part2: isPart2(input),
    diagnoses,
    filingIndicator,
    billing: { name: billingName, npi: billingNpi!, ein, ...(billingTaxonomy ? { taxonomy: billingTaxonomy } : {}), address: billingAddress! },
    subscriber: {
      ...subName!,
      memberId: memberIdClean,
      ...(subAddress ? { address: subAddress } : {}),
      birthDate: birthDate!,
      gender,
    },
    payer: { name: payerName, id: payerIdClean },
    rendering: { ...rName!, npi: rNpi!, ...(rTaxonomy ? { taxonomy: rTaxonomy } : {}) },
    ...(supervising ? { supervising } : {}),
    lines,
  };
}
