/**
 * Throughput / memory check for the streaming writer; opt-in because it writes ~1 GB:
 *   X12_PERF=1 X12_PERF_CLAIMS=1000000 pnpm exec vitest run packages/x12/test/perf.test.ts
 */
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { write837PStream, type X12ClaimInput } from '../src/index.js';
import { coverage, input, options, patient } from './fixtures.js';

const N = Number(process.env.X12_PERF_CLAIMS ?? 1_000_000);

function* claims(): Generator<X12ClaimInput> {
  const base = input({ lines: [{ modifiers: ['HQ', 'U4'], units: 2, charge: 11.97 }, { modifiers: ['HF'], units: 4, charge: 60 }], dx: ['F11.20', 'F32.9'] });
  for (let i = 0; i < N; i++) {
    yield {
      ...base,
      claim: { ...base.claim, identifier: [{ value: `PCN${i}` }] },
      subscriber: patient({ id: `p${i >> 1}` }),
      coverage: coverage({ subscriberId: `M${i >> 1}` }),
    };
  }
}

describe.runIf(process.env.X12_PERF)('837P streaming throughput', () => {
  it(`streams ${N} claims to a file within the memory budget`, async () => {
    const path = join(tmpdir(), `x12-perf-${process.pid}.837`);
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t0 = performance.now();
    try {
      await pipeline(write837PStream(claims(), options()), createWriteStream(path));
      const secs = (performance.now() - t0) / 1000;
      peak = Math.max(peak, process.memoryUsage().rss);
      const size = (await stat(path)).size;
      console.log(`${N} claims in ${secs.toFixed(1)} s = ${Math.round(N / secs)} claims/s; ${(size / 1e6).toFixed(0)} MB; peak RSS ${(peak / 1e6).toFixed(0)} MB`);
      expect(peak).toBeLessThan(300e6);
    } finally {
      clearInterval(timer);
      await rm(path, { force: true });
    }
  }, 600_000);
});
