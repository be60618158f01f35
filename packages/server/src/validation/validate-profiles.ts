import type { Bundle, Provenance, Resource } from 'fhir/r4.js';
import { loadBuiltInProfiles } from './built-in.js';
import { extensionIssues } from './extensions.js';
import type { FhirPackage } from './fhir-package.js';
import { invariantIssues, SKIPPED_INVARIANTS, withResolveContext } from './invariants.js';
import type { ProfileIssue } from './issues.js';
import { loadedProfile, loadStructureDefinitions, PATCHED_PROVENANCE, structureIssues } from './medplum-profiles.js';
import { referenceIssues } from './references.js';

/**
 * What {@link validateProfiles} takes: one resource, a Bundle (its entries are validated, resolved against each
 * other), or a list of resources (resolved against each other by `Type/id`).
 *
 * @example
 * ```ts
 * const input: ProfileInput = [patient, encounter];
 * ```
 * @category Profile validation
 */
export type ProfileInput = Resource | Bundle | readonly Resource[];

/**
 * Options of {@link validateProfiles}.
 *
 * @example
 * ```ts
 * const options: ValidateProfilesOptions = { packages: [readFhirPackage(readFileSync('ig.tgz'))] };
 * ```
 * @category Profile validation
 */
export interface ValidateProfilesOptions {
  /**
   * More implementation guides to validate against, next to the built-in US Core 6.1.0 subset and peer-fhir profiles
   * ({@link readFhirPackage}). Their StructureDefinitions stay loaded for the rest of the process (Medplum's index is
   * global); a URL already loaded keeps its first definition.
   */
  packages?: readonly FhirPackage[];
}

/**
 * Counts of one resource type in a {@link ProfileValidationResult}.
 *
 * @example
 * ```ts
 * const c: ProfileTypeCount = { checked: 12, failed: 0 };
 * ```
 * @category Profile validation
 */
export interface ProfileTypeCount {
  checked: number;
  /** Resources of the type with at least one issue. */
  failed: number;
}

/**
 * Result of {@link validateProfiles}: counts and every issue.
 *
 * @example
 * ```ts
 * const { checked, failed, issues } = validateProfiles(bundle);
 * ```
 * @category Profile validation
 */
export interface ProfileValidationResult {
  /** Resources validated. */
  checked: number;
  /** Resources with at least one issue. */
  failed: number;
  /** `checked` / `failed` per resource type. */
  byType: Record<string, ProfileTypeCount>;
  /** Every issue: entries that are not resources first, then each resource in input order. */
  issues: ProfileIssue[];
}

interface Item {
  resource: Resource;
  position: string;
}

function isResource(value: unknown): value is Resource {
  return typeof value === 'object' && value !== null && typeof (value as { resourceType?: unknown }).resourceType === 'string';
}

function isBundle(input: ProfileInput): input is Bundle {
  return !Array.isArray(input) && (input as Resource).resourceType === 'Bundle';
}

/** The resources to validate with their positions, and `fullUrl` / `Type/id` -> resource for `resolve()`. */
function itemsOf(input: ProfileInput): { items: Item[]; context: Map<string, Resource>; malformed: string[] } {
  const context = new Map<string, Resource>();
  const items: Item[] = [];
  const malformed: string[] = [];
  const add = (value: unknown, position: string, fullUrl?: string) => {
    if (!isResource(value)) return malformed.push(position);
    items.push({ resource: value, position });
    if (fullUrl) context.set(fullUrl, value);
    if (value.id) context.set(`${value.resourceType}/${value.id}`, value);
  };
  if (Array.isArray(input)) input.forEach((r: unknown, i) => add(r, `[${i}]`));
  else if (isBundle(input)) (input.entry ?? []).forEach((e, i) => add(e.resource, `entry[${i}]`, e.fullUrl));
  else add(input, '');
  return { items, context, malformed };
}

