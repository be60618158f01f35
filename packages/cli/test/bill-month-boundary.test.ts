/**
 * `peer-fhir bill --period YYYY-MM` bills every encounter in the month of the date its own timestamp names
 * (`2025-03-31T20:00:00-05:00` is a March 31 service: 837P DTP*472 is that date), whatever the UTC offset, and each
 * in exactly one month. A server compares a date without a zone as a UTC day (FHIR R4 search 3.1.1.5.3), where that
 * encounter is April 1: a month searched as `date=ge2025-03-01&date=le2025-03-31` lost it from both months.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import type { Participant, PeerEncounter } from '@peer-fhir/core';
import { generateAgency } from '@peer-fhir/testing';
import { parseConfig } from '../src/config.js';
import { runBill } from '../src/index.js';
import type { CommandIo } from '../src/internal/io.js';
import { configFor, quietIo, useEmbeddedServer } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-bill-boundary-'));
const io = (): CommandIo => quietIo(dir);
const embedded = useEmbeddedServer();

const agency = generateAgency({ seed: 7, months: 1, participants: 1, state: 'TX', start: '2025-03-01' });
const participant = agency.participants[0] as Participant;
const template = agency.encounters.find((e) => e.mode === 'individual') as PeerEncounter;
const config = parseConfig(configFor(agency));

/** Days on both sides of the March/April and February/March boundaries, any hour, UTC offsets from -12:00 to +14:00. */
const visit = fc.record({
  day: fc.constantFrom('2025-02-28', '2025-03-01', '2025-03-31', '2025-04-01'),
  hour: fc.integer({ min: 0, max: 22 }),
  offset: fc.constantFrom('-12:00', '-06:00', '-05:00', '+00:00', '+05:30', '+10:00', '+14:00'),
});

function encounterAt(i: number, v: { day: string; hour: number; offset: string }): PeerEncounter {
  const hh = String(v.hour).padStart(2, '0');
  return { ...template, id: `b-${i}`, start: `${v.day}T${hh}:00:00${v.offset}`, end: `${v.day}T${hh}:45:00${v.offset}`, attendees: [{ ...(template.attendees[0] as PeerEncounter['attendees'][number]), participantId: participant.id }] };
}

const billed = async (period: string): Promise<number> =>
  (await runBill({ period, out: join(dir, `${period}.x12`), configValue: config, fhirUrl: embedded.server.url, date: new Date('2025-06-01T12:00:00Z') }, io())).report.encounters;

describe('bill --period', () => {
  it('reads each encounter in the month of its own date, at any UTC offset, once (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(visit, { minLength: 1, maxLength: 6 }), async (visits) => {
        embedded.server.reset();
        const encounters = visits.map((v, i) => encounterAt(i, v));
        const peer = new PeerClient(new PeerFhirClient({ baseUrl: embedded.server.url }), { agency: agency.organization.npi });
        await peer.recordEncounters(encounters, { participants: [participant], specialists: agency.specialists, organizations: [agency.organization] });
        const inMonth = (m: string) => encounters.filter((e) => e.start.startsWith(m)).length;
        expect(await billed('2025-02')).toBe(inMonth('2025-02'));
        expect(await billed('2025-03')).toBe(inMonth('2025-03'));
        expect(await billed('2025-04')).toBe(inMonth('2025-04'));
      }),
      { numRuns: 4, seed: Number(process.env.PEER_FHIR_SEED ?? 31) },
    );
  }, 180_000);
});
