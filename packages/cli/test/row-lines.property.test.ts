// Issue 19: reject messages name a row by the file line it starts on, so a person can find it in an editor. A CSV
// value in quotes may hold line breaks (the row then spans lines, RFC 4180 §2.6), blank lines may sit between rows,
// lines may end in LF or CRLF; NDJSON rows are lines, blank lines included in the count.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRows } from '../src/import/read-rows.js';
import { SUPERVISION_COLUMNS } from '../src/import/supervision.js';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-lines-'));
const HEADER = SUPERVISION_COLUMNS.join(',');

/** A cell: plain text, or quoted text with line breaks (and quotes) inside. */
const cell = fc.oneof(
  fc.stringMatching(/^[a-z0-9 ]{0,8}$/).map((t) => ({ text: t.trim(), breaks: 0 })),
  fc.array(fc.stringMatching(/^[a-z "]{0,6}$/), { minLength: 2, maxLength: 4 }).map((parts) => ({ parts, breaks: parts.length - 1 })),
);
const row = fc.record({ topics: cell, blankBefore: fc.integer({ min: 0, max: 2 }) });

/** The CSV text of rows, with the line each row starts on, by construction. */
function csvOf(rows: readonly { topics: { text?: string; parts?: string[]; breaks: number }; blankBefore: number }[], eol: string): { text: string; starts: number[] } {
  let line = 2; // line 1 is the header
  const starts: number[] = [];
  const lines: string[] = [HEADER];
  rows.forEach((r, i) => {
    for (let b = 0; b < r.blankBefore; b++) lines.push('');
    line += r.blankBefore;
    starts.push(line);
    const topics = r.topics.parts ? `"${r.topics.parts.map((p) => p.replaceAll('"', '""')).join(eol)}"` : r.topics.text!;
    lines.push(`sup-${i},1003000126,1245319599,2025-03-06,60,individual,in-person,${topics}`);
    line += 1 + r.topics.breaks;
  });
  return { text: lines.join(eol) + eol, starts };
}

async function rowNumbers(file: string, format: 'csv' | 'ndjson'): Promise<number[]> {
  const out: number[] = [];
  for await (const item of readRows(file, format, SUPERVISION_COLUMNS)) out.push('unreadable' in item ? item.unreadable.row : item.row);
  return out;
}

describe('row numbers are file line numbers', () => {
  it('a CSV row is numbered by the line it starts on, whatever the quoted line breaks, blank lines and line endings before it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 12 }), fc.constantFrom('\n', '\r\n'), async (rows, eol) => {
        const { text, starts } = csvOf(rows, eol);
        const file = join(dir, 'rows.csv');
        writeFileSync(file, text);
        expect(await rowNumbers(file, 'csv')).toEqual(starts);
      }),
      { numRuns: 60, seed: Number(process.env['PEER_FHIR_SEED'] ?? 1907) },
    );
  });

  it('the first data row of a CSV is line 2; a row after a value with two line breaks starts three lines later', async () => {
    const file = join(dir, 'two.csv');
    writeFileSync(file, `${HEADER}\nsup-1,1003000126,1245319599,2025-03-06,60,individual,in-person,"a\nb\nc"\nsup-2,1003000126,1245319599,2025-03-07,60,individual,in-person,d\n`);
    expect(await rowNumbers(file, 'csv')).toEqual([2, 5]);
  });

  it('an NDJSON row is numbered by its line, blank lines counted', async () => {
    const file = join(dir, 'rows.ndjson');
    const o = JSON.stringify({ session_id: 's-1' });
    writeFileSync(file, `${o}\n\n\n${o}\r\n${o}\n`);
    expect(await rowNumbers(file, 'ndjson')).toEqual([1, 4, 5]);
  });
});
