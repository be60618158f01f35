import type Database from 'better-sqlite3';
import type { DateFilter, ReferenceFilter, SearchPlan, TokenFilter } from './search-plan.js';
import { OPEN_SPAN_DAYS } from './date-index.js';
import { writesTo } from './write-counts.js';
import type { DateCondition, DateParam, SearchArg, TokenPart } from './search-params.js';

// The SQL of a search on the SQLite store (issue 18: the searches `bill` sends at 100k–1M rows). Every filter can be
// written two ways on its index: as the row keys (`resources.seq`, which owns every index row: schema.ts, version 7)
// it matches, to drive the query from, or as a test of one row (`EXISTS` on the index by the row's owner key). One filter drives: the one whose index range holds the fewest entries, found
// by counting each up to PROBE_LIMIT entries (SQLite keeps no statistics on these indexes); every other filter is
// checked per row in SQL, never materialised as an id list of its own. When the driver is a range of the date
// parameter the search sorts by, its index is read in sort order and a page stops after `_count` matches: no sort,
// and a page can start after the last key of the previous one (keyset; sqlite-search.ts remembers those keys).

/** SQL text and its arguments. */
export interface Sql {
  sql: string;
  args: unknown[];
}

/** One query of a search: its FROM clause, conditions, the expression of the matches' ids, and the ORDER BY keys. */
export interface SearchSql {
  from: string;
  where: string[];
  args: unknown[];
  /** The expression of a match's id in `from` (its type is the search's). */
  id: string;
  /** The expression of a match's row key (`resources.seq`) in `from`. */
  owner: string;
  order: [expression: string, direction: '' | ' DESC'][];
  /** Read in the order of `dates_lo` (the keys are `d.lo`, `d.id`): a page may start after given keys (keyset). */
  keyset: boolean;
}

/** A row of the query a filter is tested on: the SQL expressions of its row key and of its id. */
interface RowKeys {
  owner: string;
  id: string;
}

/** One filter on its index: the row keys it matches (one may repeat), and the test of one row. */
interface IndexFilter {
  owners: Sql;
  /** `_id`: the ids themselves, which drive a query by the resources' (type, id) key. */
  ids?: Sql;
  check: (row: RowKeys) => Sql;
  /** A date filter on a single-valued parameter, as conditions on its one row (start/end: `lo`/`hi`). */
  range?: { param: DateParam; conditions: DateCondition[] };
}

/** Entries counted per filter when choosing the driver: beyond this, filters count as equally large. */
export const PROBE_LIMIT = 4096;

/**
 * A bounded map that forgets the least recently used entry first: bill's month search is asked again after the
 * ~100 other searches of a chunk of participants, and must still be known then.
 */
export class RecentlyUsed<V> {
  readonly #entries = new Map<string, V>();

  constructor(readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }
}

const statements = new WeakMap<Database.Database, RecentlyUsed<Database.Statement<unknown[], unknown>>>();

/** A prepared statement, kept per database (bounded: the SQL text varies with the number of values). */
export function prepared(db: Database.Database, sql: string): Database.Statement<unknown[], unknown> {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new RecentlyUsed(256)));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/**
 * One SELECT per alternative (a comma list), joined by UNION ALL, each with the leading arguments: each is answered
 * by the index's leading columns (an OR of them made SQLite walk the whole type instead). No alternative: nothing.
 */
function alternatives(select: string, leading: unknown[], parts: readonly Sql[]): Sql {
  if (parts.length === 0) return { sql: `${select} AND 0`, args: leading };
  return { sql: parts.map((p) => `${select} AND ${p.sql}`).join(' UNION ALL '), args: parts.flatMap((p) => [...leading, ...p.args]) };
}

/** `(a) OR (b)` of the parts; `0` (false) for none. */
function anyOf(parts: readonly Sql[]): Sql {
  return parts.length === 0 ? { sql: '0', args: [] } : { sql: `(${parts.map((p) => `(${p.sql})`).join(' OR ')})`, args: parts.flatMap((p) => p.args) };
}

/**
 * One part of a token filter on the token index: its system and value; a value without a system ('' or any) is also
 * found in the `text` of a row, where the store keeps a token without a system beside a coded one (schema 7).
 */
function tokenPartSql(p: TokenPart): Sql[] {
  const where = [...(p.system === undefined ? [] : ['system = ?']), ...(p.value === undefined ? [] : ['value = ?'])];
  const own = { sql: where.length ? where.join(' AND ') : '1', args: [p.system, p.value].filter((a) => a !== undefined) };
  return p.value !== undefined && !p.system ? [own, { sql: 'text = ?', args: [p.value] }] : [own];
}

