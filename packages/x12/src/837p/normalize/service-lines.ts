import type { Claim } from 'fhir/r4.js';
import { identifierElement } from '../../internal/elements.js';
import { fhirDateToD8, toCents } from '../../internal/format.js';
import { LINE_CONTROL_NUMBER_EXTENSION, POS_SYSTEMS, PROCEDURE_SYSTEMS } from '../../internal/systems.js';
import type { NormalizedLine } from '../input.js';
import type { ClaimDraft, NormalizeStep } from './context.js';
import { codingIn } from './fields.js';
import type { X12Issue } from '../../errors.js';

/** 837P 2400 repeats at most 50 times per 2300 claim (see README: verification). */
export const MAX_LINES_PER_CLAIM = 50;
/** SV101-3..6: four procedure modifiers. */
export const MAX_MODIFIERS = 4;
/** SV107: four diagnosis pointers. */
export const MAX_POINTERS = 4;

type Item = NonNullable<Claim['item']>[number];

/** One line's issue sink: the path of `s` under `claim.item[i]`. */
interface LineContext {
  readonly item: Item;
  readonly issues: X12Issue[];
  readonly path: (s: string) => string;
}

/** SV101-2 procedure: a 5-character HCPCS/CPT code. SV101-3..6: up to four 2-character modifiers. */
function procedureOf({ item, issues, path }: LineContext): { proc?: string; mods: (string | undefined)[] } {
  const proc = codingIn(item.productOrService, PROCEDURE_SYSTEMS)?.code;
  if (!proc) issues.push({ path: path('.productOrService'), message: 'HCPCS/CPT coding required (SV101-2)' });
  else if (!/^[A-Z0-9]{5}$/i.test(proc)) issues.push({ path: path('.productOrService'), message: 'must be a 5-character HCPCS/CPT code' });
  const mods = (item.modifier ?? []).map((m) => codingIn(m, PROCEDURE_SYSTEMS)?.code ?? m.coding?.find((c) => !c.system)?.code);
  if (mods.length > MAX_MODIFIERS) issues.push({ path: path('.modifier'), message: `at most ${MAX_MODIFIERS} modifiers (SV101-3..6)` });
  mods.forEach((m, j) => {
    if (!m || !/^[A-Z0-9]{2}$/i.test(m)) issues.push({ path: path(`.modifier[${j}]`), message: 'must be a 2-character HCPCS modifier' });
  });
  return { ...(proc ? { proc } : {}), mods };
}

/** SV104 units > 0; SV102 charge from Claim.item.net, else unitPrice × units × factor, in cents and >= 0. */
function unitsAndCharge({ item, issues, path }: LineContext): { units?: number; charge?: number } {
  const units = item.quantity?.value;
  if (units === undefined || !(units > 0)) issues.push({ path: path('.quantity.value'), message: 'units must be > 0 (SV104)' });
  let charge = toCents(item.net?.value);
  if (charge === undefined && item.unitPrice?.value !== undefined && units !== undefined) {
    charge = toCents(item.unitPrice.value * units * (item.factor ?? 1));
  }
  if (charge === undefined || charge < 0) issues.push({ path: path('.net'), message: 'line charge required and >= 0 (SV102)' });
  return { ...(units !== undefined ? { units } : {}), ...(charge !== undefined ? { charge } : {}) };
}

/** SV105 place of service (two CMS digits) and DTP*472 service date (a period's end only when it differs). */
function placeAndDates({ item, issues, path }: LineContext): { pos?: string; from?: string; to?: string } {
  const pos = codingIn(item.locationCodeableConcept, POS_SYSTEMS)?.code;
  if (!pos || !/^\d{2}$/.test(pos)) issues.push({ path: path('.locationCodeableConcept'), message: `CMS place of service (${POS_SYSTEMS[0]}) required` });
  const from = fhirDateToD8(item.servicedDate ?? item.servicedPeriod?.start);
  const to = item.servicedPeriod?.end ? fhirDateToD8(item.servicedPeriod.end) : undefined;
  if (!from) issues.push({ path: path('.servicedDate'), message: 'service date required (DTP*472)' });
  return { ...(pos ? { pos } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** SV107 diagnosis pointers: HI positions of the line's diagnosisSequence, at most four; none given points at HI01. */
function pointersOf({ item, issues, path }: LineContext, draft: ClaimDraft): number[] {
  const pointers: number[] = [];
  for (const seq of item.diagnosisSequence ?? []) {
    const position = draft.dxPosition.get(seq);
    if (position === undefined) issues.push({ path: path('.diagnosisSequence'), message: 'points to a diagnosis that is not on the claim' });
    else pointers.push(position);
  }
  if (pointers.length > MAX_POINTERS) issues.push({ path: path('.diagnosisSequence'), message: `at most ${MAX_POINTERS} pointers (SV107)` });
  if (pointers.length === 0 && draft.diagnoses.length > 0) pointers.push(1);
  return pointers;
}

/** REF*6R line item control number (the extension, else the item sequence), unique within the claim. */
function controlNumberOf({ item, issues, path }: LineContext, seen: Set<string>): string {
  const raw = item.extension?.find((e) => e.url === LINE_CONTROL_NUMBER_EXTENSION)?.valueString ?? String(item.sequence);
  const controlNumber = identifierElement(raw, path('.extension(line-item-control-number)'), 'REF02 line item control number (6R)', 1, 30, issues) ?? '';
  if (controlNumber && seen.has(controlNumber)) {
    issues.push({ path: path('.sequence'), message: 'line item control numbers must be unique within a claim (REF*6R)' });
  }
  seen.add(controlNumber);
  return controlNumber;
}

/** One 2400 service line, or undefined when any of its elements pushed an issue. */
function serviceLine(line: LineContext, draft: ClaimDraft, seen: Set<string>): NormalizedLine | undefined {
  const before = line.issues.length;
  const { proc, mods } = procedureOf(line);
  const { units, charge } = unitsAndCharge(line);
  const { pos, from, to } = placeAndDates(line);
  const pointers = pointersOf(line, draft);
  const controlNumber = controlNumberOf(line, seen);
  if (line.issues.length !== before || !proc || units === undefined || charge === undefined || !pos || !from) return undefined;
  return {
    sequence: line.item.sequence,
    controlNumber,
    procedure: proc.toUpperCase(),
    modifiers: mods.map((m) => (m ?? '').toUpperCase()),
    chargeCents: charge,
    units,
    pos,
    dateFrom: from,
    ...(to && to !== from ? { dateTo: to } : {}),
    pointers,
  };
}

/** 2400 service lines: at least one and at most {@link MAX_LINES_PER_CLAIM} (split the claim beyond that). */
export const serviceLinesStep: NormalizeStep = ({ claim, issues, path }, draft) => {
  const items = claim.item ?? [];
  if (items.length === 0) issues.push({ path: path('claim.item'), message: 'at least one service line required (2400)' });
  if (items.length > MAX_LINES_PER_CLAIM) {
    issues.push({ path: path('claim.item'), message: `at most ${MAX_LINES_PER_CLAIM} service lines per claim (2400); split the claim` });
  }
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const line = serviceLine({ item, issues, path: (s) => path(`claim.item[${i}]${s}`) }, draft, seen);
    if (line) draft.lines.push(line);
  });
};
