/**
 * `peer-fhir bill` writes its report with the held items streamed (issue 18, B9 round 7b): each chunk's held items are
 * spooled as one sorted run and the report files are written from a k-way merge of the runs. The oracle is the report
 * held in memory (`runBill`'s result): for any held items cut into any chunks, the streamed JSON is byte for byte
 * `JSON.stringify(report, null, 2)` plus a newline and parses to that report, the streamed Markdown is
 * `renderBillMarkdown(report)`, and the command holds at most one chunk's held items at once.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BillingDecision, BillingResult, EditCode } from '@peer-fhir/billing';
import type { PeerEncounter } from '@peer-fhir/core';
import { generateAgency } from '@peer-fhir/testing';
import { billMarkdownHead, renderBillMarkdown } from '../src/commands/bill/report.js';
import { HeldSpool, writeBillReportFiles } from '../src/commands/bill/report-stream.js';
import { BillTally, type ChunkFigures } from '../src/commands/bill/tally.js';

/** A valid encounter whose id and start each test item replaces. */
const template = generateAgency({ seed: 1, months: 1, participants: 1, state: 'TX', start: '2025-11-01' }).encounters[0] as PeerEncounter;
const root = mkdtempSync(join(tmpdir(), 'peer-fhir-bill-report-stream-'));
const CODES: EditCode[] = ['PB-CONSENT-PART2', 'PB-COVERAGE', 'PB-SERVICE-NOT-COVERED', 'PB-DUPLICATE'];

/** A held or billed item of a generated month: few encounters, starts and participants, so ties in every sort key. */
const item = fc.record({
  encounter: fc.constantFrom('e-1', 'e-2', 'E-2', 'é-3', 'e|4'),
  start: fc.constantFrom('2025-11-03T09:00:00Z', '2025-11-03T09:00:00.000Z', '2025-11-20T15:30:00-05:00', 'not a date'),
  participantId: fc.oneof(fc.constantFrom('p-1', 'p-2', 'P-1'), fc.string({ maxLength: 6 })),
  status: fc.constantFrom<BillingDecision['status']>('held', 'partial', 'billed'),
  holds: fc.array(fc.record({ code: fc.constantFrom(...CODES), reason: fc.string({ unit: 'binary', maxLength: 12 }) }), { maxLength: 3 }),
});
type Item = typeof item extends fc.Arbitrary<infer T> ? T : never;

const decisionOf = (i: Item): BillingDecision => ({
  encounterId: i.encounter, participantId: i.participantId, dateOfService: i.start.slice(0, 10), status: i.status, lines: [],
  requestedUnits: 1, billedUnits: 0, heldUnits: 1, minutes: 15, holds: i.holds.map((h) => ({ ...h, severity: 'hold' })), warnings: [],
});

/** One chunk's figures: its items as decisions, the encounters they name (one start per encounter, the chunk's first). */
function chunkOf(items: readonly Item[]): ChunkFigures {
  const starts = new Map<string, string>();
  for (const i of items) if (!starts.has(i.encounter)) starts.set(i.encounter, i.start);
  const totals = { items: items.length, billed: 0, partial: 0, held: items.length, requestedUnits: 0, billedUnits: 0, heldUnits: 0, charge: 0, linesWithoutRate: 0 };
  const result: BillingResult = { packId: 'p', packVersion: '1', decisions: items.map(decisionOf), lines: [], totals };
  const encounters = [...starts].map(([id, start]): PeerEncounter => ({ ...template, id, start }));
  const corrections = { priorClaims: 0, alreadyBilled: 0, unchanged: 0, replacements: 0, voids: 0, awaitingPayerClaimNumber: [], notJudged: 0 };
  return { result, encounters, corrections, stored: { serviceOrders: [], priorAuthorizations: [], history: [], priorClaims: [], unreadable: 0 } };
}

/** `items` cut at `cuts` (sorted positions): the chunks, in order. */
function cut<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const at = [...new Set(cuts.map((c) => c % (items.length + 1)))].sort((a, b) => a - b);
  return [0, ...at].map((from, k) => items.slice(from, at[k] ?? items.length));
}

