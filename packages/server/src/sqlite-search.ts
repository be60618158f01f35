import type Database from 'better-sqlite3';
import type { Resource } from 'fhir/r4.js';
import { answerFrom, pageOf, remainingTest, type SearchPlan } from './search-plan.js';
import type { DateParam, SearchArg, SearchResult } from './search-params.js';
import { prepared, RecentlyUsed, searchSql, sortParamOf, type SearchSql } from './search-sql.js';
import { writesTo } from './write-counts.js';

export { searchSql, type SearchSql } from './search-sql.js';

// A search on the SQLite store, answered from its indexes (search-sql.ts builds the query): `_id`, tokens (`tokens`:
// identifier and _tag values, and the coded parameters `status`, `type`, `code`, `category`, see search-params.ts),
// references (`refs`, with the property path each sits at, so the parameter's path is checked in SQL except through
// a choice element) and plain-path dates (`dates`, exact: the same comparisons as Medplum's matcher on the same ISO
// strings). When every filter was answered by an index, the total is a COUNT and only the requested page is read;
// otherwise each candidate is tested in JavaScript and only the page kept. Totals and, for searches read in the order
// of the date index, the key each page ends at are remembered until the next write to the type, so reading a
// search page after page (`_offset` 0, 1000, 2000, … as the `next` links give it) costs each page its own rows, not
// all the pages before it again.

const whereOf = (sql: Pick<SearchSql, 'where'>): string => (sql.where.length ? ` WHERE ${sql.where.join(' AND ')}` : '');

/** A page: how many rows from where; `after`: start after these sort keys instead of counting `offset` rows. */
interface PageLimit {
  count: number;
  offset: number;
  after?: unknown[] | undefined;
}

/**
 * The SQL text of the search's rows query and its arguments (for `EXPLAIN QUERY PLAN` in tests). A page is found in
 * two steps: the matches' ids and sort keys, ordered and cut to the page from the indexes alone, then only the page's
 * rows are read (`json`, and the sort keys `k0`, `k1`, … the page ends at); matching, ordering or skipping rows with
 * their JSON made a month of encounters sort ~10k JSON texts for a page of 50.
 */
export function rowsQuery(sql: SearchSql, limit?: PageLimit): { text: string; args: unknown[] } {
  const orderBy = sql.order.map(([expression, direction]) => `${expression}${direction}`).join(', ');
  const keys = sql.order.map(([expression], i) => `${expression} AS k${i}`).join(', ');
  const after = limit?.after && sql.keyset ? [`(${sql.order.map(([e]) => e).join(', ')}) ${sql.order[0]?.[1] ? '<' : '>'} (${sql.order.map(() => '?').join(', ')})`] : [];
  const where = whereOf({ where: [...sql.where, ...after] });
  const cut = limit ? ' LIMIT ? OFFSET ?' : '';
  const page = `SELECT ${sql.owner} AS owner, ${sql.id} AS id, ${keys} FROM ${sql.from}${where} ORDER BY ${orderBy}${cut}`;
  const pageOrder = sql.order.map(([, direction], i) => `page.k${i}${direction}`).join(', ');
  const pageKeys = sql.order.map((_, i) => `page.k${i}`).join(', ');
  const args = [...sql.args, ...(after.length ? (limit?.after ?? []) : []), ...(limit ? [limit.count, limit.after && sql.keyset ? 0 : limit.offset] : [])];
  return { text: `SELECT CAST(r.json AS BLOB) AS json, page.id AS id, ${pageKeys} FROM (${page}) page CROSS JOIN resources r ON r.seq = page.owner ORDER BY ${pageOrder}`, args };
}

/** What is remembered of one search until the database changes: its total, and the keys each page ended at. */
interface Remembered {
  changes: number;
  total: number | undefined;
  /** Offset -> the sort keys of the row just before it. */
  after: Map<number, unknown[]>;
}

const remembered = new WeakMap<Database.Database, RecentlyUsed<Remembered>>();
const REMEMBERED_SEARCHES = 1024;
const REMEMBERED_PAGES = 1024;

/**
 * The memory of one search (its SQL and arguments), emptied when its type was written since (`writesTo`: a count
 * kept by triggers, so no write path can miss it). Inside a transaction nothing is remembered (a fresh memory).
 */
function memoryOf(db: Database.Database, type: string, sql: SearchSql): Remembered {
  const changes = writesTo(db, type);
  if (changes === undefined) return { changes: -1, total: undefined, after: new Map() };
  let searches = remembered.get(db);
  if (!searches) remembered.set(db, (searches = new RecentlyUsed(REMEMBERED_SEARCHES)));
  const key = `${sql.from}${whereOf(sql)} ${JSON.stringify(sql.args)} ${JSON.stringify(sql.order)}`;
  let memo = searches.get(key);
  if (!memo || memo.changes !== changes) searches.set(key, (memo = { changes, total: undefined, after: new Map() }));
  return memo;
}

/** A row of a page: the resource's stored JSON as its UTF-8 bytes (never decoded to a string to be copied out). */
type Row = { json: Buffer; id: string } & Record<string, unknown>;

