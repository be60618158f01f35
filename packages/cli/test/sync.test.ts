// `peer-fhir sync --from URL --to URL`: incremental sync with FHIR Bulk Data between two embedded servers. The first
// run copies everything, a rerun with nothing changed writes nothing, a change is reported `updated`, and the
// checkpoint sits in the target (one Basic per source). Bad options are usage errors (exit 2).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/server';
import { ExitCode, main, type CommandIo } from '../src/index.js';

function capture(): { io: Partial<CommandIo>; out: () => string } {
  let out = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c: Buffer | string, _e, cb) => (f(c.toString()), cb()) });
  return { io: { stdout: sink((s) => (out += s)), stderr: sink(() => undefined) }, out: () => out };
}

let ehr: EmbeddedFhirServer;
let program: EmbeddedFhirServer;
beforeAll(async () => {
  [ehr, program] = await Promise.all([startFhirServer(), startFhirServer()]);
  for (let i = 0; i < 20; i++) await ehr.repository.create({ resourceType: 'Patient', active: true });
});
afterAll(async () => {
  await Promise.all([ehr.close(), program.close()]);
});

async function sync(...extra: string[]): Promise<{ code: number; summary: Record<string, unknown> }> {
  const c = capture();
  const code = await main(['node', 'peer-fhir', 'sync', '--from', ehr.url, '--to', program.url, '--json', ...extra], c.io);
  return { code, summary: JSON.parse(c.out()) as Record<string, unknown> };
}

describe('peer-fhir sync', () => {
  it('copies everything, then only the changes, each counted', async () => {
    const first = await sync();
    expect(first.code).toBe(ExitCode.OK);
    expect(first.summary).toMatchObject({ read: 20, created: 20, checkpointSaved: true });
    expect((await sync()).summary).toMatchObject({ read: 0, created: 0, updated: 0 });
    const [one] = await ehr.repository.search('Patient', '_count=1');
    await ehr.repository.update({ ...one!, active: false });
    expect((await sync()).summary).toMatchObject({ read: 1, updated: 1, created: 0, unchanged: 0 });
    expect(await program.repository.search('Basic')).toHaveLength(1);
  });

  it('--since all re-reads everything and finds it unchanged', async () => {
    expect((await sync('--since', 'all')).summary).toMatchObject({ read: 20, unchanged: 20, created: 0, updated: 0 });
  });

  it('a resource deleted in the source is deleted in the target and reported `deleted`', async () => {
    const [one] = await ehr.repository.search('Patient', '_count=1');
    expect((await fetch(`${ehr.url}/Patient/${one!.id}`, { method: 'DELETE' })).ok).toBe(true);
    const c = capture();
    expect(await main(['node', 'peer-fhir', 'sync', '--from', ehr.url, '--to', program.url], c.io)).toBe(ExitCode.OK);
    expect(c.out()).toContain('read 1: 0 created, 0 updated, 0 unchanged, 1 deleted, 0 conflict, 0 rejected');
    expect(await program.repository.search('Patient', `_id=${one!.id}`)).toEqual([]);
  });

  it.each([['--since', 'yesterday'], ['--batch-size', '0']])('refuses %s %s as a usage error', async (flag, value) => {
    const c = capture();
    expect(await main(['node', 'peer-fhir', 'sync', '--from', ehr.url, '--to', program.url, flag, value], c.io)).toBe(ExitCode.USAGE);
  });
});
