// Set-up file (runs before each test file, in its worker): the file's own temporary folder, inside the run's root
// (test/setup/temp-root.ts), becomes `TMPDIR`, so `os.tmpdir()` (read on every call) and the processes the file starts
// use it. It is removed after the file's last `afterAll` (hooks run in reverse order, so servers are closed first),
// whether its tests passed or failed.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';

const dir = mkdtempSync(join(inject('peerFhirTempRoot'), 'file-'));
const before = process.env['TMPDIR'];
process.env['TMPDIR'] = dir;

afterAll(() => {
  if (before === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = before;
  rmSync(dir, { recursive: true, force: true });
});