/** One page of a search every filter of which an index answered: the total (remembered) and the page's resources. */
function indexedPage(db: Database.Database, req: SearchArg, type: string, sql: SearchSql, total?: number): { rows: Row[]; total: number } {
  const memo = memoryOf(db, type, sql);
  memo.total ??= total ?? (prepared(db, `SELECT count(*) FROM ${sql.from}${whereOf(sql)}`).pluck().get(...sql.args) as number);
  const count = req.count ?? -1;
  if (count === 0) return { rows: [], total: memo.total };
  const offset = req.offset ?? 0;
  const query = rowsQuery(sql, { count, offset, after: sql.keyset && offset > 0 ? memo.after.get(offset) : undefined });
  const rows = prepared(db, query.text).all(...query.args) as Row[];
  const last = rows.at(-1);
  if (sql.keyset && last && rows.length === count && memo.after.size < REMEMBERED_PAGES) memo.after.set(offset + count, sql.order.map((_, i) => last[`k${i}`]));
  return { rows, total: memo.total };
}

const parsed = (texts: readonly StoredText[]): Resource[] => texts.map((t) => JSON.parse(t.json.toString('utf8')) as Resource);

/** A resource of a page as stored: its id and its JSON text's UTF-8 bytes (what `JSON.stringify` gives for it). */
export interface StoredText {
  id: string;
  json: Buffer;
}

/** A page of a search as stored JSON texts, and the total. */
export interface TextPage {
  total: number;
  texts: StoredText[];
}

const textsOf = (rows: readonly Row[]): StoredText[] => rows.map((row) => ({ id: row.id, json: row.json }));

/**
 * A search sorted on one date parameter with no filter, read in the order of the date index: one COUNT of the type
 * (the total) and the page. Resources without a value sort first in ascending order (SQLite's NULL) and last in
 * descending order, after every resource that has one. So a descending page is right when it is full or ends at the
 * total; an ascending one when every resource has a value (a second COUNT, of the index). `undefined`: the caller
 * takes the general path (a page among the resources without a value).
 */
function sortedByIndex(db: Database.Database, req: SearchArg, plan: SearchPlan, param: DateParam): TextPage | undefined {
  const type = plan.resourceType;
  const total = prepared(db, 'SELECT count(*) FROM resources WHERE type = ?').pluck().get(type) as number;
  const descending = req.sortRules?.[0]?.descending === true;
  if (!descending) {
    const keyed = prepared(db, 'SELECT count(*) FROM dates WHERE type = ? AND code = ? AND n = 0').pluck().get(type, param.code) as number;
    if (keyed !== total) return undefined;
  }
  const page = indexedPage(db, req, type, searchSql(db, plan, req, true), total);
  const count = req.count ?? -1;
  if (descending && count !== 0 && page.rows.length !== count && (req.offset ?? 0) + page.rows.length !== total) return undefined;
  return { total, texts: textsOf(page.rows) };
}

/**
 * A search on the SQLite store (see the header of this file): a page read from the indexes alone comes back as the
 * stored JSON texts (nothing parsed); a page whose candidates were tested or sorted in JavaScript as objects.
 */
async function answer(db: Database.Database, req: SearchArg, plan: SearchPlan): Promise<TextPage | SearchResult> {
  const test = remainingTest(plan, { tokens: false, dates: false, indexedReferences: true });
  const sortParam = sortParamOf(plan);
  const filtered = plan.ids !== undefined || plan.tokens.length + plan.references.length + plan.dates.length > 0;
  if (sortParam && test === undefined && !filtered) {
    const sorted = sortedByIndex(db, req, plan, sortParam);
    if (sorted) return sorted;
  }
  const sql = searchSql(db, plan, req, false);
  const multiSort = plan.sort.kind === 'medplum' || (plan.sort.kind === 'date' && plan.sort.params.length > 1);
  if (test === undefined && !multiSort) {
    const page = indexedPage(db, req, plan.resourceType, sql);
    return { total: page.total, texts: textsOf(page.rows) };
  }
  const query = rowsQuery(sql);
  // Read synchronously to the end: nothing else runs on the connection while the statement is open.
  const candidates = (function* () {
    for (const row of prepared(db, query.text).iterate(...query.args) as IterableIterator<Row>) yield JSON.parse(row.json.toString('utf8')) as Resource;
  })();
  return answerFrom(candidates, test, req, plan, false);
}

/** Answer a search on the SQLite store (see the header of this file) with the page's resources as objects. */
export async function sqliteSearch(db: Database.Database, req: SearchArg, plan: SearchPlan): Promise<SearchResult> {
  const found = await answer(db, req, plan);
  return 'texts' in found ? pageOf(parsed(found.texts), found.total, false) : found;
}

/**
 * The same page as {@link sqliteSearch}, each resource as its stored JSON text's bytes: for a response, which then
 * copies the stored bytes instead of decoding, parsing, serialising and encoding every resource again (a page of
 * 1,000 Encounters is ~4 MB of JSON).
 */
export async function sqliteSearchTexts(db: Database.Database, req: SearchArg, plan: SearchPlan): Promise<TextPage> {
  const found = await answer(db, req, plan);
  if ('texts' in found) return found;
  const texts = (found.entry ?? []).map((e) => ({ id: e.resource?.id ?? '', json: Buffer.from(JSON.stringify(e.resource), 'utf8') }));
  return { total: found.total ?? texts.length, texts };
}
