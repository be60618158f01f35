// `peer-fhir serve` and `peer-fhir export` in-process: every acknowledged write is in the folder's database at once
// (no snapshot to wait for), a restart serves the same resources under the same ids, one server per folder, the data
// files are the owner's only, a legacy NDJSON snapshot is imported once, and export writes NDJSON back.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runExport, runServe, type RunningServe } from '../src/index.js';
import type { CommandIo } from '../src/internal/io.js';
import { DATABASE_FILE, LEGACY_SNAPSHOT_FILE } from '../src/internal/embedded.js';

function captured(dir: string, env: NodeJS.ProcessEnv = {}): { io: CommandIo; text: () => string } {
  let text = '';
  const sink = () => new Writable({ write: (chunk: Buffer | string, _enc, cb) => ((text += chunk.toString()), cb()) });
  return { io: { stdout: sink(), stderr: sink(), json: false, env, cwd: dir }, text: () => text };
}

const post = async (url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; id: string }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/fhir+json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, id: ((await res.json()) as { id: string }).id };
};

describe('peer-fhir serve', () => {
  it('keeps every acknowledged write across a restart, under the same ids, in files only the owner can read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-serve-'));
    const data = join(dir, 'data');
    let serve: RunningServe | undefined = await runServe({ port: 0, data }, captured(dir).io);
    try {
      const created = await post(`${serve.url}/Patient`, { resourceType: 'Patient', identifier: [{ system: 'urn:test', value: 'a' }] });
      expect(created.status).toBe(201);
      const org = await post(`${serve.url}/Organization`, { resourceType: 'Organization', name: 'Test org' });
      expect(org.status).toBe(201);
      // Folders 0700, files 0600: the data is PHI.
      expect(statSync(data).mode & 0o777).toBe(0o700);
      for (const f of readdirSync(data)) expect(statSync(join(data, f)).mode & 0o777, f).toBe(0o600);
      expect(readdirSync(data)).toContain(DATABASE_FILE);
      await serve.stop();
      serve = undefined;

      const second = captured(dir);
      serve = await runServe({ port: 0, data }, second.io);
      expect(second.text()).toMatch(/\(2 resources\)/);
      const res = await fetch(`${serve.url}/Patient/${created.id}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { identifier: unknown }).identifier).toEqual([{ system: 'urn:test', value: 'a' }]);
    } finally {
      await serve?.stop();
    }
  });

  it('refuses a second server on the same folder, naming the process that holds it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-serve-'));
    const data = join(dir, 'data');
    const serve = await runServe({ port: 0, data }, captured(dir).io);
    try {
      await expect(runServe({ port: 0, data }, captured(dir).io)).rejects.toThrow(new RegExp(`in use by process ${process.pid} on host`));
      await expect(runExport({ data, out: join(dir, 'x.ndjson') }, captured(dir).io)).rejects.toThrow(/in use by process/);
    } finally {
      await serve.stop();
    }
  });

  it('requires a bearer token for a non-loopback bind, and then checks it on every request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-serve-'));
    await expect(runServe({ port: 0, host: '0.0.0.0', data: join(dir, 'a') }, captured(dir).io)).rejects.toThrow(/needs an auth token/);
    const serve = await runServe({ port: 0, data: join(dir, 'b'), authEnv: 'TOKEN' }, captured(dir, { TOKEN: 'test-token-1' }).io);
    try {
      expect((await post(`${serve.url}/Patient`, { resourceType: 'Patient' })).status).toBe(401);
      expect((await post(`${serve.url}/Patient`, { resourceType: 'Patient' }, { authorization: 'Bearer test-token-1' })).status).toBe(201);
    } finally {
      await serve.stop();
    }
  });

  it('warns that a non-loopback bind is reachable from other machines, and serves only requests carrying the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-serve-'));
    const out = captured(dir, { TOKEN: 'test-token-2' });
    const serve = await runServe({ port: 0, host: '0.0.0.0', data: join(dir, 'data'), authEnv: 'TOKEN' }, out.io);
    try {
      expect(out.text()).toMatch(/warning: listening on a non-loopback address/);
      const url = serve.url.replace('0.0.0.0', '127.0.0.1');
      expect((await post(`${url}/Patient`, { resourceType: 'Patient' })).status).toBe(401);
      expect((await post(`${url}/Patient`, { resourceType: 'Patient' }, { authorization: 'Bearer test-token-2' })).status).toBe(201);
    } finally {
      await serve.stop();
    }
    const local = captured(dir);
    const loopback = await runServe({ port: 0, data: join(dir, 'other') }, local.io);
    await loopback.stop();
    expect(local.text()).not.toMatch(/warning/);
  });

  it('imports a legacy resources.ndjson once and exports every resource as NDJSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-serve-'));
    const data = join(dir, 'data');
    mkdirSync(data);
    const legacy = [
      { resourceType: 'Patient', id: 'p1', meta: { versionId: '1', lastUpdated: '2025-01-01T00:00:00.000Z' }, identifier: [{ system: 'urn:test', value: '1' }] },
      { resourceType: 'Encounter', id: 'e1', meta: { versionId: '1', lastUpdated: '2025-01-01T00:00:00.000Z' }, status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p1' } },
    ];
    writeFileSync(join(data, LEGACY_SNAPSHOT_FILE), `${legacy.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const serve = await runServe({ port: 0, data }, captured(dir).io);
    try {
      const found = (await (await fetch(`${serve.url}/Encounter?subject=Patient/p1`)).json()) as { total: number };
      expect(found.total).toBe(1);
      expect(readdirSync(data)).toContain(`${LEGACY_SNAPSHOT_FILE}.migrated`);
      expect(readdirSync(data)).not.toContain(LEGACY_SNAPSHOT_FILE);
    } finally {
      await serve.stop();
    }
    const out = join(dir, 'all.ndjson');
    const summary = await runExport({ data, out }, captured(dir).io);
    expect(summary).toMatchObject({ resources: 2, byType: { Patient: 1, Encounter: 1 } });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(lines.map((r) => r.id)).toEqual(['p1', 'e1']);
  });
});
