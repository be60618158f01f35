import type { FhirResource } from 'fhir/r4.js';
import { ExitCode } from '../errors.js';
import { startPersistentServer, type PersistentServer } from '../internal/embedded.js';
import { note, printJson, say, type CommandIo } from '../internal/io.js';
import { dataDirOf } from '../internal/target.js';

/**
 * Options of {@link runServe} (`peer-fhir serve`).
 *
 * @example
 * ```ts
 * const opts: ServeOptions = { port: 8080, data: '.peer-fhir/data' };
 * ```
 * @category Serve
 */
export interface ServeOptions {
  /** TCP port (default 8080; 0 picks a free one). */
  port?: number | undefined;
  /** Interface (default 127.0.0.1). */
  host?: string | undefined;
  /** Data folder: loaded at start, written on change and at exit (default `.peer-fhir/data`). */
  data?: string | undefined;
  /** How often to check for changes and save, in ms (default 2000). */
  saveIntervalMs?: number | undefined;
}

/**
 * A running `peer-fhir serve`.
 *
 * @example
 * ```ts
 * const running: RunningServe = await runServe({ port: 0 }, io);
 * await running.stop();
 * ```
 * @category Serve
 */
export interface RunningServe {
  url: string;
  dataDir: string;
  /** Save the data and stop the server. */
  stop(): Promise<void>;
}

/**
 * Start the embedded FHIR R4 server (in memory) with its data kept in a folder as an NDJSON snapshot: loaded at start,
 * saved shortly after every change and at exit (SIGINT/SIGTERM when started from the command line).
 *
 * @example
 * ```ts
 * import { runServe } from '@peer-fhir/cli';
 * const { url, stop } = await runServe({ port: 8080, data: './fhir-data' }, io);
 * ```
 * @category Commands
 */
export async function runServe(opts: ServeOptions, io: CommandIo): Promise<RunningServe> {
  const dataDir = dataDirOf(io, opts.data);
  const server: PersistentServer = await startPersistentServer({ dataDir, port: opts.port ?? 8080, host: opts.host });
  let lastSaved = new Date().toISOString();
  let stopped = false;
  // The in-memory store has no change events: look for anything updated since the last save.
  const changed = async (): Promise<boolean> => {
    const res = await fetch(`${server.url}/metadata`);
    const cs = (await res.json()) as { rest?: { resource?: { type: string }[] }[] };
    for (const { type } of cs.rest?.[0]?.resource ?? []) {
      const hits = await server.server.repository.search(type as FhirResource['resourceType'], { _lastUpdated: `ge${lastSaved}`, _count: '1' });
      if (hits.length > 0) return true;
    }
    return false;
  };
  const timer = setInterval(() => {
    void (async () => {
      const since = new Date().toISOString();
      if (stopped || !(await changed())) return;
      lastSaved = since;
      const n = await server.save();
      if (!io.json) note(io, `saved ${n} resources to ${dataDir}`);
    })().catch((err: unknown) => note(io, `could not save: ${err instanceof Error ? err.name : 'error'}`));
  }, opts.saveIntervalMs ?? 2000);
  timer.unref();
  const info = { url: server.url, dataDir, loaded: server.loaded };
  if (io.json) printJson(io, info);
  else {
    say(io, `FHIR R4 server at ${server.url}`);
    say(io, `data: ${dataDir} (${server.loaded} resources loaded); saved on change and on exit`);
    say(io, 'press Ctrl-C to stop');
  }
  return {
    url: server.url,
    dataDir,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await server.close();
    },
  };
}

/** The exit code `serve` ends with once stopped. @internal */
export const SERVE_EXIT = ExitCode.OK;
