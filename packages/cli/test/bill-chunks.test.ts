/**
 * What `peer-fhir bill` holds at once is bounded by its chunk sizes, not by the agency (issue 18, B9-bill): each
 * evaluation decides at most `chunkSize` participants and holds only their records, every encounter read back is read
 * in a request of at most `encountersPerRead` encounters, and together the evaluations decide every participant of the
 * month exactly once, and the report's held items are held one chunk's at a time — for agencies of any size. Counted, not timed: the calls are recorded around billing's
 * `evaluateByParticipant` and the client's `PeerClient.readEncounters`.
 */
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { billableAgency, generateAgency } from '@peer-fhir/testing';
import { billMonth } from '../src/commands/bill.js';
import { parseConfig } from '../src/config.js';
import { configFor, quietIo, useEmbeddedServer } from './support.js';

/** Each evaluation of a run: the participants it decides and those whose records it holds. */
const evaluations = vi.hoisted(() => [] as { decided: string[]; held: number }[]);

vi.mock('@peer-fhir/billing', async (importOriginal) => {
  const billing = await importOriginal<typeof import('@peer-fhir/billing')>();
  return {
    ...billing,
    evaluateByParticipant: (...args: Parameters<typeof billing.evaluateByParticipant>) => {
      const [context, options] = args;
      evaluations.push({ decided: [...(options?.participants ?? [])], held: context.participants.length });
      return billing.evaluateByParticipant(...args);
    },
  };
});

const root = mkdtempSync(join(tmpdir(), 'peer-fhir-bill-chunks-'));
const embedded = useEmbeddedServer();

/** Bills January of a fresh agency of `participants` participants; the evaluations and the reads it made. */
async function billJanuary(seed: number, participants: number, cut: { chunkSize: number; encountersPerRead: number; rereadSessions?: boolean }) {
  const agency = billableAgency(generateAgency({ seed, months: 1, participants, state: 'TX', start: '2025-01-01', encountersPerParticipantPerMonth: 3 }));
  const server = embedded.server;
  server.reset();
  const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi });
  await peer.recordEncounters(agency.encounters, { participants: agency.participants, specialists: agency.specialists, organizations: [agency.organization] });
  evaluations.length = 0;
  const reads = vi.spyOn(PeerClient.prototype, 'readEncounterEntries');
  const dir = join(root, `${seed}-${participants}-${cut.chunkSize}-${cut.encountersPerRead}-${cut.rereadSessions ? 'reread' : 'kept'}`);
  mkdirSync(dir, { recursive: true });
  try {
    const { report, peakHeldInMemory } = await billMonth({ period: '2025-01', out: join(dir, 'jan.x12'), configValue: parseConfig(configFor(agency)), fhirUrl: server.url }, quietIo(dir), { keep: false, ...cut });
    const attending = new Set(agency.encounters.flatMap((e) => e.attendees.map((a) => a.participantId)));
    /** Encounter × participant items of the month whose participant is among `decided`. */
    const itemsOf = (decided: readonly string[]) => agency.encounters.flatMap((e) => e.attendees.filter((a) => decided.includes(a.participantId))).length;
    const requested = reads.mock.calls.flatMap(([refs]) => [...refs]);
    const groups = agency.encounters.filter((e) => e.mode === 'group').length;
    return { report, peakHeldInMemory, itemsOf, attending, groups, evaluations: [...evaluations], readSizes: reads.mock.calls.map(([refs]) => refs.length), requested, dir };
  } finally {
    reads.mockRestore();
  }
}

describe('bill holds one bounded chunk at a time, whatever the agency size', () => {
  it('evaluates at most chunkSize participants and reads at most encountersPerRead encounters at once (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 2, max: 16 }),
        fc.record({ chunkSize: fc.integer({ min: 1, max: 5 }), encountersPerRead: fc.integer({ min: 1, max: 6 }) }),
        async (seed, participants, cut) => {
          const run = await billJanuary(seed, participants, cut);
          // A small generated agency can have no encounter in January (seed 9993, 2 participants): nothing to bill.
          if (run.attending.size === 0) {
            expect(run.report.encounters).toBe(0);
            return;
          }
          expect(run.report.encounters).toBeGreaterThan(0);
          for (const e of run.evaluations) {
            expect(e.decided.length).toBeLessThanOrEqual(cut.chunkSize);
            expect(e.held).toBeLessThanOrEqual(cut.chunkSize);
          }
          const decided = run.evaluations.flatMap((e) => e.decided);
          // Every participant who attended an encounter of the month is decided once, in exactly as many chunks as it takes.
          expect(new Set(decided).size).toBe(decided.length);
          expect(new Set(decided)).toEqual(run.attending);
          expect(run.evaluations).toHaveLength(Math.ceil(run.attending.size / cut.chunkSize));
          expect(run.readSizes.length).toBeGreaterThan(0);
          expect(Math.max(...run.readSizes)).toBeLessThanOrEqual(cut.encountersPerRead);
          // The report's held items are spooled chunk by chunk: at most one chunk's items are held at once.
          expect(run.peakHeldInMemory).toBeLessThanOrEqual(Math.max(...run.evaluations.map((e) => run.itemsOf(e.decided))));
          expect(run.report.held).toEqual([]);
        },
      ),
      { numRuns: 3, endOnFailure: true },
    );
  }, 240_000);

  it('reads each encounter from the server once per run, a group session too whatever chunks its attendees fall in (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 6, max: 14 }), fc.integer({ min: 1, max: 3 }), async (seed, participants, chunkSize) => {
        const kept = await billJanuary(seed, participants, { chunkSize, encountersPerRead: 4 });
        const reread = await billJanuary(seed, participants, { chunkSize, encountersPerRead: 4, rereadSessions: true });
        expect(kept.groups).toBeGreaterThan(0);
        expect(new Set(kept.requested).size).toBe(kept.requested.length);
        // The same encounters (stored afresh, so under other server ids) as the run that reads sessions again.
        expect(kept.requested.length).toBe(new Set(reread.requested).size);
        // Read again in every chunk its attendees fall in, a session is asked for more than once (what this keeps from
        // happening); as many times when no session's attendees fall in two chunks.
        expect(reread.requested.length).toBeGreaterThanOrEqual(kept.requested.length);
        expect({ ...kept.report, files: undefined }).toEqual({ ...reread.report, files: undefined });
        // The spool is a temporary file: gone with the run.
        expect(readdirSync(kept.dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
      }),
      { numRuns: 3, endOnFailure: true },
    );
  }, 240_000);
});
