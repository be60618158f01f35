// The benchmarks `pnpm bench` runs and the rows each one reports, in the order they are printed. bench/run.mjs turns
// a declared row that a script did not report into an ERROR row (and a row it did not declare too), so a row cannot
// silently disappear from the table; test/e2e/bench-harness.test.ts checks that docs/benchmarks.md names exactly
// these rows.

/** Benchmark id -> its script (in bench/) and the ids of the rows it reports. */
export const BENCHMARKS = {
  B1: { script: 'b1-to-fhir.mjs', rows: ['B1'] },
  B2: { script: 'b2-record-all.mjs', rows: ['B2', 'B2-peers', 'B2@20ms', 'B2-peers@20ms'] },
  B3: { script: 'b3-validate.mjs', rows: ['B3'] },
  B4: { script: 'b4-837p.mjs', rows: ['B4'] },
  B5: { script: 'b5-cli-import.mjs', rows: ['B5'] },
  B6: { script: 'b6-import-size.mjs', rows: ['B6', 'B6-browser'] },
  B7: { script: 'b7-server.mjs', rows: ['B7'] },
  B8: { script: 'b8-bulk.mjs', rows: ['B8'] },
  B9: { script: 'b9-year.mjs', rows: ['B9-import', 'B9-server', 'B9-bill'] },
};

/** Every row id the harness reports, in order. */
export const ROW_IDS = Object.values(BENCHMARKS).flatMap((b) => b.rows);

/**
 * The rows of benchmark `id` as the table shows them: the script's reported rows in its declared order; a declared
 * row it did not report becomes an error row (or a pending row when the script reported itself pending: a package
 * not built); a row it reported without declaring it becomes an error row.
 */
export function declaredRows(id, reported) {
  const { rows, script } = BENCHMARKS[id];
  const pending = reported.find((r) => r.pending && r.id === id);
  const out = rows.map((row) => {
    const got = reported.find((r) => r.id === row);
    if (got) return got;
    if (pending) return { ...pending, id: row };
    const failed = reported.find((r) => r.error);
    return { id: row, error: failed ? failed.error : `not reported by bench/${script}`, ...(failed?.output ? { output: failed.output } : {}) };
  });
  const extra = reported.filter((r) => !rows.includes(r.id) && !(r.pending && r.id === id) && !r.error);
  return [...out, ...extra.map((r) => ({ ...r, error: `row ${r.id} is not declared in bench/rows.mjs` }))];
}
