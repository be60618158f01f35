import type Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4.js';
import { answerFrom, pageOf, remainingTest, type DateFilter, type SearchPlan, type TokenFilter } from './search-plan.js';
import type { DateParam, SearchArg, SearchResult } from './search-params.js';

// A search on the SQLite store, answered from its indexes: `_id`, tokens (`tokens`: identifier and _tag values, and
// the coded parameters `status`, `type`, `code`, `category`, see search-params.ts), references
// (`refs`, a superset: the parameter's own path is then checked in JavaScript) and plain-path dates (`dates`, exact:
// the same comparisons as Medplum's matcher on the same ISO strings). The most selective index drives the query
// (ids, then tokens, then references, then dates) and each resource row is then found by its (type, id) key: the
// resources of the type are never read one by one. A date sort reads the sort-key index in order; without filters it
// streams (sortedByIndex), with them it sorts the candidates only. When every filter was answered by an index, the total is a COUNT
// and only the requested page is read; otherwise each candidate is tested and only the page kept.

/** One SQL query: a FROM clause, conditions and their arguments, the ORDER BY keys (expression and direction). */
export interface SearchSql {
  from: string;
  where: string[];
  args: unknown[];
  order: [expression: string, direction: '' | ' DESC'][];
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** `SELECT id …` of one index (an id may come more than once), and its arguments. */
interface IdSource {
  sql: string;
  args: unknown[];
}

/**
 * One SELECT per alternative (a comma list), joined by UNION ALL, each with the leading arguments (type, kind or code):
 * each is answered by the index's leading columns (an OR of them made SQLite's planner walk the whole type in the
 * owner index instead). No alternative: nothing matches (Medplum's matcher answers false for a value that is no date).
 */
function alternatives(select: string, leading: unknown[], parts: readonly { where: string; args: unknown[] }[]): IdSource {
  if (parts.length === 0) return { sql: `${select} AND 0`, args: leading };
  return { sql: parts.map((p) => `${select} AND ${p.where}`).join(' UNION ALL '), args: parts.flatMap((p) => [...leading, ...p.args]) };
}

function tokenSource(type: string, f: TokenFilter): IdSource {
  const parts = f.parts.map((p) => {
    const where = [...(p.system === undefined ? [] : ['system = ?']), ...(p.value === undefined ? [] : ['value = ?'])];
    return { where: where.join(' AND '), args: [p.system, p.value].filter((a) => a !== undefined) };
  });
  return alternatives('SELECT id FROM tokens WHERE type = ? AND kind = ?', [type, f.kind], parts);
}

function dateSource(type: string, f: DateFilter): IdSource {
  const parts = f.parts.map((conditions) => ({ where: conditions.map((c) => `${c.column === 'start' ? 'lo' : 'hi'} ${c.op} ?`).join(' AND '), args: conditions.map((c) => c.value) }));
  return alternatives('SELECT id FROM dates WHERE type = ? AND code = ?', [type, f.param.code], parts);
}

function referenceSource(type: string, references: readonly string[]): IdSource {
  return { sql: `SELECT id FROM refs WHERE type = ? AND reference IN (${placeholders(references.length)})`, args: [type, ...references] };
}

/** The index sources of a plan, most selective first (a guess: SQLite has no statistics on them). */
function sourcesOf(plan: SearchPlan): IdSource[] {
  const type = plan.resourceType;
  const sources: IdSource[] = [];
  if (plan.ids) sources.push({ sql: 'SELECT value FROM json_each(?)', args: [JSON.stringify(plan.ids)] });
  sources.push(...plan.tokens.map((f) => tokenSource(type, f)));
  sources.push(...plan.references.map((f) => referenceSource(type, f.references)));
  sources.push(...plan.dates.map((f) => dateSource(type, f)));
  return sources;
}

/** The single date parameter a search sorts by, when the date index can order it. */
function sortParamOf(plan: SearchPlan): DateParam | undefined {
  return plan.sort.kind === 'date' && plan.sort.params.length === 1 ? plan.sort.params[0] : undefined;
}

/**
 * The query of a plan. Each index source is an `r.id IN (…)` list looked up by the resources' (type, id) key; the
 * ORDER BY of an unsorted search is `+r.seq` (an expression, so SQLite's planner does not walk every resource of the
 * type in `seq` order to save a sort, testing each against the lists). A date sort joins each resource's first date
 * row (none: a NULL key, first in ascending order); without filters, and when every resource of the type has the
 * value (`sortIndexComplete`, or a descending page that sortedByIndex checks), the rows are read in the order of
 * `dates_lo` instead of sorted.
 */
export function searchSql(plan: SearchPlan, req: SearchArg, sortIndexComplete: boolean): SearchSql {
  const sources = sourcesOf(plan);
  const sortParam = sortParamOf(plan);
  const dir = req.sortRules?.[0]?.descending ? ' DESC' : '';
  if (sortParam && sources.length === 0 && sortIndexComplete) {
    return {
      from: 'dates d CROSS JOIN resources r ON r.type = d.type AND r.id = d.id',
      where: ['d.type = ?', 'd.code = ?', 'd.n = 0'],
      args: [plan.resourceType, sortParam.code],
      order: [
        ['d.lo', dir],
        ['d.id', dir],
      ],
    };
  }
  const from = sortParam ? 'resources r LEFT JOIN dates d ON d.type = r.type AND d.id = r.id AND d.code = ? AND d.n = 0' : 'resources r';
  const where = ['r.type = ?', ...sources.map((s) => `r.id IN (${s.sql})`)];
  const args = [...(sortParam ? [sortParam.code] : []), plan.resourceType, ...sources.flatMap((s) => s.args)];
  const order: SearchSql['order'] = sortParam
    ? [
        ['d.lo', dir],
        ['r.id', dir],
      ]
    : [[sources.length ? '+r.seq' : 'r.seq', '']];
  return { from, where, args, order };
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement<unknown[], unknown>>>();

/** A prepared statement, kept per database (bounded: the SQL text varies with the number of values). */
function prepared(db: Database.Database, sql: string): Database.Statement<unknown[], unknown> {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) {
    if (cache.size >= 256) cache.clear();
    cache.set(sql, (statement = db.prepare(sql)));
  }
  return statement;
}

const whereOf = (sql: Pick<SearchSql, 'where'>): string => (sql.where.length ? ` WHERE ${sql.where.join(' AND ')}` : '');

/**
 * The SQL text of the search's rows query and its arguments (for `EXPLAIN QUERY PLAN` in tests). A page is found in
 * two steps: the matches' ids and sort keys, ordered and cut to the page from the indexes alone (the resources' key
 * index covers `type`, `id` and `seq`), then only the page's rows are read; matching, ordering or skipping rows with
 * their JSON made a month of encounters sort ~10k JSON texts for a page of 50.
 */
export function rowsQuery(sql: SearchSql, limit?: { count: number; offset: number }): { text: string; args: unknown[] } {
  const orderBy = sql.order.map(([expression, direction]) => `${expression}${direction}`).join(', ');
  if (!limit) return { text: `SELECT r.json FROM ${sql.from}${whereOf(sql)} ORDER BY ${orderBy}`, args: sql.args };
  const keys = sql.order.map(([expression], i) => `${expression} AS k${i}`).join(', ');
  const pageOrder = sql.order.map(([, direction], i) => `page.k${i}${direction}`).join(', ');
  const page = `SELECT r.type AS type, r.id AS id, ${keys} FROM ${sql.from}${whereOf(sql)} ORDER BY ${orderBy} LIMIT ? OFFSET ?`;
  return { text: `SELECT r.json FROM (${page}) page CROSS JOIN resources r ON r.type = page.type AND r.id = page.id ORDER BY ${pageOrder}`, args: [...sql.args, limit.count, limit.offset] };
}

/**
 * A search sorted on one date parameter with no filter, read in the order of the date index: one COUNT of the type
 * (the total) and the page. Resources without a value sort first in ascending order (SQLite's NULL) and last in
 * descending order, after every resource that has one. So a descending page is right when it is full or ends at the
 * total; an ascending one when every resource has a value (a second COUNT, of the index). `undefined`: the caller
 * takes the general path (a page among the resources without a value).
 */
function sortedByIndex(db: Database.Database, req: SearchArg, plan: SearchPlan, param: DateParam): SearchResult | undefined {
  const type = plan.resourceType;
  const total = prepared(db, 'SELECT count(*) FROM resources WHERE type = ?').pluck().get(type) as number;
  const descending = req.sortRules?.[0]?.descending === true;
  if (!descending) {
    const keyed = prepared(db, 'SELECT count(*) FROM dates WHERE type = ? AND code = ? AND n = 0').pluck().get(type, param.code) as number;
    if (keyed !== total) return undefined;
  }
  const count = req.count ?? -1;
  if (count === 0) return pageOf([], total, false);
  const offset = req.offset ?? 0;
  const query = rowsQuery(searchSql(plan, req, true), { count, offset });
  const rows = prepared(db, query.text).pluck().all(...query.args) as string[];
  if (descending && rows.length !== count && offset + rows.length !== total) return undefined;
  return pageOf(rows.map((json) => JSON.parse(json) as Resource), total, false);
}

/** Answer a search on the SQLite store (see the header of this file). */
export async function sqliteSearch(db: Database.Database, req: SearchArg, plan: SearchPlan): Promise<SearchResult> {
  const test = remainingTest(plan, { tokens: false, dates: false });
  const sortParam = sortParamOf(plan);
  if (sortParam && test === undefined && sourcesOf(plan).length === 0) {
    const sorted = sortedByIndex(db, req, plan, sortParam);
    if (sorted) return sorted;
  }
  const sql = searchSql(plan, req, false);
  const multiSort = plan.sort.kind === 'medplum' || (plan.sort.kind === 'date' && plan.sort.params.length > 1);
  if (test === undefined && !multiSort) {
    const total = prepared(db, `SELECT count(*) FROM ${sql.from}${whereOf(sql)}`).pluck().get(...sql.args) as number;
    const count = req.count ?? -1;
    if (count === 0) return pageOf([], total, false);
    const query = rowsQuery(sql, { count, offset: req.offset ?? 0 });
    const rows = prepared(db, query.text).pluck().all(...query.args) as string[];
    return pageOf(rows.map((json) => JSON.parse(json) as Resource), total, false);
  }
  const query = rowsQuery(sql);
  // Read synchronously to the end: nothing else runs on the connection while the statement is open.
  const candidates = (function* () {
    for (const json of prepared(db, query.text).pluck().iterate(...query.args) as IterableIterator<string>) yield JSON.parse(json) as Resource;
  })();
  return answerFrom(candidates, test, req, plan, false);
}
