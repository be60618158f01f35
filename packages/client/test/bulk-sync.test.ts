// Incremental sync with Bulk Data between two embedded servers (issue 21, acceptance 2): change 1% of the source and
// sync again: only those are transferred, each `updated`; kill the sync half way and rerun: no duplicates, nothing
// lost. The checkpoint lives in the target (a Basic per source), so it moves with the data.
import { SyncCheckpoint } from '@peer-fhir/core';
import fc from 'fast-check';
import type { FhirResource } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FhirAbortError, PeerFhirClient, readSyncCheckpoint, syncBulkData } from '../src/index.js';

interface EmbeddedFhirServer {
  url: string;
  repository: {
    create(r: FhirResource): Promise<FhirResource & { id: string }>;
    update(r: FhirResource & { id: string }): Promise<FhirResource & { id: string }>;
    search(type: string, query?: string): Promise<(FhirResource & { id: string })[]>;
  };
  resourceCount(): number;
  reset(): void;
  close(): Promise<void>;
}
const testingModule: string = '@peer-fhir/testing';
const testing = (await import(testingModule)) as { startFhirServer: () => Promise<EmbeddedFhirServer> };

let ehr: EmbeddedFhirServer;
let program: EmbeddedFhirServer;
let source: PeerFhirClient;
let target: PeerFhirClient;

beforeAll(async () => {
  [ehr, program] = await Promise.all([testing.startFhirServer(), testing.startFhirServer()]);
  source = new PeerFhirClient({ baseUrl: ehr.url });
  target = new PeerFhirClient({ baseUrl: program.url });
});
afterAll(async () => {
  await Promise.all([ehr.close(), program.close()]);
});

