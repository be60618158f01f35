import { ExitCode, CliUsageError } from '../errors.js';
import { startPersistentServer, type PersistentServer } from '../internal/embedded.js';
import { note, printJson, say, type CommandIo } from '../internal/io.js';
import { dataDirOf } from '../internal/target.js';
import { type CommandDefinition, type CommandOutcome, examples, int, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runServe} (`peer-fhir serve`).
 *
 * @example
 * ```ts
 * const opts: ServeOptions = { port: 8080, data: '.peer-fhir/data', authEnv: 'PEER_FHIR_AUTH_TOKEN' };
 * ```
 * @category Serve
 */
export interface ServeOptions {
  /** TCP port (default 8080; 0 picks a free one). */
  port?: number | undefined;
  /** Interface (default 127.0.0.1). Any other than a loopback address needs a bearer token. */
  host?: string | undefined;
  /** Data folder holding the SQLite database (default `.peer-fhir/data`); one server per folder. */
  data?: string | undefined;
  /** Bearer token every request must carry (prefer `authEnv`: a token on the command line lands in shell history). */
  authToken?: string | undefined;
  /** Name of an environment variable holding the bearer token. */
  authEnv?: string | undefined;
  /** Largest request body in MiB (default 16); larger ones are answered 413. */
  maxBodyMb?: number | undefined;
  /** Browser origins allowed to call the server (any other `Origin` is answered 403). */
  allowOrigin?: string[] | undefined;
  /** Extra `Host` header values to accept (`name:port`, e.g. behind a reverse proxy). */
  allowHost?: string[] | undefined;
  /**
   * One full garbage collection once the server listens, so that its peak memory stays flat however much it serves
   * (`startFhirServer`'s `collectAfterOpen`). Default `false` for a program calling `runServe` (its heap is its own);
   * the `peer-fhir serve` command, a process that is the server, turns it on.
   */
  collectAfterOpen?: boolean | undefined;
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
  /** Stop the server and close the database (at most a few seconds: a stuck request does not keep it running). */
  stop(): Promise<void>;
}

/** How long `stop()` waits for open requests before it gives up on them (they were never acknowledged). */
const STOP_TIMEOUT_MS = 5000;

/**
 * Start the embedded FHIR R4 server with its data in a folder: a SQLite database written in one transaction per
 * request, so every write the server acknowledged is on disk (a kill or a crash loses none). A second process on the
 * same folder is refused with an error naming the first. A `resources.ndjson` left by an earlier version is imported
 * once.
 *
 * @param opts - the options of `peer-fhir serve` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the running server: its URL and `stop()`
 * @example
 * ```ts
 * import { runServe } from '@peer-fhir/cli';
 * const { url, stop } = await runServe({ port: 8080, data: './fhir-data' }, io);
 * ```
 * @category Commands
 */
export async function runServe(opts: ServeOptions, io: CommandIo): Promise<RunningServe> {
  const dataDir = dataDirOf(io, opts.data);
  let authToken = opts.authToken;
  if (opts.authEnv !== undefined) {
    authToken = io.env[opts.authEnv];
    if (!authToken) throw new CliUsageError(`environment variable ${opts.authEnv} (from --auth-env) is not set`);
  }
  if (opts.maxBodyMb !== undefined && !(opts.maxBodyMb > 0)) throw new CliUsageError('--max-body-mb must be a positive number');
  const server: PersistentServer = await startPersistentServer({
    dataDir,
    port: opts.port ?? 8080,
    host: opts.host,
    authToken,
    maxBodyBytes: opts.maxBodyMb === undefined ? undefined : Math.floor(opts.maxBodyMb * 1024 * 1024),
    allowedOrigins: opts.allowOrigin,
    allowedHosts: opts.allowHost,
    collectAfterOpen: opts.collectAfterOpen,
  });
  // The server refused to start on such an address without a token; with one it is still reachable from other machines.
  if (!isLoopbackHost(opts.host)) {
    note(io, 'warning: listening on a non-loopback address: other machines on the network can reach this server (every request must carry the bearer token; put TLS in front of it)');
  }
  const info = { url: server.url, dataDir, loaded: server.loaded, auth: authToken ? 'bearer' : 'none' };
  if (io.json) printJson(io, info);
  else {
    say(io, `FHIR R4 server at ${server.url}${authToken ? ' (bearer token required)' : ''}`);
    say(io, `data: ${dataDir} (${server.loaded} resources); every acknowledged write is committed to disk`);
    say(io, 'press Ctrl-C to stop');
  }
  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    dataDir,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        timer.unref();
        void server
          .close()
          .catch(() => undefined)
          .finally(() => {
            clearTimeout(timer);
            resolve();
          });
      })),
  };
}

/** The default host (127.0.0.1), `localhost`, `::1` and 127.x.y.z: what only this machine can reach. */
function isLoopbackHost(host: string | undefined): boolean {
  return host === undefined || host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The exit code `serve` ends with once stopped. @internal */
export const SERVE_EXIT = ExitCode.OK;

/**
 * `runServe` until SIGINT or SIGTERM. The handlers are installed before the server starts (and prints its URL): a
 * SIGTERM that arrives while it is starting, or right after it printed, still stops it cleanly instead of killing the
 * process. The outcome's `wait` settles once the server has stopped.
 */
async function serveUntilStopped(opts: ServeOptions, io: CommandIo): Promise<CommandOutcome> {
  let running: RunningServe | undefined;
  let stopRequested = false;
  let done: () => void = () => undefined;
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (running) void running.stop().then(done, done);
    else stopRequested = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    // This process is the server: its heap is sized from what the server holds (startFhirServer's collectAfterOpen).
    running = await runServe({ ...opts, collectAfterOpen: true }, io);
  } catch (err) {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    throw err;
  }
  const started = running;
  const wait = new Promise<void>((resolve) => {
    done = resolve;
    if (stopRequested) void started.stop().then(resolve, resolve);
  });
  return { exitCode: ExitCode.OK, wait };
}

/** `peer-fhir serve`: its options and help, and how it runs (docs/cli.md). */
export const serveCommand: CommandDefinition<ServeOptions> = {
  name: 'serve',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('run the embedded FHIR R4 server; data is kept in a SQLite database in a folder, one server per folder')
        .option('--port <n>', 'TCP port', int('--port'), 8080)
        .option('--host <host>', 'interface to listen on (not loopback: needs a bearer token)', '127.0.0.1')
        .option('--auth-token <token>', 'bearer token every request must carry (prefer --auth-env)')
        .option('--auth-env <name>', 'environment variable holding the bearer token')
        .option('--max-body-mb <n>', 'largest request body in MiB (default 16)', Number)
        .option('--allow-origin <origin...>', 'browser origins allowed to call the server')
        .option('--allow-host <host...>', 'extra Host header values to accept (name:port)'),
      'data', 'json',
    )
      .addHelpText('after', examples(['peer-fhir serve', 'peer-fhir serve --port 9090 --data ./fhir-data', 'PEER_FHIR_TOKEN=... peer-fhir serve --host 0.0.0.0 --auth-env PEER_FHIR_TOKEN'])),
  run: (o, io) => serveUntilStopped(o, io),
};
