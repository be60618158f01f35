import { ServerConfigError, ServerDataError, ServerLockedError, startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/server';
import { CliUsageError } from '../errors.js';

/** The SQLite database inside a data folder (from @peer-fhir/server). */
export { DATABASE_FILE, LEGACY_SNAPSHOT_FILE } from '@peer-fhir/server';

/** An embedded FHIR server whose data lives in a folder (a SQLite database) between runs. */
export interface PersistentServer {
  readonly server: EmbeddedFhirServer;
  readonly url: string;
  readonly dataDir: string | undefined;
  /** Resources found in the data folder at start. */
  readonly loaded: number;
  /**
   * How many resources the folder holds. Every acknowledged write is already committed to the database: nothing is
   * left to save.
   */
  save(): Promise<number>;
  /** Stop the server, close the database and give back the folder. */
  close(): Promise<void>;
}

/** Options of {@link startPersistentServer}: `serve`'s, the others take the defaults. */
export interface PersistentServerOptions {
  dataDir?: string | undefined;
  port?: number | undefined;
  host?: string | undefined;
  authToken?: string | undefined;
  maxBodyBytes?: number | undefined;
  allowedOrigins?: string[] | undefined;
  allowedHosts?: string[] | undefined;
  /** One full garbage collection once the server listens (`startFhirServer`'s `collectAfterOpen`; `serve` only). */
  collectAfterOpen?: boolean | undefined;
}

/**
 * Start the embedded FHIR server of @peer-fhir/server on `dataDir` (its SQLite database; without a folder, a private
 * in-memory one). A folder already used by another process is refused with an error naming that process.
 */
export async function startPersistentServer(options: PersistentServerOptions): Promise<PersistentServer> {
  let server: EmbeddedFhirServer;
  try {
    server = await startFhirServer({
      port: options.port ?? 0,
      ...(options.host ? { host: options.host } : {}),
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.authToken ? { authToken: options.authToken } : {}),
      ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.allowedOrigins?.length ? { allowedOrigins: options.allowedOrigins } : {}),
      ...(options.allowedHosts?.length ? { allowedHosts: options.allowedHosts } : {}),
      ...(options.collectAfterOpen ? { collectAfterOpen: true } : {}),
    });
  } catch (err) {
    // The server's errors name pids, hosts, options and line numbers, never data: shown as usage problems (exit 2).
    if (err instanceof ServerLockedError || err instanceof ServerConfigError || err instanceof ServerDataError) {
      throw new CliUsageError(err.message);
    }
    throw err;
  }
  return {
    server,
    url: server.url,
    dataDir: options.dataDir,
    loaded: server.loaded,
    save: async () => server.resourceCount(),
    close: () => server.close(),
  };
}
