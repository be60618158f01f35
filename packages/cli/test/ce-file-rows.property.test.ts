// Issue 18 (leftover): a `--ce FILE` problem names the row by the file line it starts on, like the importer's rejects
// (row-lines.property.test.ts), so a person can find it in an editor. A quoted CSV value may hold line breaks (the row
// then spans lines, RFC 4180 §2.6), blank lines may sit between rows, lines may end in LF or CRLF; an NDJSON row is
// its line, blank lines counted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CliUsageError } from '../src/errors.js';
import { loadContinuingEducation } from '../src/internal/continuing-education.js';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-ce-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'id,peerNpi,date,hours,topic';
const GOOD_HOURS = '6';
/** Not a number of hours: the schema rejects it, so the row is reported. */
const BAD_HOURS = 'six';

/** A topic: plain text, or quoted text with line breaks (and doubled quotes) inside. */
const topic = fc.oneof(
  fc.stringMatching(/^[a-z]{1,8}$/).map((text) => ({ text, breaks: 0 })),
  fc.array(fc.stringMatching(/^[a-z "]{0,6}$/), { minLength: 2, maxLength: 4 }).map((parts) => ({ parts, breaks: parts.length - 1 })),
);
const row = fc.record({ topic, blankBefore: fc.integer({ min: 0, max: 2 }), bad: fc.boolean() });
type Row = { topic: { text?: string; parts?: string[]; breaks: number }; blankBefore: number; bad: boolean };

/** The CSV text of rows and, by construction, the line each bad row starts on. */
function csvOf(rows: readonly Row[], eol: string): { text: string; badLines: number[] } {
  let line = 2; // line 1 is the header
  const badLines: number[] = [];
  const lines: string[] = [HEADER];
  rows.forEach((r, i) => {
    for (let b = 0; b < r.blankBefore; b++) lines.push('');
    line += r.blankBefore;
    if (r.bad) badLines.push(line);
    const t = r.topic.parts ? `"${r.topic.parts.map((p) => p.replaceAll('"', '""')).join(eol)}"` : (r.topic.text ?? '');
    lines.push(`ce-${i},1245319599,2025-03-12,${r.bad ? BAD_HOURS : GOOD_HOURS},${t}`);
    line += 1 + r.topic.breaks;
  });
  return { text: lines.join(eol) + eol, badLines };
}

/** The row numbers a loader error names (`row N: …` / `line N: …`), or [] when the file loads. */
async function namedRows(file: string): Promise<number[]> {
  try {
    await loadContinuingEducation(file);
    return [];
  } catch (err) {
    if (!(err instanceof CliUsageError)) throw err;
    return [...new Set(err.problems.map((p) => Number(/^(?:row|line) (\d+):/.exec(p)?.[1])))];
  }
}

describe('--ce FILE: problems name the file line a row starts on', () => {
  it('a CSV row is named by the line it starts on, whatever the quoted line breaks, blank lines and line endings before it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 10 }), fc.constantFrom('\n', '\r\n'), async (rows, eol) => {
        const { text, badLines } = csvOf(rows, eol);
        const file = join(dir, 'ce.csv');
        writeFileSync(file, text);
        expect(await namedRows(file)).toEqual(badLines);
      }),
      { numRuns: 60, seed: Number(process.env['PEER_FHIR_SEED'] ?? 1818) },
    );
  });

  it('a bad row after a topic with two line breaks is named three lines after the row before it', async () => {
    const file = join(dir, 'two.csv');
    writeFileSync(file, `${HEADER}\nce-1,1245319599,2025-03-12,6,"a\nb\nc"\nce-2,1245319599,2025-03-13,${BAD_HOURS},d\n`);
    expect(await namedRows(file)).toEqual([5]);
  });

  it('an NDJSON row is named by its line, blank lines counted', async () => {
    const file = join(dir, 'ce.ndjson');
    const good = JSON.stringify({ id: 'ce-1', peerNpi: '1245319599', date: '2025-03-12', hours: 6, topic: 'Ethics' });
    const bad = JSON.stringify({ id: 'ce-2', peerNpi: '1245319599', date: '2025-03-12', hours: BAD_HOURS, topic: 'Ethics' });
    writeFileSync(file, `${good}\n\n${bad}\r\n${good}\n`);
    expect(await namedRows(file)).toEqual([3]);
  });
});
