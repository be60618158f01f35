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
  let stopped = false;
  // The server counts requests that may have written; a save is due when the count moved since the last save. A save
  // rewrites the whole snapshot, so on a large store saves are spaced to at least 4x the last save's duration: a
  // long import is not slowed by rewriting the file every couple of seconds.
  let savedAt = server.server.writes;
  let lastSaveMs = 0;
  let lastSaveEnded = 0;
  let saving = false;
  const timer = setInterval(() => {
    const writes = server.server.writes;
    if (stopped || saving || writes === savedAt || performance.now() - lastSaveEnded < 4 * lastSaveMs) return;
    saving = true;
    const t0 = performance.now();
    void server
      .save()
      .then((n) => {
        savedAt = writes;
        if (!io.json) note(io, `saved ${n} resources to ${dataDir}`);
      })
      .catch((err: unknown) => note(io, `could not save: ${err instanceof Error ? err.name : 'error'}`))
      .finally(() => {
        lastSaveEnded = performance.now();
        lastSaveMs = lastSaveEnded - t0;
        saving = false;
      });
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
