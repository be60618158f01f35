import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { openDataFolder } from './data-folder.js';

/**
 * What {@link exportNdjson} wrote.
 * @category Data folder
 */
export interface ExportResult {
  /** Resources written (one line each). */
  resources: number;
  /** Resources written per resource type. */
  byType: Record<string, number>;
}

/**
 * Write every current resource of a data folder as NDJSON (one resource a line, in the order they were first
 * written), streaming from the database: memory stays flat however large the folder. The folder's lock is taken for
 * the duration, so a running server on the same folder makes this throw {@link ServerLockedError}; export through
 * that server's FHIR API instead, or stop it first.
 *
 * @param dataDir - the data folder of a stopped server
 * @param out - where the NDJSON lines go
 * @returns how many resources of each type were written
 * @throws ServerLockedError when a running server holds the folder
 * @param dataDir - the folder `peer-fhir serve --data` uses
 * @param out - where the lines go (a file stream, stdout)
 * @example
 * ```ts
 * import { createWriteStream } from 'node:fs';
 * const { resources } = await exportNdjson('.peer-fhir/data', createWriteStream('all.ndjson', { mode: 0o600 }));
 * ```
 * @category Data folder
 */
export async function exportNdjson(dataDir: string, out: Writable): Promise<ExportResult> {
  const folder = openDataFolder(dataDir);
  const byType: Record<string, number> = {};
  let resources = 0;
  try {
    for (const json of folder.store.jsonRows()) {
      const type = /^\{"resourceType":"([A-Za-z]+)"/.exec(json)?.[1] ?? (JSON.parse(json) as { resourceType: string }).resourceType;
      byType[type] = (byType[type] ?? 0) + 1;
      resources++;
      if (!out.write(`${json}\n`)) await once(out, 'drain');
    }
  } finally {
    folder.close();
  }
  return { resources, byType };
}
