// `peer-fhir serve` is a process that is the server: it asks `startFhirServer` for one full collection once it
// listens (`collectAfterOpen`), so that V8 sizes its heap from what the server holds (docs/benchmarks.md, B9 server).
// That a server started without the option does not collect is packages/server/test/heap.test.ts. The built binary
// runs under `node --trace-gc`, which names a collection forced by `gc()` "testing".
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from './support.js';

/** Forced full collections in a `--trace-gc` output. */
const forced = (trace: string): string[] => trace.split('\n').filter((l) => /Mark-Compact.*\btesting\b/.test(l));

/** Runs the built CLI under `--trace-gc` until `done(stdout)` holds (then SIGTERM) or it exits; its stdout. */
function traced(args: readonly string[], done: (out: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--trace-gc', BIN, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (done(out)) child.kill('SIGTERM');
    });
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

describe.skipIf(!existsSync(BIN))('the one forced collection of the embedded server', () => {
  it('peer-fhir serve runs it once, before it says where it listens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-serve-gc-'));
    const out = await traced(['serve', '--port', '0', '--data', join(dir, 'data'), '--json'], (o) => /"url"/.test(o));
    expect(forced(out)).toHaveLength(1);
    expect(out.indexOf(forced(out)[0] ?? '')).toBeLessThan(out.indexOf('"url"'));
  }, 180_000);
});
