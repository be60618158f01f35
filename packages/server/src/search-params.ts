import { globalSchema, getSearchParameter, getSearchParameterDetails, splitSearchOnComma, toPeriod, tryGetDataType } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Resource } from 'fhir/r4.js';

// What both stores of the embedded server (JavaScript maps and SQLite) understand of a search parameter without
// Medplum's FHIRPath engine: the parameter's path when it is a plain property path, its values, the searchable periods
// of a date parameter (computed with Medplum's own toPeriod, so a date index answers exactly what Medplum's matcher
// answers), the sort key of a date parameter, and the token and reference filters an index can serve. The in-memory
// store evaluates these in JavaScript; the SQLite store keeps the same values in index tables (sqlite-search.ts).

export type SearchArg = Parameters<MemoryRepository['search']>[0];
export type SearchResult = Awaited<ReturnType<MemoryRepository['search']>>;
export type Filter = NonNullable<SearchArg['filters']>[number];
export type SortRule = NonNullable<SearchArg['sortRules']>[number];

/** A search parameter that is a plain property path on this type, e.g. `Encounter.participant.individual`. */
export interface SimplePath {
  steps: string[];
  /** `.where(resolve() is Patient)`: only references to this type count. */
  targetType?: string;
}

const simplePaths = new Map<string, SimplePath[] | null>();

/** `Type.a.b`, `Type.a.b.where(resolve() is Target)`: a path and an optional reference target type. */
const PLAIN_PATH = /^([A-Za-z]+)((?:\.[A-Za-z]+)+)(?:\.where\(resolve\(\) is ([A-Za-z]+)\))?$/;
/** `(Type.a.b as dateTime)`: the choice element `bDateTime` (FHIRPath `as` on a choice type). */
const AS_PATH = /^\(([A-Za-z]+)((?:\.[A-Za-z]+)+) as ([A-Za-z]+)\)$/;

function parsePath(part: string): SimplePath | undefined {
  const plain = PLAIN_PATH.exec(part);
  if (plain) return { steps: plain[2]!.slice(1).split('.'), ...(plain[3] ? { targetType: plain[3] } : {}) };
  const as = AS_PATH.exec(part);
  if (!as) return undefined;
  const steps = as[2]!.slice(1).split('.');
  const type = as[3]!;
  steps[steps.length - 1] += type[0]!.toUpperCase() + type.slice(1);
  return { steps };
}

/**
 * The parameter's expression, restricted to this resource type, as plain paths; `null` when any branch for the type is
 * more than a path (a function, an index, a union member we cannot follow), so only Medplum's FHIRPath engine knows it.
 */
export function simplePathsOf(resourceType: string, code: string): SimplePath[] | null {
  const cacheKey = `${resourceType}.${code}`;
  const cached = simplePaths.get(cacheKey);
  if (cached !== undefined) return cached;
  const expression = getSearchParameter(resourceType, code)?.expression;
  let result: SimplePath[] | null = null;
  if (expression) {
    const parts = expression
      .split('|')
      .map((p) => p.trim())
      .filter((p) => p.startsWith(`${resourceType}.`) || p.startsWith(`(${resourceType}.`));
    const parsed = parts.map(parsePath);
    if (parts.length > 0 && parsed.every((p) => p !== undefined)) result = parsed as SimplePath[];
  }
  // Not remembered before the definitions are loaded (every parameter would look unknown).
  if (globalSchema.types[resourceType]?.searchParams) simplePaths.set(cacheKey, result);
  return result;
}

/** The child `step` of an object; for a choice element (`effective` of `effectiveDateTime`) every typed variant. */
function childValues(v: Record<string, unknown>, step: string, out: unknown[]): void {
  const child = v[step];
  if (child === undefined) {
    // FHIRPath names a choice element without its type suffix (FHIR R4 2.1.0.1.4 "Choice of Data Types").
    for (const key in v) {
      if (key.length > step.length && key.startsWith(step) && /[A-Z]/.test(key[step.length]!)) childValues(v, key, out);
    }
    return;
  }
  if (Array.isArray(child)) out.push(...child);
  else out.push(child);
}

