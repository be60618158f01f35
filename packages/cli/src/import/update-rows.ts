import type { CorrectionOutcome, PeerClient } from '@peer-fhir/client';
import type { Participant } from '@peer-fhir/core';
import type { AssembledEncounter, RejectedRow } from './assemble.js';

/** The Provenance reason of a correction made by re-importing a changed row. */
export const IMPORT_REASON = 'changed row re-imported from the EHR export (peer-fhir import)';

/** The counters an update adds to (a slice of the import summary). */
export interface UpdateTally {
  updated: number;
  unchanged: number;
  conflict: number;
  encounters: { updated: number; unchanged: number; conflict: number; rejected: number };
  updatedRows: { file: string; row: number }[];
  conflictRows: { file: string; row: number; conflicts: string[] }[];
}

function conflictOf(o: CorrectionOutcome): string[] {
  return [`Encounter differs at ${o.conflict?.paths.join(', ') || 'a newer stored version'}; the server's version is newer than the row`];
}

/** Counts one amended encounter's outcome against its rows. */
async function tally(a: AssembledEncounter, o: CorrectionOutcome, file: string, t: UpdateTally, reject: (r: RejectedRow) => Promise<void>): Promise<void> {
  if (o.status === 'updated' || o.status === 'created') {
    t.encounters.updated++;
    t.updated += a.rows.length;
    for (const r of a.rows) t.updatedRows.push({ file, row: r.row });
  } else if (o.status === 'unchanged') {
    t.encounters.unchanged++;
    t.unchanged += a.rows.length;
  } else if (o.status === 'conflict') {
    t.encounters.conflict++;
    t.conflict += a.rows.length;
    for (const r of a.rows) t.conflictRows.push({ file, row: r.row, conflicts: conflictOf(o) });
  } else {
    t.encounters.rejected++;
    for (const r of a.rows) await reject({ ...r, reasons: [`FHIR server refused the correction: ${o.reason ?? 'unknown reason'}`] });
  }
}

/**
 * Rows whose encounter is stored with other content (times, status incl. entered-in-error, diagnoses) are corrections
 * from the EHR: each encounter is amended (`PeerClient.amendEncounter`: If-Match on the version read, a Provenance,
 * the old version kept in the server's `_history`). A version written under the import stays a conflict.
 */
export async function updateChangedRows(
  peer: PeerClient,
  changed: readonly AssembledEncounter[],
  file: string,
  t: UpdateTally,
  reject: (r: RejectedRow) => Promise<void>,
): Promise<void> {
  for (const a of changed) {
    const outcome = await peer.amendEncounter(a.encounter, { reason: IMPORT_REASON });
    await tally(a, outcome, file, t, reject);
  }
}

/**
 * Participants stored with other demographics than the rows give (a corrected name, birth date, Medicaid id):
 * corrected with `PeerClient.amendParticipant`. Returns how many were updated and the ones still in conflict.
 */
export async function updateChangedParticipants(peer: PeerClient, participants: readonly Participant[]): Promise<{ updated: number; conflicts: string[] }> {
  let updated = 0;
  const conflicts: string[] = [];
  for (const p of participants) {
    const o = await peer.amendParticipant(p, { reason: IMPORT_REASON });
    if (o.status === 'updated') updated++;
    else if (o.status === 'conflict' || o.status === 'rejected') conflicts.push(`Patient ${o.conflict?.location ?? ''} ${o.status}: ${o.conflict?.paths.join(', ') ?? o.reason ?? ''}`.trim());
  }
  return { updated, conflicts };
}
