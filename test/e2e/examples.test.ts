// Every runnable example in examples/ runs with its one command against the BUILT packages (packages/*/dist) and
// prints its summary line; vendor-integration's own vitest suite passes. Needs `pnpm run build` first.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const PACKAGES = ['core', 'client', 'billing', 'x12', 'testing'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((done, fail) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
    delete env.FHIR_URL; // the examples use the embedded server
    delete env.VITEST; // the child vitest must not think it is nested in this one
    delete env.VITEST_POOL_ID;
    delete env.VITEST_WORKER_ID;
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const EXAMPLES: readonly { name: string; summary: RegExp }[] = [
  { name: 'quickstart', summary: /second run \(same input\)\s+\d+ entries, 0 created/ },
  { name: 'ehr-sync', summary: /EHR sync OK: .*synced.*, re-run created 0/ },
  { name: 'billing-run', summary: /Billing run OK: [1-9]\d* claims, \d+ held/ },
  { name: 'remittance', summary: /Remittance OK: [1-9]\d* ClaimResponses, [1-9]\d* lines reconciled/ },
  { name: 'consent-gate', summary: /Consent gate OK: refused without consent, disclosed with consent, refused after revocation/ },
];

describe('examples', () => {
  const missing = PACKAGES.filter((p) => !existsSync(resolve(root, 'packages', p, 'dist/index.js')));

  it('run against the built packages', () => {
    expect(missing, 'run `pnpm run build` first: the examples import the packages\' dist/').toEqual([]);
  });

  describe.skipIf(missing.length > 0).concurrent('each runs with one command', () => {
    for (const { name, summary } of EXAMPLES) {
      it(`${name}: node examples/${name}/run.mjs`, { timeout: 120_000 }, async () => {
        const r = await run(process.execPath, ['run.mjs'], resolve(root, 'examples', name));
        expect(r.code, `${name} failed:\n${r.stderr}\n${r.stdout}`).toBe(0);
        expect(r.stdout).toMatch(summary);
      });
    }

    it('vendor-integration: its own vitest suite passes', { timeout: 120_000 }, async () => {
      const dir = resolve(root, 'examples/vendor-integration');
      const r = await run('pnpm', ['exec', 'vitest', 'run', '--root', '.'], dir);
      expect(r.code, `vendor-integration tests failed:\n${r.stderr}\n${r.stdout}`).toBe(0);
      expect(r.stdout).toMatch(/Tests\s+4 passed/);
    });
  });
});
