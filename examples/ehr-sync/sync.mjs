// Resumable, idempotent sync of an EHR export (NDJSON: one PeerEncounter per line + a roster JSON) to a FHIR server.
// Every write is a conditional create (PeerClient.recordEncounters -> recordAll), so re-sending a batch never
// duplicates anything; the checkpoint file records the last completed batch so an interrupted run continues there.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';

export async function readExport(ndjsonPath, rosterPath) {
  const text = await readFile(ndjsonPath, 'utf8');
  const encounters = text.split('\n').filter((l) => l.trim()).map((l, i) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new Error(`${ndjsonPath}: line ${i + 1} is not JSON`);
    }
  });
  const roster = JSON.parse(await readFile(rosterPath, 'utf8'));
  return { encounters, roster, fingerprint: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

async function loadCheckpoint(path, fingerprint, batchSize) {
  try {
    const c = JSON.parse(await readFile(path, 'utf8'));
    // A checkpoint of another export or batch size says nothing about this one: start over (still idempotent).
    return c.fingerprint === fingerprint && c.batchSize === batchSize ? c : undefined;
  } catch {
    return undefined;
  }
}

async function saveCheckpoint(path, checkpoint) {
  await writeFile(`${path}.tmp`, JSON.stringify(checkpoint, null, 2));
  await rename(`${path}.tmp`, path); // atomic: a crash never leaves a half-written checkpoint
}

/**
 * Sync `encounters` in batches. `stopAfterBatches` simulates an interruption (the process dying after N batches).
 * @returns per-run counts: batches done this run, records created / already there / failed, where it resumed.
 */
export async function sync(peer, { encounters, roster, fingerprint }, { checkpointPath, batchSize = 10, stopAfterBatches, log = () => {} }) {
  const total = Math.ceil(encounters.length / batchSize);
  const checkpoint = (await loadCheckpoint(checkpointPath, fingerprint, batchSize)) ?? { fingerprint, batchSize, completedBatches: 0, lastEncounterId: null };
  const resumedAt = checkpoint.completedBatches;
  const counts = { batches: 0, created: 0, existing: 0, unchanged: 0, conflict: 0, failed: 0, resumedAt, totalBatches: total, interrupted: false };
  for (let b = checkpoint.completedBatches; b < total; b++) {
    if (stopAfterBatches !== undefined && counts.batches >= stopAfterBatches) {
      counts.interrupted = true;
      break;
    }
    const batch = encounters.slice(b * batchSize, (b + 1) * batchSize);
    const summary = await peer.recordEncounters(batch, {
      organizations: [roster.organization],
      specialists: roster.specialists,
      participants: roster.participants,
      bundleSize: 50,
      concurrency: 2,
    });
    // Every encounter ends created / unchanged / conflict / rejected; a conflict (the server holds other content
    // under the same identifier) or a rejection stops the sync: nothing is written over it, nothing is silent.
    counts.created += summary.created;
    counts.unchanged += summary.unchanged;
    counts.conflict += summary.conflict + summary.roster.conflict;
    counts.existing += summary.unchanged;
    counts.failed += summary.rejected;
    if (summary.rejected > 0 || summary.conflict > 0 || summary.roster.conflict > 0) {
      const reasons = summary.records.filter((r) => r.status === 'rejected' || r.status === 'conflict').map((r) => `#${b * batchSize + r.index} ${r.status}: ${r.reason}`);
      reasons.push(...summary.roster.conflicts.map((c) => `${c.resourceType} conflict at ${c.paths.join(', ')}`));
      throw new Error(`batch ${b + 1}/${total}: ${summary.rejected} rejected, ${summary.conflict + summary.roster.conflict} in conflict (${reasons.slice(0, 3).join('; ')}); checkpoint left at batch ${b}`);
    }
    checkpoint.completedBatches = b + 1;
    checkpoint.lastEncounterId = batch.at(-1).id;
    await saveCheckpoint(checkpointPath, checkpoint);
    counts.batches++;
    log(`batch ${b + 1}/${total}: ${summary.created} created, ${summary.unchanged} unchanged`);
  }
  return counts;
}
