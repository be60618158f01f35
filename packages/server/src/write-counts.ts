import type Database from 'better-sqlite3';

// How many times each resource type's rows were written through this process's store (sqlite-store.ts counts every
// set, delete and clear), for the search memories (sqlite-search.ts, search-sql.ts): a search's total, page keys
// and driver are remembered while its type's count stands. Counted in JavaScript, not by triggers on `resources`
// (schema 6 had three, one more B-tree write per stored resource): the database is opened by one process only
// (`locking_mode=EXCLUSIVE`), so every write to it passes here. A count only grows: a write that is then rolled back
// also moves it, which forgets what was remembered (a miss, never a stale answer).

interface Counts {
  /** Writes per type. */
  types: Map<string, number>;
  /** Writes that may have touched every type (a whole store cleared). */
  all: number;
}

const counts = new WeakMap<Database.Database, Counts>();

function countsOf(db: Database.Database): Counts {
  let found = counts.get(db);
  if (!found) counts.set(db, (found = { types: new Map(), all: 0 }));
  return found;
}

/** Count a write to the resources of `type` (undefined: of every type). */
export function countWrite(db: Database.Database, type?: string): void {
  const c = countsOf(db);
  if (type === undefined) c.all++;
  else c.types.set(type, (c.types.get(type) ?? 0) + 1);
}

/**
 * How many times the resources of a type were written (both counts only grow, so their sum changes with every
 * write); `undefined` inside a transaction, whose writes may still be rolled back (nothing seen there is remembered).
 * The same count outside a transaction means the same committed rows of that type: every index table is read by type.
 */
export function writesTo(db: Database.Database, type: string): number | undefined {
  if (db.inTransaction) return undefined;
  const c = countsOf(db);
  return (c.types.get(type) ?? 0) + c.all;
}
