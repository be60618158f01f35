// Group commit (src/request-line.ts): write requests waiting on one SQLite store share one COMMIT, and none of them is
// answered before the COMMIT that makes it durable returned. A failed request is undone alone; a failed COMMIT answers
// every request of its group with a 500 and keeps none of them (nothing unacknowledged survives, nothing acknowledged
// is lost). A read never sees a write that is not committed.
import type { Bundle, Patient } from 'fhir/r4.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFhirRepository, handleFhirRequest, type FhirHttpResponse, type FhirTestRepository } from '../src/index.js';
import { sqliteStoreOf } from '../src/indexed-repository.js';
import { memoryRepositoryOf } from '../src/repository.js';
import { MAX_GROUP } from '../src/request-line.js';
import type { SqliteStore } from '../src/sqlite-store.js';

const BASE = 'https://ehr.test/fhir';

function setup(): { repository: FhirTestRepository; store: SqliteStore; events: string[] } {
  const repository = createFhirRepository({ sqlite: ':memory:' });
  const store = sqliteStoreOf(memoryRepositoryOf(repository));
  if (!store) throw new Error('not a SQLite store');
  const events: string[] = [];
  const commit = store.commit.bind(store);
  vi.spyOn(store, 'commit').mockImplementation(() => {
    commit();
    events.push('commit');
  });
  return { repository, store, events };
}

const patient = (value: string): Patient => ({ resourceType: 'Patient', identifier: [{ system: 'urn:test:gc', value }] });

function transaction(...values: string[]): Bundle {
  return { resourceType: 'Bundle', type: 'transaction', entry: values.map((v) => ({ resource: patient(v), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=urn:test:gc|${v}` } })) };
}

function post(repository: FhirTestRepository, body: unknown, events: string[], name: string): Promise<FhirHttpResponse> {
  const answer = handleFhirRequest({ method: 'POST', url: BASE, headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) }, { baseUrl: BASE, repository, validate: false });
  return answer.then((res) => {
    events.push(`answer ${name}`);
    return res;
  });
}

const stored = async (repository: FhirTestRepository): Promise<string[]> =>
  (await repository.search('Patient')).map((p) => p.identifier?.[0]?.value ?? '').sort();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('group commit on the SQLite store', () => {
  it('writes waiting together share one COMMIT, and each is answered only after it', async () => {
    const { repository, events } = setup();
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((v) => post(repository, transaction(v), events, v)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(events[0]).toBe('commit');
    expect(events.filter((e) => e === 'commit')).toHaveLength(1);
    expect(await stored(repository)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('one write alone is committed before it is answered', async () => {
    const { repository, events } = setup();
    await post(repository, transaction('solo'), events, 'solo');
    expect(events).toEqual(['commit', 'answer solo']);
  });

  it(`a group holds at most ${MAX_GROUP} requests`, async () => {
    const { repository, events } = setup();
    const n = MAX_GROUP + 2;
    await Promise.all(Array.from({ length: n }, (_, i) => post(repository, transaction(`m${i}`), events, `m${i}`)));
    expect(events.filter((e) => e === 'commit')).toHaveLength(2);
    expect(await stored(repository)).toHaveLength(n);
  });

  it('a failed request of a group is undone alone; the others are kept', async () => {
    const { repository, events } = setup();
    // The second entry's PUT names another id than its resource's: the transaction fails and rolls back.
    const failing: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [...(transaction('x').entry ?? []), { resource: { ...patient('y'), id: 'one' }, request: { method: 'PUT', url: 'Patient/other' } }] };
    const answers = await Promise.all([post(repository, transaction('a'), events, 'a'), post(repository, failing, events, 'x'), post(repository, transaction('b'), events, 'b')]);
    expect(answers.map((r) => r.status >= 400)).toEqual([false, true, false]);
    expect(await stored(repository)).toEqual(['a', 'b']);
  });

  it('a read waiting behind writes sees them committed: the group is committed before the read runs', async () => {
    const { repository, events } = setup();
    const writes = [post(repository, transaction('r1'), events, 'r1'), post(repository, transaction('r2'), events, 'r2')];
    const read = handleFhirRequest({ method: 'GET', url: `${BASE}/Patient?identifier=urn:test:gc|r2`, headers: {} }, { baseUrl: BASE, repository, validate: false }).then((res) => {
      events.push('answer read');
      return res;
    });
    const later = post(repository, transaction('r3'), events, 'r3');
    const [, , found] = await Promise.all([...writes, read, later]);
    expect((JSON.parse(found?.body ?? '{}') as Bundle).total).toBe(1);
    expect(events.indexOf('commit')).toBeLessThan(events.indexOf('answer read'));
    expect(events.filter((e) => e === 'commit')).toHaveLength(2);
  });

  it('a failed COMMIT answers every request of the group 500 and keeps none of them', async () => {
    const { repository, store } = setup();
    vi.spyOn(store, 'commit').mockImplementationOnce(() => {
      throw new Error('disk I/O error');
    });
    const answers = await Promise.all(['f1', 'f2', 'f3'].map((v) => post(repository, transaction(v), [], v)));
    expect(answers.map((r) => r.status)).toEqual([500, 500, 500]);
    expect(answers.every((r) => !r.body.includes('disk I/O'))).toBe(true);
    expect(await stored(repository)).toEqual([]);
    // The store goes on: the next write is kept.
    expect((await post(repository, transaction('after'), [], 'after')).status).toBe(200);
    expect(await stored(repository)).toEqual(['after']);
  });
});