function tokenFilter(type: string, f: TokenFilter): IndexFilter {
  const parts = f.parts.flatMap(tokenPartSql);
  const any = anyOf(parts);
  return {
    owners: alternatives('SELECT owner FROM tokens WHERE type = ? AND kind = ?', [type, f.kind], parts),
    check: (row) => ({ sql: `EXISTS (SELECT 1 FROM tokens WHERE owner = ${row.owner} AND kind = ? AND ${any.sql})`, args: [f.kind, ...any.args] }),
  };
}

function referenceFilter(type: string, f: ReferenceFilter): IndexFilter {
  if (f.indexPaths === undefined) {
    // A choice element on the path: the index narrows (any path), the predicate decides (sqlite-search.ts).
    const list = { sql: `reference IN (${placeholders(f.references.length)})`, args: f.references };
    return {
      owners: { sql: `SELECT owner FROM refs WHERE type = ? AND ${list.sql}`, args: [type, ...list.args] },
      check: (row) => ({ sql: `EXISTS (SELECT 1 FROM refs WHERE owner = ${row.owner} AND ${list.sql})`, args: list.args }),
    };
  }
  const paths = f.indexPaths.filter((p) => p.references.length > 0);
  const parts = paths.map((p) => ({ sql: `path = ? AND reference IN (${placeholders(p.references.length)})`, args: [p.path, ...p.references] }));
  // Per row: the owner's few rows at the path, then the list (`+reference`: not one B-tree probe per listed value).
  const any = anyOf(paths.map((p) => ({ sql: `path = ? AND +reference IN (${placeholders(p.references.length)})`, args: [p.path, ...p.references] })));
  return {
    owners: alternatives('SELECT owner FROM refs WHERE type = ?', [type], parts),
    check: (row) => ({ sql: `EXISTS (SELECT 1 FROM refs WHERE owner = ${row.owner} AND ${any.sql})`, args: any.args }),
  };
}

const conditionSql = (conditions: readonly DateCondition[], table = ''): Sql => ({
  sql: conditions.map((c) => `${table}${c.column === 'start' ? 'lo' : 'hi'} ${c.op} ?`).join(' AND ') || '1',
  args: conditions.map((c) => c.value),
});

const DAY_MS = 86_400_000;

/**
 * The longest date row of a parameter, in days, at least 1 (`date_spans` records only rows longer than a day:
 * schema.ts, version 7); `undefined` when some row is open-ended or unreadable (then no bound is derived from it).
 */
function longestSpanDays(db: Database.Database, type: string, code: string): number | undefined {
  const days = prepared(db, 'SELECT days FROM date_spans WHERE type = ? AND code = ?').pluck().get(type, code) as number | undefined;
  return days === undefined ? 1 : days >= OPEN_SPAN_DAYS / 10 ? undefined : Math.max(1, days);
}

/**
 * The conditions of one part with a lower bound on `lo` derived from its `hi >= Y` (or `>`) conditions: a row whose
 * end is at or after Y started at most the parameter's longest span (plus a day of margin) before Y. The bound only
 * narrows the index range; the conditions it comes from are still tested, so the matches are the same.
 */
function withStartBound(conditions: readonly DateCondition[], longest: number | undefined): DateCondition[] {
  if (longest === undefined) return [...conditions];
  const ends = conditions.filter((c) => c.column === 'end' && (c.op === '>=' || c.op === '>')).map((c) => Date.parse(c.value));
  const from = Math.max(...ends.filter((t) => !Number.isNaN(t))) - (longest + 1) * DAY_MS;
  if (!Number.isFinite(from) || from < Date.UTC(1, 0, 1)) return [...conditions];
  return [...conditions, { column: 'start', op: '>=', value: new Date(from).toISOString() }];
}

function dateFilter(db: Database.Database, type: string, f: DateFilter): IndexFilter {
  const longest = f.parts.some((p) => p.some((c) => c.column === 'end')) ? longestSpanDays(db, type, f.param.code) : undefined;
  const bounded = f.parts.map((p) => withStartBound(p, longest));
  // Per row (`+lo`, `+hi`: not index terms): the row's own entries by the key (type, id, code). A range of dates_hi
  // or dates_lo walked once per row instead took ~3 s for one patient's `date=ge…` at 100k rows.
  const any = anyOf(bounded.map((p) => conditionSql(p, '+')));
  const only = bounded.length === 1 && f.param.single && oneRowEach(db, type, f.param.code) ? bounded[0] : undefined;
  return {
    owners: alternatives('SELECT owner FROM dates WHERE type = ? AND code = ?', [type, f.param.code], bounded.map((p) => conditionSql(p))),
    check: (row) => ({ sql: `EXISTS (SELECT 1 FROM dates WHERE owner = ${row.owner} AND code = ? AND ${any.sql})`, args: [f.param.code, ...any.args] }),
    ...(only ? { range: { param: f.param, conditions: only } } : {}),
  };
}

