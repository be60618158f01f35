import type { SqliteStore } from './sqlite-store.js';

// One store's requests, served one at a time in arrival order (a FHIR transaction's rollback must not swallow the
// writes of a concurrent request), with group commit on the SQLite store.
//
// Each write request runs inside a savepoint of the store's SQLite transaction and is undone alone when it fails.
// When another write is already waiting, the transaction stays open and that write joins it; the group is committed
// when no write waits (a read, or nothing, comes next) or when it holds MAX_GROUP requests, and every request of the
// group is answered only after that COMMIT returned: with the write-ahead log and synchronous=FULL each acknowledged
// write is on disk, as before, but a bulk writer with N requests in flight pays one WAL sync per N requests instead of
// one per request (bench/b7-server.mjs, docs/benchmarks.md B7). A failed COMMIT answers every request of the group
// with the failure: nothing of the group is kept, nothing of it was acknowledged. A read never sees an uncommitted
// write: the group is committed before the read starts.

/** A request that only reads (GET, HEAD), or one that may write. */
export type RequestKind = 'read' | 'write';

/** Most write requests one COMMIT acknowledges (bounds the wait of the first one and the size of the WAL). */
export const MAX_GROUP = 16;

interface Member<R> {
  response: R;
  resolve: (response: R) => void;
}

/** A request whose turn is over: its answer (a write's comes after the COMMIT of its group). */
interface Served<R> {
  answered: Promise<R>;
}

/** Whether the store's connection is open and inside a transaction (false once SQLite rolled back by itself). */
function inTransaction(store: SqliteStore): boolean {
  try {
    return store.db.inTransaction;
  } catch {
    return false;
  }
}

/** The requests of one store (see the header of this file). */
export class RequestLine<R> {
  #tail: Promise<unknown> = Promise.resolve();
  readonly #waiting: RequestKind[] = [];
  #group: Member<R>[] = [];

  /** @param failure - the answer to a request that failed, or whose COMMIT failed (holds no value from `err`) */
  constructor(readonly failure: (err: unknown) => R) {}

  /** Serve a request when its turn comes: `run` produces its answer; a write on a SQLite store joins the group. */
  serve(kind: RequestKind, store: SqliteStore | undefined, run: () => Promise<R>): Promise<R> {
    this.#waiting.push(kind);
    const turn = this.#tail.then(() => {
      this.#waiting.shift();
      return kind === 'write' && store ? this.#write(store, run) : this.#alone(store, run);
    });
    // The next request starts when this one's turn is over (a write's answer may still wait for the group's COMMIT).
    this.#tail = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn.then((served) => served.answered);
  }

  /** A read, or any request on a store without transactions: run to its end, after any open group is committed. */
  async #alone(store: SqliteStore | undefined, run: () => Promise<R>): Promise<Served<R>> {
    if (store && this.#group.length > 0) this.#commit(store);
    try {
      return { answered: Promise.resolve(await run()) };
    } catch (err) {
      return { answered: Promise.resolve(this.failure(err)) };
    }
  }

  async #write(store: SqliteStore, run: () => Promise<R>): Promise<Served<R>> {
    let response: R;
    try {
      store.begin();
      store.beginRequest();
      try {
        response = await run();
        store.endRequest();
      } catch (err) {
        store.undoRequest();
        throw err;
      }
    } catch (err) {
      response = this.failure(err);
      // SQLite rolled the whole transaction back (or the store is closed): the group's writes are gone too.
      if (!inTransaction(store)) this.#fail(store, err);
    }
    const answered = new Promise<R>((resolve) => this.#group.push({ response, resolve }));
    if (this.#waiting[0] !== 'write' || this.#group.length >= MAX_GROUP) this.#commit(store);
    return { answered };
  }

  /** COMMIT the group and answer its requests: each its own answer, or every one the failure. */
  #commit(store: SqliteStore): void {
    const group = this.#group;
    this.#group = [];
    try {
      store.commit();
    } catch (err) {
      this.#group = group;
      this.#fail(store, err);
      return;
    }
    for (const member of group) member.resolve(member.response);
  }

  /** Undo the group's transaction and answer each of its requests with the failure. */
  #fail(store: SqliteStore, err: unknown): void {
    const group = this.#group;
    this.#group = [];
    try {
      store.rollback();
    } catch {
      // The transaction is already gone (SQLite rolls back itself on some failures).
    }
    for (const member of group) member.resolve(this.failure(err));
  }
}
