// Issue 18 (B2): recordEncounters sends the roster first and maps the encounters while the server stores it, the
// encounters naming the roster's records by the urn:uuids of its entries until it answers. These tests hold that the
// overlap happens, and that it keeps every guarantee the sequential write had: no encounter is sent before all are
// valid, a roster failure is the error reported, and every reference lands on the stored roster record.
import fc from 'fast-check';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerFhirValidationError } from '@peer-fhir/core';
import { FhirUnprocessableEntityError, PeerClient, PeerFhirClient, type FetchLike } from '../src/index.js';
import { referencesIn } from '../src/internal/peer-mapping.js';
import { encounter, organization, participant, SCOPE, specialist, testing, type EmbeddedServer } from './peer-fixtures.js';

let server: EmbeddedServer;
beforeAll(async () => {
  server = await testing.startFhirServer();
});
afterAll(() => server?.close());

const roster = (ids: readonly string[]) => ({ organizations: [organization()], specialists: [specialist()], participants: ids.map(participant) });
const isBase = (url: string | URL | Request): boolean => String(url).replace(/\/$/, '') === server.url.replace(/\/$/, '');
const sentBundle = (init: RequestInit | undefined): Bundle | undefined => (typeof init?.body === 'string' ? (JSON.parse(init.body) as Bundle) : undefined);
const holdsPatients = (b: Bundle | undefined): boolean => b?.entry?.some((e) => e.resource?.resourceType === 'Patient') === true;

/** Every reference of every stored Encounter, Condition and DocumentReference names a stored resource by `Type/id`. */
async function expectEveryReferenceStored(): Promise<void> {
  for (const type of ['Encounter', 'Condition', 'DocumentReference']) {
    for (const r of await server.repository.search(type)) {
      for (const ref of referencesIn(r)) {
        expect(ref).toMatch(/^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]+$/);
        const [t, id] = ref.split('/') as [string, string];
        expect(await server.repository.search(t, `_id=${id}`)).toHaveLength(1);
      }
    }
  }
}

/** The stored Patient an Encounter's subject names must be the participant the encounter was recorded for. */
async function expectSubjectsAreTheirParticipants(): Promise<void> {
  for (const enc of (await server.repository.search('Encounter')) as (FhirResource & { subject?: { reference?: string }; identifier?: { value?: string }[] })[]) {
    const [, id] = (enc.subject?.reference ?? '').split('/');
    const [patient] = (await server.repository.search('Patient', `_id=${id}`)) as (FhirResource & { name?: { given?: string[] }[] })[];
    // Encounter ids are `e-<participant>-<n>`; the fixture's Patient is named `P<participant>`.
    const participantId = /^e-(.+)-\d+$/.exec(enc.identifier?.[0]?.value ?? '')?.[1];
    expect(patient?.name?.[0]?.given).toEqual([`P${participantId}`]);
  }
}