/** The values a plain path reaches in a resource (arrays flattened at each step, as FHIRPath does). */
export function valuesAt(r: unknown, steps: readonly string[]): unknown[] {
  let current: unknown[] = [r];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) if (typeof v === 'object' && v !== null) childValues(v as Record<string, unknown>, step, next);
    current = next;
  }
  return current;
}

/** A date parameter served from plain paths: its code and paths. */
export interface DateParam {
  code: string;
  paths: SimplePath[];
  /**
   * At most one value per resource (one path, no repeating element on it: Medplum's `getSearchParameterDetails`):
   * a resource has at most one row of it in the date index, so all of a search's conditions on it hold on that row.
   */
  single: boolean;
}

/** Medplum's details of a search parameter (element definitions, `array`); `undefined` when it cannot tell. */
function detailsOf(resourceType: string, code: string): ReturnType<typeof getSearchParameterDetails> | undefined {
  const param = getSearchParameter(resourceType, code);
  try {
    return param ? getSearchParameterDetails(resourceType, param) : undefined;
  } catch {
    return undefined;
  }
}

const dateParams = new Map<string, DateParam[]>();

/** The date search parameters of a type whose expression is a plain path (`_lastUpdated` included): the indexed ones. */
export function dateParamsOf(resourceType: string): DateParam[] {
  const cached = dateParams.get(resourceType);
  if (cached) return cached;
  const params = globalSchema.types[resourceType]?.searchParams;
  const found: DateParam[] = [];
  for (const [code, param] of Object.entries(params ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (param.type !== 'date') continue;
    const paths = simplePathsOf(resourceType, code);
    if (paths) found.push({ code, paths, single: paths.length === 1 && detailsOf(resourceType, code)?.array === false });
  }
  if (params) dateParams.set(resourceType, found);
  return found;
}

/** The date parameter `code` of the type when it is indexed (a plain path). */
export function dateParamOf(resourceType: string, code: string): DateParam | undefined {
  return dateParamsOf(resourceType).find((p) => p.code === code);
}

/**
 * A value's searchable period as Medplum 4.5.2's date matcher compares it (`toPeriod`, then `start ?? '0000'`,
 * `end ?? '9999'`): ISO instants in UTC, a partial date widened to its whole extent.
 */
export interface SearchablePeriod {
  start: string;
  end: string;
}

function periodOf(value: unknown): SearchablePeriod | undefined {
  let period: { start?: string; end?: string } | undefined;
  try {
    period = toPeriod(value);
  } catch {
    // An out-of-range instant (toISOString throws): Medplum's matcher would throw too; the value is not searchable.
    return undefined;
  }
  if (!period) return undefined;
  return { start: period.start ?? '0000', end: period.end ?? '9999' };
}

/** Every searchable period of a date parameter in a resource, in document order. */
export function searchablePeriods(r: Resource, param: DateParam): SearchablePeriod[] {
  const out: SearchablePeriod[] = [];
  for (const path of param.paths) {
    for (const v of valuesAt(r, path.steps)) {
      const p = periodOf(v);
      if (p) out.push(p);
    }
  }
  return out;
}

/**
 * The sort key of a resource on a date parameter: the start of its first searchable value ('0000' for a period open at
 * the start); a resource without a value sorts before every other in ascending order and after them in descending
 * order ({@link MISSING_SORT_KEY}), as SQLite orders a missing (NULL) key.
 */
export const MISSING_SORT_KEY = '';

export function sortKeyOf(r: Resource, param: DateParam): string {
  return searchablePeriods(r, param)[0]?.start ?? MISSING_SORT_KEY;
}

/**
 * Order of two resources by date sort keys: rule by rule, then by id (descending when the first rule is), so that
 * pages of a sorted search never overlap however many resources share a date. Both stores sort this way.
 */
export function compareSorted(a: { id: string; keys: string[] }, b: { id: string; keys: string[] }, rules: readonly SortRule[]): number {
  for (let i = 0; i < rules.length; i++) {
    const x = a.keys[i]!;
    const y = b.keys[i]!;
    if (x !== y) return (x < y ? -1 : 1) * (rules[i]!.descending ? -1 : 1);
  }
  if (a.id === b.id) return 0;
  return (a.id < b.id ? -1 : 1) * (rules[0]?.descending ? -1 : 1);
}

/** One comparison of a date filter, on Medplum's searchable periods (see {@link dateFilterOf}). */
export interface DateCondition {
  /** Which end of the stored period is compared. */
  column: 'start' | 'end';
  op: '<' | '<=' | '>' | '>=';
  value: string;
}

/**
 * A date filter as conditions on stored periods: any of `parts` (a comma list), each all of its conditions; exactly
 * Medplum 4.5.2's matchesDateValue (which compares ISO strings). `undefined` when the filter is not a plain-path date
 * parameter or is negated (`ne`) or `:missing`: those stay with Medplum's matcher.
 */
export function dateFilterOf(resourceType: string, f: Filter): { param: DateParam; parts: DateCondition[][] } | undefined {
  const param = dateParamOf(resourceType, f.code);
  if (!param) return undefined;
  const parts: DateCondition[][] = [];
  for (const value of splitSearchOnComma(f.value)) {
    const filter = periodOfFilter(value);
    if (filter === null) return undefined;
    const conditions = filter && conditionsFor(f.operator, filter);
    if (conditions === null) return undefined;
    if (conditions) parts.push(conditions);
  }
  return { param, parts };
}

/** The filter value's period; `undefined` when it is no date (matches nothing); `null` when toPeriod throws. */
function periodOfFilter(value: string): { start: string; end: string } | undefined | null {
  try {
    const p = toPeriod(value);
    return p ? { start: p.start as string, end: p.end as string } : undefined;
  } catch {
    return null;
  }
}

function conditionsFor(operator: string, f: { start: string; end: string }): DateCondition[] | null {
  switch (operator) {
    case 'eq':
    case 'ap':
      return [{ column: 'start', op: '<', value: f.end }, { column: 'end', op: '>', value: f.start }];
    case 'lt':
      return [{ column: 'start', op: '<', value: f.start }];
    case 'gt':
      return [{ column: 'end', op: '>', value: f.end }];
    case 'le':
      return [{ column: 'start', op: '<=', value: f.end }];
    case 'ge':
      return [{ column: 'end', op: '>=', value: f.start }];
    case 'sa':
      return [{ column: 'start', op: '>', value: f.end }];
    case 'eb':
      return [{ column: 'end', op: '<', value: f.start }];
    default:
      return null;
  }
}

const holds = (p: SearchablePeriod, c: DateCondition): boolean => {
  const v = c.column === 'start' ? p.start : p.end;
  return c.op === '<' ? v < c.value : c.op === '<=' ? v <= c.value : c.op === '>' ? v > c.value : v >= c.value;
};

/** A {@link dateFilterOf} filter evaluated on a resource in JavaScript: what the SQLite date index answers. */
export function datePredicate(filter: { param: DateParam; parts: DateCondition[][] }): (r: Resource) => boolean {
  return (r) => searchablePeriods(r, filter.param).some((p) => filter.parts.some((conditions) => conditions.every((c) => holds(p, c))));
}

/**
 * A token the index holds. `value` undefined: any value in the system (`system|`); `system` undefined: any system (a
 * bare `code`, coded parameters only).
 */
export interface TokenPart {
  system: string | undefined;
  value: string | undefined;
}

/** One comma-separated part of an `identifier=` / `_tag=` filter: `system|value` or `system|`, matched exactly. */
function exactPart(v: string): TokenPart | undefined {
  const bar = v.indexOf('|');
  if (bar <= 0 || bar !== v.lastIndexOf('|')) return undefined;
  return { system: v.slice(0, bar), value: bar === v.length - 1 ? undefined : v.slice(bar + 1) };
}

/**
 * One part of a coded filter (`status=`, `type=`, `code=`, `category=`), as Medplum 4.5.2's token matcher reads it,
 * lower-cased as the index holds it: `code` (any system; no system at all when the parameter is a plain `code`
 * element), `system|code`, `system|`, `|code` (no system). `null` for a part that matches nothing (`''`, `|`);
 * `undefined` for one the index does not serve (several bars).
 */
function codedPart(v: string, param: CodedParam): TokenPart | null | undefined {
  const bar = v.indexOf('|');
  if (bar < 0) return v === '' ? null : { system: param.codeOnly ? '' : undefined, value: v.toLowerCase() };
  if (bar !== v.lastIndexOf('|')) return undefined;
  const system = v.slice(0, bar).toLowerCase();
  const value = v.slice(bar + 1).toLowerCase();
  if (!system && !value) return null;
  return { system, value: value === '' ? undefined : value };
}

/**
 * An `identifier=` / `_tag=` filter the token index answers: every comma-separated part is `system|value` or
 * `system|` (FHIR R4 search 3.1.1.5.10: any value in that system); matched exactly (case included), as the index
 * holds them. A coded filter (`status=`, `type=`, `code=`, `category=` on a parameter that is one plain element, see
 * {@link codedParamOf}) is matched as Medplum's matcher does: case-insensitively, a bare code in any system. Anything
 * else (a code without system on identifier, an escaped comma, a modifier) stays with Medplum's matcher.
 */
export function tokenFilterOf(resourceType: string, f: Filter): { kind: StoreToken['kind']; parts: TokenPart[] } | undefined {
  if (f.operator !== 'eq' || f.value.includes('\\')) return undefined;
  if (f.code === 'identifier' || f.code === '_tag') {
    const parts = f.value.split(',').map(exactPart);
    return parts.every((p) => p !== undefined) ? { kind: f.code, parts: parts as TokenPart[] } : undefined;
  }
  const param = codedParamOf(resourceType, f.code);
  if (!param) return undefined;
  const parts: TokenPart[] = [];
  for (const v of f.value.split(',')) {
    const part = codedPart(v, param);
    if (part === undefined) return undefined;
    if (part) parts.push(part);
  }
  return { kind: param.code, parts };
}

/** Whether a resource holds one of the tokens of a {@link tokenFilterOf} filter. */
export function tokenPredicate(filter: { kind: StoreToken['kind']; parts: TokenPart[] }): (r: Resource) => boolean {
  return (r) => {
    let found = false;
    forEachToken(r, (kind, system, value) => {
      if (!found && kind === filter.kind) found = filter.parts.some((p) => (p.system === undefined || p.system === system) && (p.value === undefined || p.value === value));
    });
    return found;
  };
}

/**
 * Where a reference filter looks in the reference index: per path of the parameter, the property path as
 * {@link forEachReference} records it (`participant.individual`) and the filter's references that path may hold (a
 * `.where(resolve() is Patient)` path only `Patient/…` ones).
 */
export interface ReferenceIndexPath {
  path: string;
  references: string[];
}

/** A reference filter on a plain-path parameter: its references, the JavaScript test, and the SQL one when exact. */
export interface ReferenceFilterParts {
  references: string[];
  predicate: (r: Resource) => boolean;
  /**
   * The same test on the reference index's paths; `undefined` when a step is a choice element (`source[x]`: the stored
   * property is `sourceReference`), which only {@link predicate} follows.
   */
  indexPaths: ReferenceIndexPath[] | undefined;
}

/** A reference filter `code=Type/id[,Type/id…]` whose parameter is a plain path: the references and a JS predicate. */
export function referenceFilterOf(resourceType: string, f: Filter): ReferenceFilterParts | undefined {
  if (f.operator !== 'eq' || f.value.includes('\\')) return undefined;
  const references = f.value.split(',');
  if (!references.every((v) => /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+$/.test(v))) return undefined;
  if (getSearchParameter(resourceType, f.code)?.type !== 'reference') return undefined;
  const paths = simplePathsOf(resourceType, f.code);
  if (!paths) return undefined;
  const wanted = new Set(references);
  const predicate = (r: Resource): boolean =>
    paths.some((p) =>
      valuesAt(r, p.steps).some((v) => {
        const ref = (v as { reference?: unknown } | undefined)?.reference;
        return typeof ref === 'string' && wanted.has(ref) && (!p.targetType || ref.startsWith(`${p.targetType}/`));
      }),
    );
  const exact = detailsOf(resourceType, f.code)?.elementDefinitions?.every((d) => !d.path?.includes('[x]')) === true;
  const indexPaths = exact ? paths.map((p) => ({ path: p.steps.join('.'), references: references.filter((ref) => !p.targetType || ref.startsWith(`${p.targetType}/`)) })) : undefined;
  return { references, predicate, indexPaths };
}

/**
 * Calls `fn(path, reference)` once per distinct property path and `Reference.reference` string in a resource, at any
 * depth: the path is the property names from the resource to the Reference, arrays not counted
 * (`participant.individual`), which is how {@link valuesAt} walks a parameter's path to the same Reference.
 */
export function forEachReference(resource: Resource, fn: (path: string, reference: string) => void): void {
  const seen = new Set<string>();
  const walk = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, path);
      return;
    }
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'reference' && typeof v === 'string') {
        const both = `${path} ${v}`;
        if (!seen.has(both)) fn(path, v);
        seen.add(both);
      } else if (typeof v === 'object') walk(v, path ? `${path}.${key}` : key);
    }
  };
  walk(resource, '');
}

