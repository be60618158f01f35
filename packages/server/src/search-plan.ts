import { matchesSearchRequest } from '@medplum/core';
import type { Resource } from 'fhir/r4.js';
import {
  compareSorted,
  dateFilterOf,
  datePredicate,
  dateParamOf,
  referenceFilterOf,
  sortKeyOf,
  tokenFilterOf,
  tokenPredicate,
  type DateCondition,
  type DateParam,
  type Filter,
  type ReferenceIndexPath,
  type SearchArg,
  type SearchResult,
  type TokenPart,
} from './search-params.js';
import type { StoreToken } from './sqlite-store.js';
import { medplumSortOrder } from './medplum/index.js';

// How a search is answered, the same way by both stores: which filters an index answers (ids, identifier/_tag tokens,
// references, dates), which stay with Medplum's matcher, and how matches are ordered. The in-memory store applies the
// plan in JavaScript (indexed-repository.ts), the SQLite store in SQL (sqlite-search.ts); a property test
// (test/server-search-index.test.ts) checks that both give the same pages.

export interface TokenFilter {
  kind: StoreToken['kind'];
  parts: TokenPart[];
}

export interface ReferenceFilter {
  references: string[];
  /** Exactly the parameter's path, in JavaScript. */
  predicate: (r: Resource) => boolean;
  /** The same on the SQLite reference index's paths; `undefined`: only {@link predicate} is exact (search-params.ts). */
  indexPaths: ReferenceIndexPath[] | undefined;
}

export interface DateFilter {
  param: DateParam;
  /** Any of the parts (a comma list); each part all of its conditions. */
  parts: DateCondition[][];
}

/** How matches are ordered: as first written, by date keys (both stores the same way), or by Medplum's comparator. */
export type SortPlan = { kind: 'none' } | { kind: 'date'; params: DateParam[] } | { kind: 'medplum' };

export interface SearchPlan {
  resourceType: string;
  /** `_id=a,b`: only these ids. */
  ids: string[] | undefined;
  tokens: TokenFilter[];
  references: ReferenceFilter[];
  dates: DateFilter[];
  /** Left to Medplum's matcher. */
  rest: Filter[];
  sort: SortPlan;
}

/** Sort every filter of a search into what an index answers and what Medplum's matcher must evaluate. */
export function planSearch(req: SearchArg): SearchPlan {
  const plan: SearchPlan = { resourceType: req.resourceType, ids: undefined, tokens: [], references: [], dates: [], rest: [], sort: sortPlanOf(req) };
  for (const f of req.filters ?? []) {
    if (f.code === '_id' && f.operator === 'eq' && plan.ids === undefined && !f.value.includes('\\')) {
      plan.ids = f.value.split(',');
      continue;
    }
    const token = tokenFilterOf(req.resourceType, f);
    if (token) {
      plan.tokens.push(token);
      continue;
    }
    const reference = referenceFilterOf(req.resourceType, f);
    if (reference) {
      plan.references.push(reference);
      continue;
    }
    const date = dateFilterOf(req.resourceType, f);
    if (date) plan.dates.push(date);
    else plan.rest.push(f);
  }
  return plan;
}

function sortPlanOf(req: SearchArg): SortPlan {
  const rules = req.sortRules ?? [];
  if (rules.length === 0) return { kind: 'none' };
  const params = rules.map((s) => dateParamOf(req.resourceType, s.code));
  return params.every((p) => p !== undefined) ? { kind: 'date', params: params as DateParam[] } : { kind: 'medplum' };
}

/**
 * Filters the store's indexes did not answer, as one test on a candidate (`undefined`: nothing left to test).
 * `indexedReferences`: the store checks reference filters that have index paths itself (SQLite).
 */
export function remainingTest(plan: SearchPlan, options: { tokens: boolean; dates: boolean; indexedReferences: boolean }): ((r: Resource) => boolean) | undefined {
  const predicates = [
    ...(options.tokens ? plan.tokens.map(tokenPredicate) : []),
    ...plan.references.filter((f) => !options.indexedReferences || f.indexPaths === undefined).map((f) => f.predicate),
    // Medplum's matcher parses the parameter's whole R4 expression (a union over ~40 types for `date`) on every
    // resource: milliseconds each. The same comparisons on the same periods, in JavaScript.
    ...(options.dates ? plan.dates.map(datePredicate) : []),
  ];
  const request = plan.rest.length > 0 ? { resourceType: plan.resourceType, filters: plan.rest } : undefined;
  if (predicates.length === 0 && request === undefined) return undefined;
  return (r) => predicates.every((p) => p(r)) && (request === undefined || matchesSearchRequest(r as never, request as never));
}

/** Matches in the order of the search's date sort rules (see compareSorted). */
export function sortByDates(matches: Resource[], req: SearchArg, params: readonly DateParam[]): Resource[] {
  const rules = req.sortRules ?? [];
  const decorated = matches.map((r) => ({ r, id: r.id ?? '', keys: params.map((p) => sortKeyOf(r, p)) }));
  decorated.sort((a, b) => compareSorted(a, b, rules));
  return decorated.map((d) => d.r);
}

/**
 * Answer a search from its candidates (in the store's order) and the test of the filters no index answered: an
 * unsorted search keeps only the requested page and counts the rest (memory stays flat however many match); a sorted
 * one sorts the matches. Candidates are read to the end before anything is awaited.
 */
export async function answerFrom(candidates: Iterable<Resource>, test: ((r: Resource) => boolean) | undefined, req: SearchArg, plan: SearchPlan, clone: boolean): Promise<SearchResult> {
  if (plan.sort.kind === 'none') {
    const start = req.offset ?? 0;
    const end = req.count === undefined ? Number.POSITIVE_INFINITY : start + req.count;
    const kept: Resource[] = [];
    let total = 0;
    for (const r of candidates) {
      if (test && !test(r)) continue;
      if (total >= start && total < end) kept.push(r);
      total++;
    }
    return pageOf(kept, total, clone);
  }
  const found: Resource[] = [];
  for (const r of candidates) if (!test || test(r)) found.push(r);
  if (plan.sort.kind === 'date') return page(sortByDates(found, req, plan.sort.params), req, clone);
  // Medplum's search hands out copies already.
  return page(await medplumSortOrder(found, req), req, false);
}

/** The requested page of all matches. */
export function page(matches: Resource[], req: SearchArg, clone: boolean): SearchResult {
  const start = req.offset ?? 0;
  const slice = req.count !== undefined ? matches.slice(start, start + req.count) : matches.slice(start);
  return pageOf(slice, matches.length, clone);
}

/** A searchset of one page and the total. */
export function pageOf(slice: Resource[], total: number, clone: boolean): SearchResult {
  const entry = slice.map((resource) => ({ resource: clone ? structuredClone(resource) : resource }));
  return { resourceType: 'Bundle', type: 'searchset', ...(entry.length ? { entry } : {}), total } as unknown as SearchResult;
}