const oneRow = new WeakMap<Database.Database, RecentlyUsed<{ changes: number; holds: boolean }>>();

/**
 * Whether every stored resource of the type has at most one row of this single-valued parameter: what the schema
 * says (a non-repeating element) checked on the data, since a store that does not validate may hold a list where
 * one value belongs (Medplum's matcher then matches on any of them). One walk of the parameter's rows per write
 * to the type; `false` inside a transaction (the general path, exact for any data).
 */
function oneRowEach(db: Database.Database, type: string, code: string): boolean {
  const changes = writesTo(db, type);
  if (changes === undefined) return false;
  let known = oneRow.get(db);
  if (!known) oneRow.set(db, (known = new RecentlyUsed(256)));
  const key = `${type} ${code}`;
  const found = known.get(key);
  if (found !== undefined && found.changes === changes) return found.holds;
  const holds = prepared(db, 'SELECT NOT EXISTS (SELECT 1 FROM dates INDEXED BY dates_lo WHERE type = ? AND code = ? AND n > 0)').pluck().get(type, code) === 1;
  known.set(key, { changes, holds });
  return holds;
}

/**
 * The date filters of a plan, those on one single-valued parameter merged: its one row must meet all of them (a
 * resource has at most one value), so `date=ge…&date=le…` becomes one range of the index instead of two halves of it.
 */
function mergedDateFilters(db: Database.Database, type: string, dates: readonly DateFilter[]): DateFilter[] {
  const single = (f: DateFilter): boolean => f.param.single && oneRowEach(db, type, f.param.code);
  const out: DateFilter[] = [];
  const merged = new Map<string, DateCondition[]>();
  for (const f of dates) {
    const [only, ...more] = f.parts;
    const into = merged.get(f.param.code);
    if (!only || more.length > 0 || !single(f)) out.push(f);
    else if (into) into.push(...only);
    else {
      const conditions = [...only];
      merged.set(f.param.code, conditions);
      out.push({ param: f.param, parts: [conditions] });
    }
  }
  return out;
}

/** Every filter of a plan on its index. */
function indexFilters(db: Database.Database, plan: SearchPlan): IndexFilter[] {
  const type = plan.resourceType;
  const filters: IndexFilter[] = [];
  if (plan.ids) {
    const ids = JSON.stringify(plan.ids);
    filters.push({
      owners: { sql: 'SELECT seq FROM resources WHERE type = ? AND id IN (SELECT value FROM json_each(?))', args: [type, ids] },
      ids: { sql: 'SELECT value FROM json_each(?)', args: [ids] },
      check: (row) => ({ sql: `${row.id} IN (SELECT value FROM json_each(?))`, args: [ids] }),
    });
  }
  filters.push(...plan.tokens.map((f) => tokenFilter(type, f)));
  filters.push(...plan.references.map((f) => referenceFilter(type, f)));
  filters.push(...mergedDateFilters(db, type, plan.dates).map((f) => dateFilter(db, type, f)));
  return filters;
}

/** How many index entries a filter's row keys read, up to {@link PROBE_LIMIT}. */
function probe(db: Database.Database, f: IndexFilter): number {
  return prepared(db, `SELECT count(*) FROM (${f.owners.sql} LIMIT ${PROBE_LIMIT})`).pluck().get(...f.owners.args) as number;
}

/** The driver chosen for a search (its position among the filters), until its type is written (sqlite-search.ts). */
const drivers = new WeakMap<Database.Database, RecentlyUsed<{ changes: number; index: number }>>();

/**
 * The filter to drive from: the fewest entries; on a tie (both at the probe limit) a range of the sort parameter,
 * which is read in sort order and stops at the page's end. Remembered per search until its type is written, so the
 * pages of a search after the first probe nothing.
 */