/** Every issue of one resource against each profile it names, its extensions included. */
function resourceIssues(resource: Resource, position: string): ProfileIssue[] {
  const at = { resource: position, resourceType: resource.resourceType };
  const claimed = resource.meta?.profile ?? [];
  if (!claimed.length) return [{ ...at, profile: '', path: `${resource.resourceType}.meta.profile`, code: 'profile-missing', message: 'the resource names no profile' }];
  const issues = extensionIssues(resource, at);
  // Dropped from US Core Provenance to load it in Medplum (medplum-profiles.ts): never let it pass unchecked.
  if (resource.resourceType === 'Provenance' && claimed.includes(PATCHED_PROVENANCE) && ((resource as Provenance).entity ?? []).some((e) => e.agent?.length)) {
    issues.push({ ...at, profile: PATCHED_PROVENANCE, path: 'Provenance.entity.agent', code: 'unchecked', message: 'Provenance.entity.agent cannot be checked against US Core' });
  }
  for (const url of claimed) {
    const sd = loadedProfile(url);
    if (!sd) {
      issues.push({ ...at, profile: url, path: `${resource.resourceType}.meta.profile`, code: 'profile-unknown', message: 'no StructureDefinition is loaded for this profile' });
      continue;
    }
    issues.push(...structureIssues(resource, sd, at, SKIPPED_INVARIANTS), ...invariantIssues(resource, sd, at), ...referenceIssues(resource, sd, at));
  }
  return issues;
}

function count(result: ProfileValidationResult, type: string, failed: boolean): void {
  const c = (result.byType[type] ??= { checked: 0, failed: 0 });
  c.checked += 1;
  result.checked += 1;
  if (failed) {
    c.failed += 1;
    result.failed += 1;
  }
}

/**
 * Validate FHIR R4 resources against every profile each names in `meta.profile`: US Core 6.1.0 (the profiles peer-fhir
 * names, shipped with this package) and peer-fhir's own profiles and extensions, plus any `packages` given. Two
 * checkers: @medplum/core for structure (cardinality, fixed and pattern values, slices, types) and fhirpath.js for
 * every error-severity invariant (`pd-1`, `provenance-1`, `us-core-*`), with `resolve()` answered from the input;
 * reference targets and extension values are checked too. A resource that names no profile, or one not loaded, is an
 * issue. Issues name the resource's position, the profile, the element path and the constraint key — never a value.
 *
 * The first call loads the definitions (about a second); later calls reuse them.
 *
 * @param input - one resource, a Bundle (its entries), or a list of resources
 * @param options - more implementation guides to validate against
 * @returns counts (overall and per resource type) and every issue
 * @throws {@link FhirPackageError} when the shipped US Core subset cannot be read
 * @see https://hl7.org/fhir/us/core/STU6.1/
 * @example
 * ```ts
 * import { toFhir } from '@peer-fhir/core';
 * import { validateProfiles } from '@peer-fhir/server/validation';
 * const result = validateProfiles(toFhir(records));
 * for (const i of result.issues) console.log(i.resource, i.resourceType, i.path, i.key ?? i.code, i.message);
 * ```
 * @category Profile validation
 */
export function validateProfiles(input: ProfileInput, options: ValidateProfilesOptions = {}): ProfileValidationResult {
  loadBuiltInProfiles();
  for (const pkg of options.packages ?? []) loadStructureDefinitions(pkg.structureDefinitions);
  const { items, context, malformed } = itemsOf(input);
  const result: ProfileValidationResult = { checked: 0, failed: 0, byType: {}, issues: [] };
  for (const position of malformed) {
    result.issues.push({ resource: position, resourceType: '', profile: '', path: 'resourceType', code: 'structure', message: 'not a FHIR resource: resourceType is missing' });
    count(result, '(no resourceType)', true);
  }
  withResolveContext(context, () => {
    for (const { resource, position } of items) {
      const issues = resourceIssues(resource, position);
      result.issues.push(...issues);
      count(result, resource.resourceType, issues.length > 0);
    }
  });
  return result;
}