/** Bills `chunks` into a tally that keeps its held items or only spools them; for the streaming one, writes the files. */
async function tallied(chunks: readonly ChunkFigures[], keep: boolean, dir: string) {
  const files = { x12: join(dir, 'm.x12'), claims: join(dir, 'm.claims.ndjson'), reportMarkdown: join(dir, 'm.report.md'), reportJson: join(dir, 'm.report.json') };
  const spool = new HeldSpool(join(dir, `held-${keep}.partial`));
  const tally = new BillTally({ pack: { id: 'tx', version: '2019' }, period: '2025-11', files }, { spool, keep });
  for (const c of chunks) await tally.add(c);
  const report = tally.report({ claims: 0, disclosuresRecorded: 0 });
  if (!keep) await writeBillReportFiles(report, spool.merged());
  await spool.close();
  return { report, tally, spool, files };
}

describe('bill report, held items spooled and streamed', () => {
  it('writes the in-memory report byte for byte, JSON and Markdown, for any held items cut into any chunks (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 12 }), async (items, cuts) => {
        const dir = mkdtempSync(join(root, `p${run++}-`));
        const chunks = cut(items, cuts).map(chunkOf);
        const memory = await tallied(chunks, true, dir);
        const streamed = await tallied(chunks, false, dir);
        const json = readFileSync(streamed.files.reportJson, 'utf8');
        expect(json).toBe(`${JSON.stringify(memory.report, null, 2)}\n`);
        expect(JSON.parse(json)).toEqual(memory.report);
        expect(readFileSync(streamed.files.reportMarkdown, 'utf8')).toBe(renderBillMarkdown(memory.report));
        expect(streamed.tally.held).toBe(memory.report.held.length);
        // Only the final names remain besides the spools the caller removes.
        expect(readdirSync(dir).filter((f) => f.endsWith('.partial') && !f.startsWith('held-'))).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('holds at most one chunk of held items when it does not keep them; the spool has one run per chunk with any', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(item, { maxLength: 15 }), { minLength: 1, maxLength: 8 }), async (parts) => {
        const dir = mkdtempSync(join(root, 'bound-'));
        const chunks = parts.map(chunkOf);
        const streamed = await tallied(chunks, false, dir);
        // Held only as already billed is not a held item (the report's corrections count it).
        const alreadyBilled = (d: BillingDecision) => d.holds.length > 0 && d.holds.every((h) => h.code === 'PB-DUPLICATE');
        const perChunk = chunks.map((c) => c.result.decisions.filter((d) => d.status !== 'billed' && !alreadyBilled(d)).length);
        expect(streamed.tally.peakHeldInMemory).toBe(Math.max(0, ...perChunk));
        expect(streamed.spool.runs).toBe(perChunk.filter((n) => n > 0).length);
        expect(streamed.report.held).toEqual([]);
        const memory = await tallied(chunks, true, dir);
        expect(memory.tally.peakHeldInMemory).toBe(memory.report.held.length);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects with the file system error, never an unhandled one, when the spool or a report file cannot be written', async () => {
    const missing = join(root, 'missing-folder');
    const spool = new HeldSpool(join(missing, 'held.partial'));
    const entry = { at: 0, h: { encounterId: 'e', participantId: 'p', dateOfService: '2025-11-03', status: 'held', reasons: [] } };
    await expect((async () => {
      await spool.run([entry]);
      await spool.close();
    })()).rejects.toMatchObject({ code: 'ENOENT' });
    const { report } = await tallied([], true, mkdtempSync(join(root, 'unwritable-')));
    const files = { ...report.files, reportJson: join(missing, 'm.report.json'), reportMarkdown: join(missing, 'm.report.md') };
    await expect(writeBillReportFiles({ ...report, files }, (async function* () {})())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('renders the Markdown head, rows and tail as renderBillMarkdown does for no held items', async () => {
    const { report } = await tallied([], true, mkdtempSync(join(root, 'empty-')));
    expect(renderBillMarkdown(report).startsWith(`${billMarkdownHead(report)}\n`)).toBe(true);
  });
});
