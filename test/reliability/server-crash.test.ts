// R6: `peer-fhir serve` SIGKILLed while writes stream in. The built CLI runs `serve` as a child process on a data
// folder; this test writes transactions (a Patient and an Encounter referring to it, through urn:uuid) two at a time
// and records every one the server acknowledged (200). At a seeded random point the server is SIGKILLed, restarted on
// the same folder, and checked: every acknowledged write is there, and nothing is half-written (each Encounter's
// Patient is there, and no Patient lost its Encounter). A second `serve` on the same folder is refused, naming the
// first. Short in CI (2 kills); `pnpm test:long` makes 10.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Encounter, Patient } from 'fhir/r4.js';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, CLI_BUILT, runCli } from './support/cli.js';
import { pick } from './support/mode.js';
import { seededRandom } from '../support/prng.js';

const KILLS = pick(2, 10);
const SEED = Number(process.env.PEER_FHIR_SEED ?? 20261206);
const SYSTEM = 'urn:peer-fhir:test:crash';

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/** Start `peer-fhir serve --json` on the folder; resolves with its URL once it listens. */
function startServe(data: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', data, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const end = out.indexOf('\n}');
      if (end >= 0) resolve({ child, url: (JSON.parse(out.slice(0, end + 2)) as { url: string }).url });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${err.slice(-500)}`)));
  });
}

function pair(n: number): Bundle {
  const patientUrl = `urn:uuid:${crypto.randomUUID()}`;
  const patient: Patient = { resourceType: 'Patient', identifier: [{ system: SYSTEM, value: `p${n}` }] };
  const encounter: Encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, identifier: [{ system: SYSTEM, value: `e${n}` }], subject: { reference: patientUrl } };
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: patientUrl,
        resource: patient,
        request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYSTEM}|p${n}` },
      },
      {
        resource: encounter,
        request: { method: 'POST', url: 'Encounter', ifNoneExist: `identifier=${SYSTEM}|e${n}` },
      },
    ],
  };
}

/** Every resource of a type on the server (paged). */
async function all<T>(url: string, type: string): Promise<T[]> {
  const found: T[] = [];
  let next: string | undefined = `${url}/${type}?_count=1000`;
  while (next) {
    const page = (await (await fetch(next)).json()) as Bundle;
    for (const e of page.entry ?? []) found.push(e.resource as T);
    next = page.link?.find((l) => l.relation === 'next')?.url;
  }
  return found;
}

describe.skipIf(!CLI_BUILT)('peer-fhir serve killed mid-write', () => {
  it(`keeps every acknowledged write and no half-written transaction across ${KILLS} SIGKILLs`, async () => {
    const rand = seededRandom(SEED);
    const data = join(mkdtempSync(join(tmpdir(), 'peer-fhir-crash-')), 'data');
    const acknowledged = new Map<string, string>(); // encounter id -> patient id
    let n = 0;
    for (let k = 0; k < KILLS; k++) {
      const { child, url } = await startServe(data);
      let stop = false;
      const writer = async (): Promise<void> => {
        while (!stop) {
          const i = n++;
          try {
            const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(pair(i)) });
            if (res.status !== 200) continue;
            const body = (await res.json()) as Bundle;
            const [p, e] = (body.entry ?? []).map((x) => x.response?.location?.split('/')[1] ?? '');
            acknowledged.set(e!, p!);
          } catch {
            return; // the server is gone: this request was never acknowledged
          }
        }
      };
      const writers = [writer(), writer()];
      // The kill lands at a seeded point after this run's first acknowledgement, so every run writes something.
      const before = acknowledged.size;
      while (acknowledged.size === before) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100 + rand() * 600));
      child.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      running.delete(child);
    }
    expect(acknowledged.size).toBeGreaterThan(0);

    const { child, url } = await startServe(data);
    try {
      const encounters = await all<Encounter>(url, 'Encounter');
      const patients = await all<Patient>(url, 'Patient');
      const encounterIds = new Set(encounters.map((e) => e.id));
      const patientIds = new Set(patients.map((p) => p.id));
      const missing = [...acknowledged].filter(([e, p]) => !encounterIds.has(e) || !patientIds.has(p));
      expect(missing, 'acknowledged writes missing after the kills').toEqual([]);
      // All or nothing: one Patient per Encounter, each Encounter's subject stored.
      expect(patients.length).toBe(encounters.length);
      for (const e of encounters) expect(patientIds.has(e.subject?.reference?.split('/')[1])).toBe(true);
      console.info(`R6: ${KILLS} kills, ${acknowledged.size} acknowledged transactions, ${encounters.length} stored`);

      // Single writer: a second server on the folder is refused with exit 2, naming the first one's process.
      const second = await runCli(['serve', '--port', '0', '--data', data]);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`in use by process ${child.pid} on host`);
    } finally {
      child.kill('SIGTERM');
    }
  }, pick(120_000, 600_000));

  it('stops on SIGTERM', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'peer-fhir-crash-')), 'data');
    const { child } = await startServe(data);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    running.delete(child);
  }, 180_000);
});
