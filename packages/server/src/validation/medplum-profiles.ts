/**
 * Profiles in @medplum/core 4.5.2's validator: every patch of Medplum's behaviour the profile validator needs lives in
 * this file. Relies on (checked by packages/server/test/profile-validation-assumptions.test.ts, which fails when an
 * assumption breaks):
 *
 * - @medplum/core 4.5.2 cannot index the US Core Provenance profile as published: `Provenance.entity.agent` (a
 *   contentReference into the sliced `Provenance.agent`) trips its slice parser. That one element is dropped before
 *   indexing; peer-fhir never writes `Provenance.entity`, and the validator reports any `entity.agent` as `unchecked`.
 * - `validateResource(r, { profile })` re-parses the profile on every call (~10 ms, 95% of the time). Each resource
 *   profile is also loaded once as a data type named by its URL (`loadDataType({ ...sd, type: sd.url })`) and
 *   resources are validated with `validateTypedValue({ type: url, value })`, which reads that parsed schema; the
 *   assumption test checks both ways report the same issues.
 * - Medplum's FHIRPath engine cannot evaluate some published invariants (US Core pd-1 `telecom or endpoint` on a
 *   resource with one telecom: "Error evaluating invariant expression"), so its verdicts on invariants are left out:
 *   fhirpath.js judges every invariant (invariants.ts).
 * - Medplum's issue texts hold no values but for a property name in quotes (`Invalid additional property "x"`), which
 *   the issue's path names too; quoted parts are dropped.
 */
import { indexStructureDefinitionBundle, loadDataType, OperationOutcomeError, validateResource, validateTypedValue } from '@medplum/core';
import type { StructureDefinition as MedplumStructureDefinition, Resource as MedplumResource } from '@medplum/fhirtypes';
import type { ElementDefinition, Resource, StructureDefinition } from 'fhir/r4.js';
import { loadFhirDefinitions } from '../definitions.js';
import type { ProfileIssue } from './issues.js';

/** @types/fhir and @medplum/fhirtypes describe the same JSON; Medplum's functions take their own declarations. */
function medplum<T>(value: StructureDefinition | Resource): T {
  return value as unknown as T;
}

/** Every StructureDefinition loaded, by canonical URL; and `url -> type` of profiles known only by name. */
const profiles = new Map<string, StructureDefinition>();
const knownTypes = new Map<string, string>();

const US_CORE_PROVENANCE = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance';

/** The US Core Provenance URL: the one profile loaded with an element dropped. */
export const PATCHED_PROVENANCE = US_CORE_PROVENANCE;

function loadable(sd: StructureDefinition): StructureDefinition {
  if (sd.url !== US_CORE_PROVENANCE || !sd.snapshot) return sd;
  const keep = (e: ElementDefinition) => e.path !== 'Provenance.entity.agent' && !e.path.startsWith('Provenance.entity.agent.');
  return { ...sd, snapshot: { element: sd.snapshot.element.filter(keep) }, ...(sd.differential ? { differential: { element: sd.differential.element.filter(keep) } } : {}) };
}

/**
 * Index StructureDefinitions (profiles and extensions) in Medplum once each; a URL already loaded keeps its first
 * definition. Only definitions with a snapshot can validate: the others are skipped.
 */
export function loadStructureDefinitions(sds: readonly StructureDefinition[]): void {
  loadFhirDefinitions();
  const fresh = sds.filter((sd) => typeof sd.url === 'string' && sd.snapshot && !profiles.has(sd.url)).map(loadable);
  if (!fresh.length) return;
  indexStructureDefinitionBundle(fresh.map((sd) => medplum<MedplumStructureDefinition>(sd)));
  for (const sd of fresh) {
    profiles.set(sd.url, sd);
    if (sd.kind === 'resource') loadDataType(medplum<MedplumStructureDefinition>({ ...sd, type: sd.url }));
  }
}

/** Remember the resource type of profiles whose definitions are not loaded (reference targets). */
export function loadProfileTypes(types: Readonly<Record<string, string>>): void {
  for (const [url, type] of Object.entries(types)) if (!knownTypes.has(url)) knownTypes.set(url, type);
}

/** The loaded StructureDefinition with this URL. */
export function loadedProfile(url: string): StructureDefinition | undefined {
  return profiles.get(url);
}

/** The resource type a profile constrains: from its definition, the known types, or the base URL's last segment. */
export function typeOfProfile(url: string): string {
  return profiles.get(url)?.type ?? knownTypes.get(url) ?? url.replace(/^.*\//, '');
}

/** Every loaded profile and extension URL. */
export function loadedUrls(): string[] {
  return [...profiles.keys()];
}

/** Whether a Medplum issue text is an invariant verdict (left to fhirpath.js), given the keys fhirpath skips. */
function invariantVerdict(text: string, skipped: ReadonlySet<string>): boolean {
  if (text === 'Error evaluating invariant expression') return true;
  const key = /^Constraint (\S+) not met/.exec(text)?.[1];
  return key !== undefined && !skipped.has(key);
}

/** Medplum's issue text without quoted parts (a property name; the path names it). */
function valueFree(text: string): string {
  return text.replace(/\s*"[^"]*"/g, '').trim() || 'invalid';
}

/**
 * Medplum's structural issues for a resource against a profile (cardinality, fixed and pattern values, slices, types).
 * `reparse` uses the documented (slow) call, for the assumption test.
 */
export function structureIssues(resource: Resource, sd: StructureDefinition, at: Pick<ProfileIssue, 'resource' | 'resourceType'>, skipped: ReadonlySet<string>, reparse = false): ProfileIssue[] {
  try {
    if (reparse) validateResource(medplum<MedplumResource>(resource), { profile: medplum<MedplumStructureDefinition>(sd) });
    else validateTypedValue({ type: sd.url, value: resource });
    return [];
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) {
      return [{ ...at, profile: sd.url, path: resource.resourceType, code: 'structure', message: 'the validator could not check this resource' }];
    }
    return (err.outcome.issue ?? [])
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .filter((i) => !invariantVerdict(i.details?.text ?? '', skipped))
      .map((i) => ({ ...at, profile: sd.url, path: i.expression?.join(',') ?? resource.resourceType, code: 'structure' as const, message: valueFree(i.details?.text ?? i.diagnostics ?? '') }));
  }
}

/** Medplum's issues for one extension against its definition. */
export function extensionStructureIssues(ext: { url: string }, sd: StructureDefinition): { path: string; message: string }[] {
  try {
    validateTypedValue({ type: 'Extension', value: ext }, { profile: medplum<MedplumStructureDefinition>(sd) });
    return [];
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    return (err.outcome.issue ?? []).filter((i) => i.severity === 'error').map((i) => ({ path: i.expression?.join(',') ?? '', message: valueFree(i.details?.text ?? '') }));
  }
}
