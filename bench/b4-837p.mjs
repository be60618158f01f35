// B4: 1M encounters' claims -> 837P streamed to a file (x12 write837PStream), vs JSON.stringify of the same claims.
// Target: within 3x, peak RSS under 300 MB. Each side runs in its own child process so RSS is its own.
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { log, QUICK, report } from './lib.mjs';

const N = QUICK ? 10_000 : 1_000_000;
const child = process.argv.find((a) => a.startsWith('--child='))?.slice(8);

/** Claims built by billing from a synthetic agency, cut to 2 lines each, then repeated with unique ids up to N. */
async function* claims() {
  const { billedAgency } = await import('./support/claims.mjs');
  const templates = billedAgency().inputs.map((input) => {
    const item = input.claim.item.slice(0, 2).map((it, i) => ({ ...it, sequence: i + 1 }));
    const total = Math.round(item.reduce((s, it) => s + (it.net?.value ?? 0), 0) * 100) / 100;
    return { ...input, claim: { ...input.claim, item, total: { ...input.claim.total, value: total } } };
  });
  for (let i = 0; i < N; i++) {
    const t = templates[i % templates.length];
    yield { ...t, claim: { ...t.claim, identifier: [{ ...t.claim.identifier[0], value: `B4C${i}` }] } };
  }
}

async function runChild(mode) {
  const { write837PStream } = await import('@peer-fhir/x12');
  const { X12_OPTIONS } = await import('./support/claims.mjs');
  const path = join(tmpdir(), `peer-fhir-b4-${process.pid}.${mode === 'ours' ? '837' : 'json'}`);
  const t0 = performance.now();
  let bytes = 0;
  try {
    if (mode === 'ours') {
      await pipeline(write837PStream(claims(), { ...X12_OPTIONS, maxClaimsPerTransaction: 5000 }), createWriteStream(path));
      bytes = (await stat(path)).size;
    } else {
      for await (const c of claims()) bytes += JSON.stringify(c).length;
    }
  } finally {
    await rm(path, { force: true });
  }
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ ms, bytes, peakRss: process.resourceUsage().maxRSS * 1024 })}\n`);
}

function spawnChild(mode) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), `--child=${mode}`, ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`B4 ${mode} child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

if (child) {
  await runChild(child);
} else {
  log(`B4: ${N} claims -> 837P file (child process)`);
  const ours = spawnChild('ours');
  log(`B4: ${N} claims -> JSON.stringify (child process)`);
  const baseline = spawnChild('baseline');
  const ratio = ours.ms / baseline.ms;
  report({
    id: 'B4',
    what: `${N.toLocaleString('en-US')} claims (2 lines, from billing) -> 837P streamed to a file (${(ours.bytes / 1e6).toFixed(0)} MB)`,
    oursMs: ours.ms,
    baselineMs: baseline.ms,
    baselineName: 'JSON.stringify of each claim input (no I/O)',
    ratio,
    target: 'ratio <= 3 and peak RSS < 300 MB',
    met: ratio <= 3 && ours.peakRss < 300e6,
    extra: { claims: N, bytes837: ours.bytes, bytesJson: baseline.bytes, peakRssMB: +(ours.peakRss / 1e6).toFixed(0), baselinePeakRssMB: +(baseline.peakRss / 1e6).toFixed(0), claimsPerSecond: Math.round(N / (ours.ms / 1000)) },
  });
}