async function seed(patients: number): Promise<(FhirResource & { id: string })[]> {
  ehr.reset();
  program.reset();
  const stored = [];
  for (let i = 0; i < patients; i++) {
    const p = await ehr.repository.create({ resourceType: 'Patient', active: true, name: [{ family: `Family${i}` }] });
    stored.push(p, await ehr.repository.create({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${p.id}` } }));
  }
  return stored;
}

/** DELETE on the source over HTTP, as any client of the EHR would. */
async function deleteInSource(r: FhirResource & { id: string }): Promise<void> {
  const res = await fetch(`${ehr.url}/${r.resourceType}/${r.id}`, { method: 'DELETE' });
  expect(res.ok).toBe(true);
}

/** Every resource of the source is in the target once, with the same content (id included). */
async function sameData(): Promise<void> {
  for (const type of ['Patient', 'Encounter']) {
    const want = (await ehr.repository.search(type)).map((r) => JSON.stringify({ ...r, meta: undefined })).sort();
    const got = (await program.repository.search(type)).map((r) => JSON.stringify({ ...r, meta: undefined })).sort();
    expect(got).toEqual(want);
  }
}

describe('syncBulkData between two servers', () => {
  it('first sync creates everything; changing 1% transfers exactly those, each updated', async () => {
    const stored = await seed(150);
    const first = await syncBulkData(source, target, { since: 'auto' });
    expect(first).toMatchObject({ since: undefined, read: 300, created: 300, updated: 0, conflict: 0, rejected: 0, checkpointSaved: true });
    expect(await readSyncCheckpoint(target, ehr.url)).toBe(first.transactionTime);
    const [checkpoint] = await program.repository.search('Basic');
    expect(checkpoint?.meta?.profile).toEqual([SyncCheckpoint.Profile]);

    const changed = stored.filter((r) => r.resourceType === 'Patient').slice(0, 3);
    for (const p of changed) await ehr.repository.update({ ...p, active: false });
    const second = await syncBulkData(source, target);
    expect(second).toMatchObject({ since: first.transactionTime, read: 3, created: 0, unchanged: 0, updated: 3, checkpointSaved: true });
    await sameData();
    expect(program.resourceCount()).toBe(300 + 1); // the data and one checkpoint

    const third = await syncBulkData(source, target);
    expect(third).toMatchObject({ read: 0, checkpointSaved: true });
  });

  it('a sync killed half way leaves the checkpoint; the rerun finishes with no duplicate and nothing lost', async () => {
    const stored = await seed(40);
    const first = await syncBulkData(source, target);
    for (const r of stored.filter((x) => x.resourceType === 'Encounter')) await ehr.repository.update({ ...r, status: 'cancelled' });
    const controller = new AbortController();
    const killed = syncBulkData(source, target, {
      batchSize: 10,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.updated >= 20) controller.abort(new Error('killed'));
      },
    });
    await expect(killed).rejects.toBeInstanceOf(FhirAbortError);
    expect(await readSyncCheckpoint(target, ehr.url)).toBe(first.transactionTime);

    const rerun = await syncBulkData(source, target, { batchSize: 10 });
    expect(rerun).toMatchObject({ read: 40, created: 0, checkpointSaved: true });
    expect(rerun.unchanged).toBeGreaterThanOrEqual(20);
    expect(rerun.unchanged + rerun.updated).toBe(40);
    await sameData();
    expect(program.resourceCount()).toBe(80 + 1);
  });

  it('for any set of changed resources, the next sync updates exactly those', async () => {
    const stored = await seed(8);
    await syncBulkData(source, target);
    await fc.assert(
      fc.asyncProperty(fc.subarray(stored.map((_, i) => i)), async (picked) => {
        for (const i of picked) {
          const current = (await ehr.repository.search(stored[i]!.resourceType, `_id=${stored[i]!.id}`))[0]!;
          await ehr.repository.update({ ...current, language: `x-${Math.random().toString(36).slice(2, 6)}` } as FhirResource & { id: string });
        }
        const summary = await syncBulkData(source, target);
        expect(summary).toMatchObject({ read: picked.length, updated: picked.length, created: 0, unchanged: 0, checkpointSaved: true });
        await sameData();
      }),
      { numRuns: 6, seed: 21 },
    );
  });

  it('deleting 1% of the source: the next sync deletes exactly those in the target, each counted deleted', async () => {
    const stored = await seed(150);
    await syncBulkData(source, target);
    const gone = stored.filter((r) => r.resourceType === 'Encounter').slice(0, 3);
    for (const r of gone) await deleteInSource(r);
    const summary = await syncBulkData(source, target);
    expect(summary).toMatchObject({ read: 3, deleted: 3, created: 0, updated: 0, unchanged: 0, conflict: 0, rejected: 0, checkpointSaved: true });
    await sameData();
    expect(program.resourceCount()).toBe(300 - 3 + 1);
    // Already applied: the next sync has nothing to do.
    expect(await syncBulkData(source, target)).toMatchObject({ read: 0, deleted: 0, checkpointSaved: true });
  });

  it('a sync killed half way through its deletions leaves the checkpoint; the rerun deletes the rest, nothing twice', async () => {
    const stored = await seed(40);
    const first = await syncBulkData(source, target);
    const encounters = stored.filter((x) => x.resourceType === 'Encounter');
    for (const r of encounters.slice(0, 20)) await ehr.repository.update({ ...r, status: 'cancelled' });
    for (const r of encounters.slice(20)) await deleteInSource(r);
    const controller = new AbortController();
    const killed = syncBulkData(source, target, {
      batchSize: 5,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.deleted >= 10) controller.abort(new Error('killed'));
      },
    });
    await expect(killed).rejects.toBeInstanceOf(FhirAbortError);
    expect(await readSyncCheckpoint(target, ehr.url)).toBe(first.transactionTime);

    const rerun = await syncBulkData(source, target, { batchSize: 5 });
    // The 20 updates were written before: unchanged now; of the 20 deletions, those already applied are unchanged.
    expect(rerun).toMatchObject({ read: 40, created: 0, updated: 0, conflict: 0, rejected: 0, checkpointSaved: true });
    expect(rerun.deleted).toBeGreaterThan(0);
    expect(rerun.deleted).toBeLessThanOrEqual(10);
    expect(rerun.unchanged + rerun.deleted).toBe(40);
    await sameData();
    expect(program.resourceCount()).toBe(60 + 1);
  });

  it('for any resources changed and deleted in the source, the next sync updates and deletes exactly those', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('keep', 'change', 'delete'), { minLength: 8, maxLength: 8 }), async (fates) => {
        const stored = await seed(4);
        await syncBulkData(source, target);
        // A Patient is deleted only with its Encounter: the source keeps no dangling reference.
        for (const [i, r] of stored.entries()) {
          const fate = fates[i] === 'delete' && r.resourceType === 'Patient' && fates[i + 1] !== 'delete' ? 'keep' : fates[i];
          fates[i] = fate ?? 'keep';
          if (fate === 'change') await ehr.repository.update({ ...r, language: 'x-changed' } as FhirResource & { id: string });
          if (fate === 'delete') await deleteInSource(r);
        }
        const count = (f: string) => fates.filter((x) => x === f).length;
        const summary = await syncBulkData(source, target);
        expect(summary).toMatchObject({ read: count('change') + count('delete'), updated: count('change'), deleted: count('delete'), created: 0, unchanged: 0, checkpointSaved: true });
        await sameData();
      }),
      { numRuns: 6, seed: 21 },
    );
  });
});
