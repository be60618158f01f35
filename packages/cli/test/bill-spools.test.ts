/**
 * `bill`'s two month-long temporary files (issue 18, B9 round 9): the participant list a chunk at a time
 * (`ParticipantChunks`) and the group sessions kept between the chunks that attend them (`SessionSpool`). Both are
 * private files whose contents come back exactly as written; a session is kept only for a later chunk that attends it
 * and forgotten after the last; a read that found an encounter besides those asked for keeps nothing (so a later chunk
 * reads it again, with what came with it).
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PeerClient } from '@peer-fhir/client';
import type { PeerEncounter } from '@peer-fhir/core';
import { ParticipantChunks, type ParticipantEncounters } from '../src/commands/bill/chunks.js';
import { lastChunkOf, SessionSpool } from '../src/commands/bill/sessions.js';
import { loadChunkRecords } from '../src/internal/billing-context.js';

const root = mkdtempSync(join(tmpdir(), 'peer-fhir-bill-spools-'));
let files = 0;
const fresh = (name: string) => join(root, `${files++}-${name}`);

const encounter = (id: string, mode: 'individual' | 'group', participants: string[]): PeerEncounter => ({
  id,
  mode,
  ...(mode === 'group' ? { groupId: 'g-1' } : {}),
  attendees: participants.map((participantId) => ({ participantId, diagnoses: ['F11.20'], goalIds: [], note: 'Talked about work — "ok" ✓' })),
  status: 'finished',
  specialistNpi: '1245319599',
  organizationNpi: '1234567893',
  start: '2025-03-04T10:00:00-05:00',
  end: '2025-03-04T11:00:00-05:00',
  modality: 'in-person',
  setting: 'community',
  program: 'substance-use',
  supportTypes: ['emotional'],
  activities: [],
  placeOfService: '53',
  serviceCode: 'H0038',
  part2: true,
});

/** A month: participants `p-0…` each attending some of the encounters `Encounter/e-0…`. */
const month = fc
  .array(fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 6 }), { minLength: 1, maxLength: 25 })
  .map((rows): ParticipantEncounters[] => rows.map((refs, i) => [`p-${String(i).padStart(2, '0')}`, refs.map((r) => `Encounter/e-${r}`)]));

describe("bill's month-long temporary files", () => {
  it('ParticipantChunks gives back every chunk as written, in a file only its owner can read (property)', async () => {
    await fc.assert(
      fc.asyncProperty(month, fc.integer({ min: 1, max: 7 }), async (participants, size) => {
        const chunks = await ParticipantChunks.write(fresh('participants'), participants, size);
        try {
          expect(statSync(chunks.path).mode & 0o777).toBe(0o600);
          expect(chunks.count).toBe(Math.ceil(participants.length / size));
          const back: ParticipantEncounters[] = [];
          for (let i = 0; i < chunks.count; i++) back.push(...(await chunks.read(i)));
          expect(back).toEqual(participants);
        } finally {
          await chunks.close();
        }
      }),
    );
  });

  it('lastChunkOf names each encounter attended in two chunks or more with the last of them (property)', () => {
    fc.assert(
      fc.property(month, fc.integer({ min: 1, max: 7 }), (participants, size) => {
        const last = lastChunkOf(participants, size);
        const chunksOf = new Map<string, Set<number>>();
        participants.forEach(([, refs], i) => refs.forEach((r) => chunksOf.set(r, (chunksOf.get(r) ?? new Set()).add(Math.floor(i / size)))));
        const want = new Map([...chunksOf].filter(([, c]) => c.size > 1).map(([r, c]) => [r, Math.max(...c)]));
        expect(last).toEqual(want);
      }),
    );
  });

  it('SessionSpool keeps a session for the later chunks that attend it, gives it back equal, and forgets it after the last', async () => {
    const spool = new SessionSpool(fresh('sessions'), new Map([['Encounter/s-1', 2]]));
    try {
      const session = encounter('s-1', 'group', ['p-1', 'p-2', 'p-3']);
      expect(spool.wanted('Encounter/s-1', 0)).toBe(true);
      expect(spool.wanted('Encounter/s-1', 2)).toBe(false);
      expect(spool.wanted('Encounter/other', 0)).toBe(false);
      await spool.put('Encounter/s-1', session);
      await spool.put('Encounter/other', encounter('x', 'group', ['p-1', 'p-2']));
      expect(statSync(spool.path).mode & 0o777).toBe(0o600);
      expect(spool.wanted('Encounter/s-1', 0)).toBe(false);
      expect(await spool.take('Encounter/other', 1)).toBeUndefined();
      expect(await spool.take('Encounter/s-1', 1)).toEqual(session);
      expect(await spool.take('Encounter/s-1', 2)).toEqual(session);
      expect(await spool.take('Encounter/s-1', 2)).toBeUndefined();
      expect(spool.reused).toBe(2);
    } finally {
      await spool.close();
    }
  });

  it('loadChunkRecords keeps nothing from a read that found an encounter besides those asked for, and loses none of it', async () => {
    const session = encounter('s-1', 'group', ['p-1', 'p-2']);
    const other = encounter('s-2', 'group', ['p-1', 'p-3']);
    const extra = encounter('stray', 'individual', ['p-1']);
    const asked: string[][] = [];
    const peer = {
      readEncounterEntries: (refs: readonly string[]) => {
        asked.push([...refs]);
        const known: Record<string, PeerEncounter> = { 'Encounter/s-1': session, 'Encounter/s-2': other };
        const entries = refs.flatMap((reference) => (known[reference] ? [{ reference, encounter: known[reference] }] : []));
        return Promise.resolve(refs.includes('Encounter/s-1') ? [...entries, { encounter: extra }] : entries);
      },
      getParticipantRecords: () => Promise.resolve({ participants: [], plans: [], consents: [], patients: {} }),
    } as unknown as PeerClient;
    const spool = new SessionSpool(fresh('sessions'), new Map([['Encounter/s-1', 1], ['Encounter/s-2', 1]]));
    const sessions = { store: spool, chunk: 0 };
    const q = { from: '2025-03-01', to: '2025-03-31', scope: { agency: '1234567893' }, staff: { specialists: [], organizations: [], read: 0 }, encountersPerRead: 1 };
    try {
      const first = await loadChunkRecords(peer, { ...q, participants: [['p-1', ['Encounter/s-1', 'Encounter/s-2']]], sessions });
      expect(first.encounters).toEqual([session, other, extra]);
      const second = await loadChunkRecords(peer, { ...q, participants: [['p-2', ['Encounter/s-1']], ['p-3', ['Encounter/s-2']]], sessions: { ...sessions, chunk: 1 } });
      // s-2 came from the spool; s-1's read had a stray encounter with it, so it was read again (and the stray with it).
      expect(second.encounters).toEqual([session, other, extra]);
      expect(asked).toEqual([['Encounter/s-1'], ['Encounter/s-2'], ['Encounter/s-1']]);
      expect(spool.reused).toBe(1);
    } finally {
      await spool.close();
    }
  });
});