describe('recordEncounters maps the encounters while the roster is being written', () => {
  it('looks up a participant the roster does not hold while the roster transaction is still unanswered', async () => {
    server.reset();
    // p-old is on the server already (an earlier call), not in this call's roster: mapping its encounter searches for it.
    await new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE).recordEncounters([], roster(['p-old']));
    let rosterPending = false;
    let searchedWhilePending = false;
    let release: () => void = () => undefined;
    const seenSearch = new Promise<void>((resolve) => (release = resolve));
    const fetchImpl: FetchLike = async (url, init) => {
      if (init?.method === 'GET' && String(url).includes('/Patient?')) {
        searchedWhilePending ||= rosterPending;
        release();
      }
      if (init?.method === 'POST' && isBase(url) && holdsPatients(sentBundle(init))) {
        rosterPending = true;
        // The roster's answer waits for the mapping's search (at most 5 s: a sequential write never searches first).
        await Promise.race([seenSearch, new Promise((r) => setTimeout(r, 5000))]);
        const res = await fetch(url, init);
        rosterPending = false;
        return res;
      }
      return fetch(url, init);
    };
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url, fetch: fetchImpl }), SCOPE);
    const encounters = [encounter('e-p-new-1', 'p-new'), encounter('e-p-old-1', 'p-old')];
    const summary = await peer.recordEncounters(encounters, roster(['p-new']));
    expect(searchedWhilePending).toBe(true);
    expect(summary).toMatchObject({ total: 2, created: 2, rejected: 0, conflict: 0 });
    await expectEveryReferenceStored();
    await expectSubjectsAreTheirParticipants();
  }, 120_000);

  it('sends no encounter when one is invalid, and names it by its position', async () => {
    server.reset();
    const posts: Bundle[] = [];
    const fetchImpl: FetchLike = (url, init) => {
      const b = init?.method === 'POST' && isBase(url) ? sentBundle(init) : undefined;
      if (b) posts.push(b);
      return fetch(url, init);
    };
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url, fetch: fetchImpl }), SCOPE);
    const invalid = { ...encounter('e-p1-2', 'p1'), start: 'yesterday' };
    const error = await peer.recordEncounters([encounter('e-p1-1', 'p1'), invalid], roster(['p1'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PeerFhirValidationError);
    expect((error as PeerFhirValidationError).issues.map((i) => i.path)).toContain('encounters[1].start');
    // The roster was written (as before); no transaction held an Encounter.
    expect(posts.some((b) => b.entry?.some((e) => e.resource?.resourceType === 'Encounter'))).toBe(false);
    expect(await server.repository.search('Encounter')).toHaveLength(0);
  });

  it('reports the roster the server refused, also when an encounter is invalid, and sends no encounter', async () => {
    server.reset();
    let posts = 0;
    const refuse: FetchLike = (url, init) => {
      if (init?.method === 'POST' && isBase(url)) {
        posts++;
        const outcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing' }] };
        return Promise.resolve(new Response(JSON.stringify(outcome), { status: 422, headers: { 'content-type': 'application/fhir+json' } }));
      }
      return fetch(url, init);
    };
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url, fetch: refuse }), SCOPE);
    const invalid = { ...encounter('e-p2-2', 'p2'), start: 'yesterday' };
    await expect(peer.recordEncounters([encounter('e-p2-1', 'p2'), invalid], roster(['p2']))).rejects.toBeInstanceOf(FhirUnprocessableEntityError);
    await expect(peer.recordEncounters([encounter('e-p2-1', 'p2')], roster(['p2']))).rejects.toBeInstanceOf(FhirUnprocessableEntityError);
    expect(posts).toBe(2);
  });

  it('awaits beforeWrite after the roster is stored and located and before any encounter is sent, and holds the encounters until it settles', async () => {
    server.reset();
    const sent: string[] = [];
    const fetchImpl: FetchLike = (url, init) => {
      const b = init?.method === 'POST' && isBase(url) ? sentBundle(init) : undefined;
      if (b) sent.push(holdsPatients(b) ? 'roster' : 'encounters');
      return fetch(url, init);
    };
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url, fetch: fetchImpl }), SCOPE);
    let rosterStored = false;
    let sentWhileHeld: string[] = [];
    const beforeWrite = async (): Promise<void> => {
      rosterStored = (await server.repository.search('Patient')).length === 2;
      // Held a while: nothing more may be sent meanwhile.
      await new Promise((r) => setTimeout(r, 50));
      sentWhileHeld = [...sent];
    };
    const summary = await peer.recordEncounters([encounter('e-p1-1', 'p1'), encounter('e-p2-1', 'p2')], { ...roster(['p1', 'p2']), beforeWrite });
    expect(rosterStored).toBe(true);
    expect(sentWhileHeld).toEqual(['roster']);
    expect(sent).toEqual(['roster', 'encounters']);
    expect(summary).toMatchObject({ total: 2, created: 2, rejected: 0 });
  });

  it('does not call beforeWrite when an encounter is invalid (nothing is sent after the roster)', async () => {
    server.reset();
    let called = false;
    const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE);
    const invalid = { ...encounter('e-p3-1', 'p3'), start: 'yesterday' };
    await expect(peer.recordEncounters([invalid], { ...roster(['p3']), beforeWrite: () => void (called = true) })).rejects.toBeInstanceOf(PeerFhirValidationError);
    expect(called).toBe(false);
  });

  it('lands every reference on the stored roster record, whatever the server leaves out and however the roster is split (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 3 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 4, max: 40 }),
        async (inRoster, before, dropMask, maxEntries) => {
          server.reset();
          // Participants already stored by an earlier call: found by the mapping's search, or by the roster's create.
          if (before.length) await new PeerClient(new PeerFhirClient({ baseUrl: server.url }), SCOPE).recordEncounters([], roster(before.map((n) => `p${n}`)));
          // The server answers the roster without some locations (R4: `response.location` is optional).
          const dropLocations: FetchLike = async (url, init) => {
            const res = await fetch(url, init);
            if (!(init?.method === 'POST' && isBase(url) && holdsPatients(sentBundle(init)))) return res;
            const body = (await res.json()) as Bundle;
            body.entry?.forEach((e, i) => {
              if (e.response && (dropMask >> i % 16) & 1) delete e.response.location;
            });
            return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
          };
          const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url, fetch: dropLocations }), SCOPE);
          const people = [...new Set([...inRoster, ...before])].map((n) => `p${n}`);
          const encounters = people.flatMap((p) => [encounter(`e-${p}-1`, p), encounter(`e-${p}-2`, p, { start: '2025-01-15T10:00:00-05:00', end: '2025-01-15T10:52:00-05:00' })]);
          const summary = await peer.recordEncounters(encounters, { ...roster(inRoster.map((n) => `p${n}`)), maxEntries });
          expect(summary).toMatchObject({ total: encounters.length, created: encounters.length, rejected: 0, conflict: 0 });
          await expectEveryReferenceStored();
          await expectSubjectsAreTheirParticipants();
        },
      ),
      { numRuns: 12, seed: 18 },
    );
  }, 180_000);
});