/**
 * A date row's length in days, as SQL on the `dates` table's `lo` and `hi` (index `dates_span`, schema.ts): 1e9 when
 * an end is open ('0000', '9999': julianday would read those as day numbers) or not an instant SQLite can read.
 */
export const DATE_SPAN_DAYS = "(CASE WHEN lo GLOB '[0-9][0-9][0-9][0-9]-*' AND hi GLOB '[0-9][0-9][0-9][0-9]-*' THEN coalesce(julianday(hi) - julianday(lo), 1e9) ELSE 1e9 END)";

/** The coded search parameters the token index holds (when the parameter is one plain element of the type). */
export const CODED_PARAMS = ['status', 'type', 'code', 'category'] as const;

/**
 * An indexed token of a resource: `identifier` (`system|value`) or `_tag` (`system|code`), a missing half ''; or a
 * coded parameter ({@link CODED_PARAMS}), lower-cased.
 */
export interface StoreToken {
  kind: 'identifier' | '_tag' | (typeof CODED_PARAMS)[number];
  system: string;
  value: string;
}

/** How an element holds its tokens (Medplum's `buildTokens`, by the element's declared type). */
type CodedShape = 'code' | 'CodeableConcept' | 'Coding';

/** A coded parameter the token index holds: its code, the element, and the element's type. */
export interface CodedParam {
  code: (typeof CODED_PARAMS)[number];
  element: string;
  shape: CodedShape;
  /** A plain `code` element: its tokens never have a system. */
  codeOnly: boolean;
}

