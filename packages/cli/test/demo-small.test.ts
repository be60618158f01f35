// A demo of a small agency: some synthetic participants have no visit in the month, so they are never imported; the
// demo must not record consents or plans for them (it threw PeerFhirValidationError at participants: 10).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDemo, type CommandIo } from '../src/index.js';

describe('peer-fhir demo of a small agency', () => {
  it('runs end to end and says how many consents and plans of participants without a visit it skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-demo-small-'));
    let said = '';
    const out = new Writable({ write: (c, _e, cb) => ((said += String(c)), cb()) });
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const io: CommandIo = { stdout: out, stderr: sink, json: false, env: {}, cwd: dir };
    const result = await runDemo({ out: dir, participants: 10 }, io);
    expect(result.imported.rejected).toBe(0);
    expect(result.billed.lines).toBeGreaterThan(0);
    expect(said).toMatch(/recorded \d+ consents and \d+ recovery plans/);
  }, 120_000);
});
