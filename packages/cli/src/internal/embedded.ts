import { createReadStream } from 'node:fs';
import { createPrivateWriteStream } from './io.js';
import { mkdir, rename, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FhirResource } from 'fhir/r4.js';
import { servedResourceTypes, startFhirServer, type EmbeddedFhirServer, type FhirTestRepository } from '@peer-fhir/testing';
import { CliUsageError } from '../errors.js';

/** The snapshot file inside a data folder: every resource, one JSON object a line. */
export const SNAPSHOT_FILE = 'resources.ndjson';

/** An embedded FHIR server whose data lives in a folder between runs. */
export interface PersistentServer {
  readonly server: EmbeddedFhirServer;
  readonly url: string;
  readonly dataDir: string | undefined;
  /** Resources loaded from the snapshot at start. */
  readonly loaded: number;
  /** Write the snapshot now (atomically: a temp file renamed over the old one). Returns the resource count. */
  save(): Promise<number>;
  /** Save (when there is a data folder) and stop. */
  close(): Promise<void>;
}

/** Every stored resource, type by type. */
export async function* allResources(server: EmbeddedFhirServer): AsyncGenerator<FhirResource> {
  // The type list comes from the server's definitions, not from GET /metadata: a save must not depend on an HTTP
  // request to itself succeeding while an import keeps the server busy.
  for (const type of servedResourceTypes()) {
    const found = await server.repository.search(type as FhirResource['resourceType']);
    for (const r of found) yield r as FhirResource;
  }
}

async function load(repository: FhirTestRepository, file: string): Promise<number> {
  try {
    await stat(file);
  } catch {
    return 0;
  }
  let n = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let resource: FhirResource & { id: string };
    try {
      resource = JSON.parse(line) as FhirResource & { id: string };
    } catch {
      throw new CliUsageError(`data snapshot ${file} is damaged at resource ${n + 1}; move it away to start empty`);
    }
    await repository.update(resource);
    n++;
  }
  return n;
}

/**
 * Start the embedded FHIR server (from @peer-fhir/testing; it is in memory), loading `dataDir/resources.ndjson` first
 * when there is one. `save()` writes every resource back. Server ids are kept, so references stay valid; version
 * history is not kept.
 */
export async function startPersistentServer(options: { dataDir?: string | undefined; port?: number | undefined; host?: string | undefined }): Promise<PersistentServer> {
  const server = await startFhirServer({ port: options.port ?? 0, ...(options.host ? { host: options.host } : {}) });
  const dataDir = options.dataDir;
  let loaded = 0;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    loaded = await load(server.repository, join(dataDir, SNAPSHOT_FILE));
  }
  let saving: Promise<number> | undefined;
  const save = async (): Promise<number> => {
    if (!dataDir) return 0;
    // One save at a time; a second caller waits for the first and then writes again.
    while (saving) await saving.catch(() => undefined);
    saving = (async () => {
      const target = join(dataDir, SNAPSHOT_FILE);
      const tmp = `${target}.${process.pid}.tmp`;
      // The snapshot is the FHIR data: PHI, owner only (the folder too).
      const out = createPrivateWriteStream(tmp);
      let n = 0;
      for await (const r of allResources(server)) {
        if (!out.write(`${JSON.stringify(r)}\n`)) await once(out, 'drain');
        n++;
      }
      out.end();
      await once(out, 'finish');
      await rename(tmp, target);
      return n;
    })();
    try {
      return await saving;
    } finally {
      saving = undefined;
    }
  };
  return {
    server,
    url: server.url,
    dataDir,
    loaded,
    save,
    close: async () => {
      await save();
      await server.close();
    },
  };
}