const codedParams = new Map<string, CodedParam[]>();
const CODED_SHAPES: ReadonlySet<string> = new Set(['code', 'CodeableConcept', 'Coding']);

/** The coded parameter `code` of a type when it is one plain element of type code, CodeableConcept or Coding. */
function codedParamFor(resourceType: string, code: (typeof CODED_PARAMS)[number]): CodedParam | undefined {
  if (getSearchParameter(resourceType, code)?.type !== 'token') return undefined;
  const paths = simplePathsOf(resourceType, code);
  const step = paths?.length === 1 && paths[0]?.steps.length === 1 && !paths[0].targetType ? paths[0].steps[0] : undefined;
  const types = step === undefined ? undefined : tryGetDataType(resourceType)?.elements[step]?.type;
  const shape = types?.length === 1 ? types[0]?.code : undefined;
  if (step === undefined || shape === undefined || !CODED_SHAPES.has(shape)) return undefined;
  return { code, element: step, shape: shape as CodedShape, codeOnly: shape === 'code' };
}

/** The indexed coded parameters of a type (see {@link CODED_PARAMS}). */
export function codedParamsOf(resourceType: string): CodedParam[] {
  const cached = codedParams.get(resourceType);
  if (cached) return cached;
  const found = CODED_PARAMS.flatMap((code) => codedParamFor(resourceType, code) ?? []);
  // Not remembered before the definitions are loaded (every parameter would look unknown).
  if (globalSchema.types[resourceType]?.searchParams) codedParams.set(resourceType, found);
  return found;
}

