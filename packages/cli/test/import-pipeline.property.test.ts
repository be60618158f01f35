// Issue 18: `peer-fhir import` writes its batches in an overlapping pipeline (the next batch is read and mapped, and
// its roster stored, while the server stores the one before). Overlap must change nothing but the time: for any
// generated CSV (group and individual encounters, rows the reader rejects, an id used again) and any batch size and
// transactions in flight, the server ends up holding exactly what one batch would have written, every row ends in the
// same counted outcome, and a second import writes nothing new. Small files, tiny batches: many batches overlap.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FhirResource } from 'fhir/r4.js';
import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import type { EmbeddedFhirServer } from '@peer-fhir/testing';
import { IMPORT_COLUMNS } from '../src/index.js';
import { scopeOf, type CliConfig } from '../src/config.js';
import type { EncounterTally } from '../src/import/import-encounters.js';
import type { RejectedRow } from '../src/import/assemble.js';
import { importEncountersThrough, useImportBench } from './support.js';

const bench = useImportBench(400);
let server: EmbeddedFhirServer;
let dir: string;
let config: CliConfig;
let base: Record<string, string>[];
beforeAll(() => ({ server, dir, config, rows: base } = bench.current));

const TYPES = ['Organization', 'Practitioner', 'PractitionerRole', 'Patient', 'Coverage', 'RelatedPerson', 'Group', 'Location', 'Encounter', 'Condition', 'DocumentReference', 'Provenance'] as const;

/**
 * Everything the server holds, comparable across two servers: each resource without its server-assigned id and meta,
 * each reference replaced by the identifier of the resource it names; sorted.
 */
async function storedContent(): Promise<string[]> {
  const all = (await Promise.all(TYPES.map((t) => server.repository.search(t)))).flat() as (FhirResource & { identifier?: { system?: string; value?: string }[] })[];
  const keyOf = new Map(all.map((r) => [`${r.resourceType}/${r.id}`, `${r.resourceType}|${r.identifier?.[0]?.system ?? ''}|${r.identifier?.[0]?.value ?? ''}`]));
  return all.map((r) => JSON.stringify({ ...r, id: undefined, meta: undefined }, (k, v: unknown) => (k === 'reference' && typeof v === 'string' ? (keyOf.get(v) ?? v) : v))).sort();
}

/** Imports `file` into the server as `peer-fhir import` does, `batchRows` rows per batch; the tally and rejected rows. */
function importWith(file: string, batchRows: number, concurrency: number): Promise<{ tally: EncounterTally; rejected: RejectedRow[] }> {
  return importEncountersThrough(new PeerClient(new PeerFhirClient({ baseUrl: server.url }), scopeOf(config)), config, file, batchRows, concurrency);
}

/** The outcome counts of an import, and its rejected rows by row number. */
const outcomes = (r: { tally: EncounterTally; rejected: RejectedRow[] }) => ({
  rows: { read: r.tally.rowsRead, created: r.tally.created, unchanged: r.tally.unchanged, updated: r.tally.updated, conflict: r.tally.conflict, rejected: r.tally.rejected },
  encounters: r.tally.encounters,
  rejected: [...r.rejected].sort((a, b) => a.row - b.row).map((x) => [x.row, x.reasons]),
});

/** A slice of the synthetic rows, some broken: an unknown modality (the reader rejects the encounter), an id used again. */
const generatedCsv = fc.record({
  start: fc.nat({ max: 300 }),
  length: fc.integer({ min: 1, max: 30 }),
  broken: fc.uniqueArray(fc.nat({ max: 29 }), { maxLength: 3 }),
  reused: fc.option(fc.tuple(fc.nat({ max: 29 }), fc.nat({ max: 29 })), { nil: undefined }),
});

describe('the import pipeline', () => {
  it('stores what one batch stores and counts every row alike, whatever the batch size and transactions in flight; a second import writes nothing new (property)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(generatedCsv, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), async (g, batchRows, concurrency) => {
        const rows = base.slice(g.start, g.start + g.length).map((r) => ({ ...r }));
        for (const i of g.broken) if (rows[i]) rows[i]['modality'] = 'carrier-pigeon';
        const [from, to] = g.reused ?? [];
        if (from !== undefined && to !== undefined && from + 1 < to && rows[from] && rows[to]) rows[to]['encounter_id'] = rows[from]['encounter_id']!;
        const file = join(dir, `rows-${n++}.csv`);
        writeFileSync(file, stringify(rows, { header: true, columns: [...IMPORT_COLUMNS] }));

        server.reset();
        const whole = outcomes(await importWith(file, Number.POSITIVE_INFINITY, concurrency));
        const stored = await storedContent();
        server.reset();
        const piped = outcomes(await importWith(file, batchRows, concurrency));
        expect(await storedContent()).toEqual(stored);
        expect(piped).toEqual(whole);
        expect(piped.rows.read).toBe(rows.length);
        expect(piped.rows.created + piped.rows.rejected).toBe(rows.length);

        const again = outcomes(await importWith(file, batchRows, concurrency));
        expect(again.rows).toEqual({ ...piped.rows, created: 0, unchanged: piped.rows.created });
        expect(await storedContent()).toEqual(stored);
      }),
      { numRuns: 10, seed: 18 },
    );
  }, 120_000);
});