function driverOf(db: Database.Database, req: SearchArg, filters: readonly IndexFilter[], sortCode: string | undefined): IndexFilter | undefined {
  if (filters.length < 2) return filters[0];
  const changes = writesTo(db, req.resourceType);
  let known = drivers.get(db);
  if (!known) drivers.set(db, (known = new RecentlyUsed(1024)));
  const key = JSON.stringify([req.resourceType, req.filters, sortCode]);
  const found = known.get(key);
  if (found !== undefined && found.changes === changes) return filters[found.index];
  let best: { index: number; size: number; sorted: boolean } | undefined;
  filters.forEach((f, index) => {
    const size = probe(db, f);
    const sorted = f.range?.param.code === sortCode;
    if (!best || size < best.size || (size === best.size && sorted && !best.sorted)) best = { index, size, sorted };
  });
  if (changes !== undefined) known.set(key, { changes, index: best?.index ?? 0 });
  return filters[best?.index ?? 0];
}

/** The single date parameter a search sorts by, when the date index can order it. */
export function sortParamOf(plan: SearchPlan): DateParam | undefined {
  return plan.sort.kind === 'date' && plan.sort.params.length === 1 ? plan.sort.params[0] : undefined;
}

/** Rows of `dates_lo` of the sort parameter in sort order: a driver range's conditions, the other filters per row. */
function sortWalk(type: string, code: string, dir: '' | ' DESC', conditions: readonly DateCondition[], checks: readonly IndexFilter[]): SearchSql {
  const range = conditionSql(conditions, 'd.');
  const tests = checks.map((f) => f.check({ owner: 'd.owner', id: 'd.id' }));
  return {
    from: 'dates d INDEXED BY dates_lo',
    where: ['d.type = ?', 'd.code = ?', 'd.n = 0', range.sql, ...tests.map((t) => t.sql)],
    args: [type, code, ...range.args, ...tests.flatMap((t) => t.args)],
    id: 'd.id',
    owner: 'd.owner',
    order: [
      ['d.lo', dir],
      ['d.id', dir],
    ],
    keyset: true,
  };
}

/**
 * The conditions a driver puts on the resources of the type (`r`), after the type's argument: the driver's row keys
 * looked up by the integer key (`+r.type`: not by the (type, id) index, which SQLite, knowing no sizes, would
 * otherwise walk for the whole type, testing each row against the list), or the `_id` values by the (type, id) key.
 */
function driverSql(driver: IndexFilter | undefined): { where: string[]; args: unknown[] } {
  if (driver === undefined) return { where: ['r.type = ?'], args: [] };
  if (driver.ids) return { where: ['r.type = ?', `r.id IN (${driver.ids.sql})`], args: driver.ids.args };
  return { where: ['+r.type = ?', `r.seq IN (${driver.owners.sql})`], args: driver.owners.args };
}

/**
 * The query of a plan. Driven by a range of the sort parameter: that index in order (sortWalk). Otherwise the
 * resources of the type whose row key is in the driver's (looked up by the resources' integer key), the other
 * filters per row; a date sort joins each resource's first row of the parameter (none: a NULL key, first in
 * ascending order) and sorts the matches. The ORDER BY of an unsorted search is `+r.seq` (an expression, so SQLite
 * does not walk every resource of the type in `seq` order to save a sort). `sortIndexComplete`: every resource of
 * the type has a row of the sort parameter, so a search without filters reads `dates_lo` in order.
 */
export function searchSql(db: Database.Database, plan: SearchPlan, req: SearchArg, sortIndexComplete: boolean): SearchSql {
  const type = plan.resourceType;
  const sortParam = sortParamOf(plan);
  const dir = req.sortRules?.[0]?.descending ? ' DESC' : '';
  const filters = indexFilters(db, plan);
  if (sortParam && filters.length === 0 && sortIndexComplete) return sortWalk(type, sortParam.code, dir, [], []);
  const driver = driverOf(db, req, filters, sortParam?.code);
  const checks = filters.filter((f) => f !== driver);
  if (sortParam && driver?.range && driver.range.param.code === sortParam.code) return sortWalk(type, sortParam.code, dir, driver.range.conditions, checks);
  const tests = checks.map((f) => f.check({ owner: 'r.seq', id: 'r.id' }));
  const drive = driverSql(driver);
  return {
    from: sortParam ? 'resources r LEFT JOIN dates d ON d.owner = r.seq AND d.code = ? AND d.n = 0' : 'resources r',
    where: [...drive.where, ...tests.map((t) => t.sql)],
    args: [...(sortParam ? [sortParam.code] : []), type, ...drive.args, ...tests.flatMap((t) => t.args)],
    id: 'r.id',
    owner: 'r.seq',
    order: sortParam
      ? [
          ['d.lo', dir],
          ['r.id', dir],
        ]
      : [[filters.length ? '+r.seq' : 'r.seq', '']],
    keyset: false,
  };
}