/** The indexed coded parameter `code` of a type, if it is one. */
export function codedParamOf(resourceType: string, code: string): CodedParam | undefined {
  return codedParamsOf(resourceType).find((p) => p.code === code);
}

type TokenSink = (kind: StoreToken['kind'], system: string, value: string) => void;

/** Medplum's `buildSimpleToken`: a token when there is a system or a value; lower-cased (its matcher ignores case). */
function simpleToken(fn: TokenSink, kind: StoreToken['kind'], system: unknown, value: unknown): void {
  const s = typeof system === 'string' ? system : '';
  const v = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  if (s || v) fn(kind, s.toLowerCase(), v.toLowerCase());
}

/** Medplum's `buildCodingToken`: the display (no system), then system|code. */
function codingTokens(fn: TokenSink, kind: StoreToken['kind'], coding: unknown): void {
  if (typeof coding !== 'object' || coding === null) return;
  const c = coding as { system?: unknown; code?: unknown; display?: unknown };
  if (c.display) simpleToken(fn, kind, undefined, c.display);
  simpleToken(fn, kind, c.system, c.code);
}

/** The tokens of one coded parameter's values, as Medplum 4.5.2's `convertToSearchableTokens` builds them. */
function codedTokens(r: Resource, param: CodedParam, fn: TokenSink): void {
  const raw: unknown = Reflect.get(r, param.element);
  for (const value of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) {
    if (param.shape === 'code') simpleToken(fn, param.code, undefined, value);
    else if (param.shape === 'Coding') codingTokens(fn, param.code, value);
    else if (typeof value === 'object' && value !== null) {
      const concept = value as { text?: unknown; coding?: unknown };
      if (concept.text) simpleToken(fn, param.code, undefined, concept.text);
      if (Array.isArray(concept.coding)) for (const coding of concept.coding) codingTokens(fn, param.code, coding);
    }
  }
}

/** Calls `fn` for each identifier and meta.tag token of a resource, and each token of its indexed coded parameters. */
export function forEachToken(r: Resource, fn: TokenSink): void {
  // Most types have a list of identifiers; a few (QuestionnaireResponse, Bundle) have exactly one.
  const raw = (r as { identifier?: { system?: string; value?: string } | { system?: string; value?: string }[] }).identifier;
  if (Array.isArray(raw)) for (const i of raw) fn('identifier', i?.system ?? '', i?.value ?? '');
  else if (raw) fn('identifier', raw.system ?? '', raw.value ?? '');
  for (const t of r.meta?.tag ?? []) fn('_tag', t?.system ?? '', t?.code ?? '');
  for (const param of codedParamsOf(r.resourceType)) codedTokens(r, param, fn);
}
