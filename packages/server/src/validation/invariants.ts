/**
 * Profile invariants (FHIRPath constraints such as US Core `pd-1`, `us-core-6`, base R4 `provenance-1`) evaluated with
 * fhirpath.js 5.2.0, with `resolve()` answered from the resources validated together (a Bundle's entries), which
 * Medplum cannot do: it does not follow `urn:uuid` references, so provenance-1 (`who.resolve() is Practitioner implies
 * onBehalfOf.exists()`) would be vacuously true there.
 *
 * Relies on fhirpath 5.2.0 calling a user invocation table entry marked `internalStructures` with the evaluation context
 * as `this` and ResourceNode inputs; `resolve()` builds its result nodes with the input node's own class (checked by
 * packages/server/test/profile-validation-assumptions.test.ts).
 */
import type { ElementDefinition, Resource, StructureDefinition } from 'fhir/r4.js';
import fhirpath, { type Options } from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4';
import type { ProfileIssue } from './issues.js';

/** A compiled constraint of a profile. */
interface Invariant {
  path: string;
  key: string;
  human: string;
  run: (resource: Resource) => unknown[];
}

/**
 * Constraints fhirpath does not evaluate: ele-1 and ext-1 are structural and checked by Medplum on every element; dom-3
 * walks every descendant of contained resources, which peer-fhir never writes.
 */
export const SKIPPED_INVARIANTS: ReadonlySet<string> = new Set(['ele-1', 'ext-1', 'dom-3']);

const invariantsByProfile = new Map<string, Invariant[]>();

/** `fullUrl` / `Type/id` -> resource, for `resolve()`; set for the duration of one resource's checks. */
let context: ReadonlyMap<string, Resource> = new Map();

/** Run `fn` with `resolve()` answered from `resources`. */
export function withResolveContext<T>(resources: ReadonlyMap<string, Resource>, fn: () => T): T {
  const before = context;
  context = resources;
  try {
    return fn();
  } finally {
    context = before;
  }
}

/** The resource a reference string names in the current context. */
export function resolveReference(reference: string): Resource | undefined {
  return context.get(reference);
}

interface ResNode {
  data?: unknown;
  constructor: { makeResNode(ctx: unknown, data: unknown, ...rest: null[]): unknown };
}

function resolveNodes(this: unknown, inputs: ResNode[]): unknown[] {
  const out: unknown[] = [];
  for (const node of inputs) {
    const value = node.data as { reference?: unknown } | string | undefined;
    const ref = typeof value === 'string' ? value : typeof value?.reference === 'string' ? value.reference : undefined;
    const target = ref === undefined ? undefined : context.get(ref);
    if (target) out.push(node.constructor.makeResNode(this, target, null, null, null, null));
  }
  return out;
}

const fhirpathOptions: Options = {
  userInvocationTable: { resolve: { internalStructures: true, arity: { 0: [] }, fn: resolveNodes } },
  // Some published constraints call trace(); the default prints the traced values (resource content) to the console.
  traceFn: () => undefined,
};

/** FHIRPath of an element, segments after the type in backticks (element names such as `div` are keywords). */
export function elementPath(path: string): string {
  const [root, ...rest] = path.replace(/\[x\]/g, '').split('.');
  return [root, ...rest.map((s) => `\`${s}\``)].join('.');
}

/** Compile an expression against the R4 model, with `resolve()` from the context. */
export function compilePath(expression: string): (resource: Resource) => unknown[] {
  const compiled = fhirpath.compile(expression, r4model, fhirpathOptions);
  return (resource) => compiled(resource) as unknown[];
}

const literal = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * `where(...)` selecting the members of a slice from its pattern's primitive fields (e.g. the NPI slice of
 * `Organization.identifier`, pattern `{ system: us-npi }`); undefined when the slice has no such pattern.
 */
function sliceFilter(e: ElementDefinition): string | undefined {
  const pattern = Object.entries(e).find(([k]) => k.startsWith('pattern'))?.[1];
  if (!pattern || typeof pattern !== 'object') return undefined;
  const terms = Object.entries(pattern).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${k} = ${literal(v as string)}`);
  return terms.length ? `.where(${terms.join(' and ')})` : undefined;
}

function compileInvariants(sd: StructureDefinition): Invariant[] {
  const list: Invariant[] = [];
  const seen = new Set<string>();
  for (const e of sd.snapshot?.element ?? []) {
    const lastSegment = e.id?.split('.').pop() ?? '';
    // A constraint on a slice holds for the slice's members only.
    const filter = lastSegment.includes(':') ? sliceFilter(e) : '';
    if (filter === undefined) continue;
    for (const c of e.constraint ?? []) {
      if (c.severity !== 'error' || !c.expression || SKIPPED_INVARIANTS.has(c.key)) continue;
      const id = `${e.path}${filter}|${c.key}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const expression = e.path.includes('.') ? `${elementPath(e.path)}${filter}.all(${c.expression})` : c.expression;
      list.push({ path: e.path, key: c.key, human: c.human, run: compilePath(expression) });
    }
  }
  return list;
}

/**
 * Every error-severity invariant of the profile the resource breaks. An invariant holds when it evaluates to true;
 * empty is not true (as in Medplum and the HL7 validator), and an expression that fails to evaluate does not hold.
 */
export function invariantIssues(resource: Resource, sd: StructureDefinition, at: Pick<ProfileIssue, 'resource' | 'resourceType'>): ProfileIssue[] {
  let invariants = invariantsByProfile.get(sd.url);
  if (!invariants) invariantsByProfile.set(sd.url, (invariants = compileInvariants(sd)));
  const issues: ProfileIssue[] = [];
  for (const inv of invariants) {
    let ok: boolean;
    try {
      const result = inv.run(resource);
      ok = result.length === 1 && result[0] === true;
    } catch {
      ok = false;
    }
    if (!ok) issues.push({ ...at, profile: sd.url, path: inv.path, code: 'invariant', key: inv.key, message: inv.human });
  }
  return issues;
}
