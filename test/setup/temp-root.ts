// Global set-up (runs once, in vitest's main process): one private temporary folder for the whole run. Each test file
// gets its own folder inside it as `TMPDIR` (test/setup/temp-per-file.ts), so every `mkdtemp(join(tmpdir(), …))` of a
// test, and of the CLI and server processes it starts, lands there and is removed when the file ends, passed or not.
// Teardown fails the run if a file left anything behind (a folder its end could not remove, with something in it) and then removes the root,
// so a run never leaves SQLite files or rejects files in the machine's /tmp. The root is private to this run, so the
// check holds whatever other runs share the machine.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's private temporary folder (test/setup/temp-root.ts). */
    peerFhirTempRoot: string;
  }
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'peer-fhir-test-run-'));
  project.provide('peerFhirTempRoot', root);
  return () => {
    // A file whose tests were all skipped runs no hooks: its folder is left, but empty.
    const left = readdirSync(root).filter((d) => readdirSync(join(root, d)).length > 0);
    rmSync(root, { recursive: true, force: true });
    if (left.length > 0) throw new Error(`${left.length} test file temp folder(s) were left in ${root} (removed now): ${left.join(', ')}`);
  };
}
