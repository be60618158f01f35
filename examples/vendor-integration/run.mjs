#!/usr/bin/env node
// Runs the vendor module's tests (vitest, msw, @peer-fhir/testing) from this directory.
// Uses the pinned pnpm through npx when pnpm is not on PATH, and says why it failed when it cannot start.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const rootPackage = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
const pnpmVersion = String(rootPackage.packageManager).split('@')[1];
const shell = process.platform === 'win32';
const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell });
const [cmd, pre] = probe.status === 0 ? ['pnpm', []] : ['npx', ['--yes', `pnpm@${pnpmVersion}`]];
const r = spawnSync(cmd, [...pre, 'exec', 'vitest', 'run', '--root', '.'], { cwd: here, stdio: 'inherit', shell });
if (r.error) console.error(`vendor-integration: could not start ${cmd} (${r.error.code ?? r.error.name}); install Node's npm or pnpm ${pnpmVersion}.`);
else if (r.status !== 0) console.error(`vendor-integration: the vendor module's tests failed (exit ${r.status ?? 1}).`);
process.exitCode = r.status ?? 1;
