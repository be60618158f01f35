// R2: crash and resume of `peer-fhir import`. The built CLI runs as a child process against the embedded FHIR server
// (started in this test process, so the import talks to it over HTTP from another process) and is SIGKILLed at
// seeded random points of its progress (a seeded share of the encounters still missing has been stored); after each kill the import is simply run again (conditional creates make a re-run the
// resume). Then it is run to completion: every good row is on the server exactly once, and the rejects file has every
// bad row exactly once.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifierSystems } from '@peer-fhir/core';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { BAD_FAMILY, BIN, CLI_BUILT, duplicatesOf, expectImportedOnce, importFixture, readCsv, runCli, storedEncounterIds, type ImportFixture } from './support/cli.js';
import { pick } from './support/mode.js';
import { seededRandom as prng } from '../support/prng.js';

const KILLS = pick(3, 10);
const ROWS = pick(400, 3_000);
const BAD = pick(5, 30);
const SEED = Number(process.env.PEER_FHIR_SEED ?? 20261122);


let server: EmbeddedFhirServer;
let f: ImportFixture;

beforeAll(async () => {
  server = await startFhirServer();
  f = importFixture(ROWS, BAD);
});

afterAll(async () => {
  await server?.close();
});

/** Encounters (individual and group sessions) stored so far under the CLI's default identifier systems. */
async function storedCount(): Promise<number> {
  const ids = identifierSystems({ agency: f.agency.organization.npi });
  return (await storedEncounterIds(server, ids.encounter)).length + (await storedEncounterIds(server, ids.groupSession)).length;
}

/**
 * Start an import and SIGKILL it once the server holds `target` encounters (polled every 20 ms), so that the kill
 * lands mid-import at a seeded point of its progress; resolves with how it ended.
 */
function importKilledAt(target: number, rejects: string): Promise<{ killed: boolean; code: number | null; atStored: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'import', f.csv, '--fhir-url', server.url, '--config', f.cfg, '--rejects', rejects, '--json', '--bundle-size', '3'], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    let atStored = -1;
    let polling = false;
    const timer = setInterval(() => {
      if (polling) return;
      polling = true;
      void storedCount().then((n) => {
        polling = false;
        if (n >= target && atStored < 0) {
          atStored = n;
          child.kill('SIGKILL');
        }
      });
    }, 20);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      resolve({ killed: signal === 'SIGKILL', code, atStored });
    });
  });
}

describe.skipIf(!CLI_BUILT)('peer-fhir import killed and resumed', () => {
  it(`SIGKILLed ${KILLS} times at seeded points, then run to completion: every row once, rejects file complete`, async () => {
    const rand = prng(SEED);
    const rejects = join(f.dir, 'export.rejects.csv');
    const ids = identifierSystems({ agency: f.agency.organization.npi });
    const total = f.goodIndividual.length + f.goodGroups.length;
    // Each kill point: a seeded 5-35% of what is still missing, counted in stored encounters (so it is never 100%).
    const points: string[] = [];
    const outcomes: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const before = await storedCount();
      const target = before + Math.max(1, Math.round((0.05 + rand() * 0.3) * (total - before)));
      const r = await importKilledAt(target, rejects);
      points.push(`${target}/${total}`);
      outcomes.push(r.killed ? `killed at ${r.atStored}` : `exit ${r.code}`);
      // Never a duplicate, whatever point the kill hit.
      expect(duplicatesOf(await storedEncounterIds(server, ids.encounter))).toEqual([]);
      expect(duplicatesOf(await storedEncounterIds(server, ids.groupSession))).toEqual([]);
    }
    const partial = (await storedEncounterIds(server, ids.encounter)).length;
    console.info(`R2: kill points (stored encounters) ${points.join(', ')} -> ${outcomes.join(', ')}; ${partial}/${f.goodIndividual.length} individual encounters stored before the final run`);
    // Every kill must land mid-import (a kill after the import ended proves nothing).
    expect(outcomes.filter((o) => o.startsWith('killed')).length).toBe(KILLS);
    expect(partial).toBeLessThan(f.goodIndividual.length);

    const final = await runCli(['import', f.csv, '--fhir-url', server.url, '--config', f.cfg, '--rejects', rejects, '--json']);
    expect(final.code).toBe(1); // rows were rejected
    const s = JSON.parse(final.stdout) as { rowsRead: number; created: number; alreadyPresent: number; rejected: number };
    expect(s.rowsRead).toBe(f.rows.length);
    expect(s.rejected).toBe(BAD);
    expect(s.created + s.alreadyPresent).toBe(f.rows.length - BAD);
    await expectImportedOnce(server, f);
    for (const bad of f.badIds) expect((await storedEncounterIds(server, ids.encounter)).includes(bad)).toBe(false);

    expect(existsSync(rejects)).toBe(true);
    const rejected = readCsv(rejects);
    expect(rejected.map((r) => r['encounter_id']).sort()).toEqual([...f.badIds].sort());
    for (const r of rejected) {
      expect(r['participant_family']).toBe(BAD_FAMILY);
      expect(r['reject_reasons']).toMatch(/^\w+: /);
    }
  }, pick(120_000, 900_000));
});
