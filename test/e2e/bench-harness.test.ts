// Issue 18: `pnpm bench` prints every benchmark row with its same-run baseline and ratio, and docs/benchmarks.md
// explains every target. The rows are declared once (bench/rows.mjs); these checks keep the declaration, the docs'
// tables and the saved raw results naming the same rows, so a row cannot silently disappear. Nothing here runs a
// benchmark or looks at a timing (timings are only ever measured by `pnpm bench`).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS, declaredRows, ROW_IDS, type BenchRow } from '../../bench/rows.mjs';

const file = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const doc = readFileSync(file('docs/benchmarks.md'), 'utf8');

/** The id cells of the Markdown table whose header row starts with `header`, each split into the row ids it names. */
function tableIds(header: string): string[][] {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  expect(start, `docs/benchmarks.md has a table headed "${header}"`).toBeGreaterThanOrEqual(0);
  const body = lines.slice(start + 2);
  const end = body.findIndex((l) => !l.startsWith('|'));
  const rows = end === -1 ? body : body.slice(0, end);
  return rows.map((l) => (l.split('|')[1] ?? '').split(',').map((id) => id.replaceAll('`', '').trim()));
}

/** Every id a table names must be a declared row (or one of `others`), and every declared row must be named. */
function expectNamesEveryRow(header: string, others: string[]): void {
  const named = tableIds(header).flat();
  expect(named.filter((id) => !ROW_IDS.includes(id) && !others.includes(id))).toEqual([]);
  expect(ROW_IDS.filter((id) => !named.includes(id))).toEqual([]);
}

describe('the benchmark harness', () => {
  it('declares a script that exists for every benchmark, and each row id once', () => {
    for (const { script } of Object.values(BENCHMARKS)) expect(existsSync(file(`bench/${script}`)), script).toBe(true);
    expect(new Set(ROW_IDS).size).toBe(ROW_IDS.length);
  });

  it("docs/benchmarks.md's table of what each benchmark measures names exactly the declared rows", () => {
    expectNamesEveryRow('| id | what | baseline (same run) | target |', []);
  });

  it("docs/benchmarks.md's status table gives every declared row a status (and the quick mode its own)", () => {
    expectNamesEveryRow('| id | figure (machine, load) | target | status and why |', ['quick mode']);
  });

  it('the saved quick results hold every declared row of the benchmarks that ran, each with its baseline and ratio (or why not)', () => {
    const saved = JSON.parse(readFileSync(file('bench/results/latest-quick.json'), 'utf8')) as { benchmarks?: string[]; results: BenchRow[]; totalS: number };
    // Results saved before run.mjs recorded `benchmarks` (or by a run of some benchmarks): the ones whose rows appear.
    const ran = saved.benchmarks ?? Object.keys(BENCHMARKS).filter((id) => saved.results.some((r) => BENCHMARKS[id]?.rows.includes(r.id) || r.id === id));
    expect(saved.results.map((r) => r.id)).toEqual(ran.flatMap((id) => BENCHMARKS[id]?.rows ?? [`undeclared ${id}`]));
    const incomplete = saved.results.filter((r) => !(r.pending || r.error || r.skipped) && !(typeof r.baselineMs === 'number' && typeof r.ratio === 'number' && r.baselineName));
    expect(incomplete.map((r) => r.id)).toEqual([]);
  });

  it('turns every declared row a script did not report into an error row, and every undeclared row it reported too', () => {
    const ids = Object.keys(BENCHMARKS);
    const reportedRows = fc.constantFrom(...ids).chain((id) =>
      fc.tuple(fc.constant(id), fc.shuffledSubarray(BENCHMARKS[id]?.rows ?? []), fc.uniqueArray(fc.stringMatching(/^X[a-z0-9-]{0,6}$/), { maxLength: 2 })),
    );
    fc.assert(
      fc.property(reportedRows, ([id, reported, undeclared]) => {
        const rows = declaredRows(id, [...reported, ...undeclared].map((row) => ({ id: row, ratio: 1 })));
        const declared = BENCHMARKS[id]?.rows ?? [];
        // Declared rows first, in the declared order: reported ones as reported, missing ones as errors.
        expect(rows.map((r) => r.id)).toEqual([...declared, ...undeclared]);
        for (const r of rows.slice(0, declared.length)) expect(r.error === undefined).toBe(reported.includes(r.id));
        for (const r of rows.slice(declared.length)) expect(r.error).toMatch(/not declared/);
      }),
    );
  });

  it('gives every row of a benchmark the failure of its script, and every row of an unbuilt one its pending notice', () => {
    const failed = declaredRows('B9', [{ id: 'B9', error: 'exit 1', output: 'stack' }]);
    expect(failed.map((r) => [r.id, r.error])).toEqual(BENCHMARKS.B9?.rows.map((id) => [id, 'exit 1']));
    const pending = declaredRows('B2', [{ id: 'B2', pending: true, what: 'dist missing' }]);
    expect(pending.map((r) => [r.id, r.pending, r.error])).toEqual(BENCHMARKS.B2?.rows.map((id) => [id, true, undefined]));
  });
});
