// Plain objects and arrays for the resources `toFhir` returns, built without object or array literals.
//
// Why (issue 18, B1): V8 gives every object and array literal an "allocation site" and, at the first scavenge after a
// site has made ~100 objects, decides once per process whether that site's objects are born in old space
// ("pretenuring"): yes when >= 85% of them are still alive. A toFhir call keeps all its output alive until it returns,
// so that first scavenge decides by where it happens to fall: about half of fresh processes pretenured every output
// site and then ran 2-3x slower for their whole life (old objects pointing at young strings make every scavenge
// copy them; only a full GC frees the old ones). An empty `{}` filled by assignment, a rest-parameter array and a class
// instance carry no allocation site, so these objects are always born young and die young; `[]` and `new Array()` do
// carry one (checked with %InYoungGeneration under a 1 MB new space). The same holds for what lives as long as a call
// and points at its output (the builder's records, builder.ts). The JSON is the same: members are assigned in the
// order the literals had (docs/benchmarks.md, B1).
import type { CodeableConcept, Coding, Extension, Identifier, Period, Reference, Resource } from 'fhir/r4.js';

/** `[a, b, ...]` as an array without an allocation site (a rest parameter). */
export const list = <T>(...items: T[]): T[] => items;

/** An empty plain object to fill in member by member, in JSON order; the caller sets the members `T` requires. */
export const blank = <T extends object>(): T => ({}) as T;

/** An empty resource of `resourceType` to fill in member by member, in JSON order (the caller sets what `T` requires). */
export function blankResource<T extends Resource>(resourceType: T['resourceType']): T {
  const r: { resourceType?: string } = {};
  r.resourceType = resourceType;
  return r as T;
}

/** `{ system, code, display? }` (no `display` member when it is undefined). */
export function coding(system: string, code: string, display?: string): Coding {
  const c: Coding = {};
  c.system = system;
  c.code = code;
  if (display !== undefined) c.display = display;
  return c;
}

/** `{ coding: [...codings] }`. */
export function codeable(...codings: Coding[]): CodeableConcept {
  const c: CodeableConcept = {};
  c.coding = codings;
  return c;
}

/** `{ reference }`. */
export function reference(ref: string): Reference {
  const r: Reference = {};
  r.reference = ref;
  return r;
}

/** `{ start, end }`. */
export function period(start: string, end: string): Period {
  const p: Period = {};
  p.start = start;
  p.end = end;
  return p;
}

/** `{ url, valueCoding }`. */
export function codingExtension(url: string, value: Coding): Extension {
  const x = blank<Extension>();
  x.url = url;
  x.valueCoding = value;
  return x;
}

/** `{ system, value }` of an entry's key (`{ use, system, value }` when `use` is given): the identifier it is created under. */
export function keyIdentifier(key: { system: string; value: string }, use?: Identifier['use']): Identifier {
  const id = blank<Identifier>();
  if (use !== undefined) id.use = use;
  id.system = key.system;
  id.value = key.value;
  return id;
}
