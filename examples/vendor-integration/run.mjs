#!/usr/bin/env node
// Runs the vendor module's tests (vitest, msw, @peer-fhir/testing) from this directory.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const r = spawnSync('pnpm', ['exec', 'vitest', 'run', '--root', '.'], { cwd: here, stdio: 'inherit', shell: process.platform === 'win32' });
process.exitCode = r.status ?? 1;
