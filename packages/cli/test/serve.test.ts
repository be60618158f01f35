// `peer-fhir serve` in-process: the NDJSON snapshot is written after writes (and only then), survives a restart with
// the same ids, and a save never needs an HTTP request to the server itself.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runServe, type RunningServe } from '../src/index.js';
import type { CommandIo } from '../src/internal/io.js';
import { SNAPSHOT_FILE } from '../src/internal/embedded.js';

function captured(dir: string): { io: CommandIo; text: () => string } {
  let text = '';
  const sink = () => new Writable({ write: (chunk: Buffer | string, _enc, cb) => ((text += chunk.toString()), cb()) });
  return { io: { stdout: sink(), stderr: sink(), json: false, env: {}, cwd: dir }, text: () => text };
}

const until = async (check: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const post = async (url: string, body: unknown): Promise<{ status: number; id: string }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
  return { status: res.status, id: ((await res.json()) as { id: string }).id };
};

describe('peer-fhir serve', () => {
  it('saves after writes only, and a restart serves the same resources under the same ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-serve-'));
    const data = join(dir, 'data');
    const snapshot = join(data, SNAPSHOT_FILE);
    const first = captured(dir);
    let serve: RunningServe | undefined = await runServe({ port: 0, data, saveIntervalMs: 25 }, first.io);
    try {
      // Reads alone are not changes: nothing is written.
      await fetch(`${serve.url}/metadata`);
      await fetch(`${serve.url}/Patient`);
      await new Promise((r) => setTimeout(r, 200));
      expect(existsSync(snapshot)).toBe(false);

      const created = await post(`${serve.url}/Patient`, { resourceType: 'Patient', identifier: [{ system: 'urn:test', value: 'a' }] });
      expect(created.status).toBe(201);
      await until(() => existsSync(snapshot) && readFileSync(snapshot, 'utf8').includes(created.id));
      const org = await post(`${serve.url}/Organization`, { resourceType: 'Organization', name: 'Test org' });
      await until(() => readFileSync(snapshot, 'utf8').includes(org.id));
      expect(first.text()).toMatch(/saved 2 resources/);
      expect(first.text()).not.toMatch(/could not save/);
      await serve.stop();
      serve = undefined;

      const second = captured(dir);
      serve = await runServe({ port: 0, data, saveIntervalMs: 25 }, second.io);
      expect(second.text()).toMatch(/\(2 resources loaded\)/);
      const res = await fetch(`${serve.url}/Patient/${created.id}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { identifier: unknown }).identifier).toEqual([{ system: 'urn:test', value: 'a' }]);
    } finally {
      await serve?.stop();
    }
  });
});
