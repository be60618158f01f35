// Types of bench/rows.mjs, for test/e2e/bench-harness.test.ts (the benchmarks themselves are plain JavaScript).

/** One row as a benchmark script reports it (`BENCH_RESULT {...}`), with what bench/run.mjs adds. */
export interface BenchRow {
  id: string;
  what?: string;
  oursMs?: number;
  baselineMs?: number;
  baselineName?: string;
  ratio?: number;
  target?: string;
  met?: boolean;
  pending?: boolean;
  /** Why this row was not measured in this mode (printed; status SKIPPED). */
  skipped?: string;
  error?: string;
  output?: string;
  [key: string]: unknown;
}

export declare const BENCHMARKS: Record<string, { script: string; rows: string[] }>;
export declare const ROW_IDS: string[];
export declare function declaredRows(id: string, reported: BenchRow[]): BenchRow[];
