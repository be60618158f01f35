import { PeerFhirError } from '@peer-fhir/core';
import type { LockHolder } from './data-folder.js';

/**
 * Another process holds the data folder: one writer per folder, so a second server (or an import without
 * `--fhir-url`) is refused instead of forking the data. The message names the holder (pid and host).
 *
 * @example
 * ```ts
 * try { await startFhirServer({ dataDir: './data' }); }
 * catch (e) { if (e instanceof ServerLockedError) console.error(`stop process ${e.holder.pid} first`); }
 * ```
 * @category Errors
 */
export class ServerLockedError extends PeerFhirError {
  /** The process that holds the folder. */
  readonly holder: LockHolder;
  constructor(holder: LockHolder) {
    super(
      `the data folder is in use by process ${holder.pid} on host ${holder.host}${holder.since ? ` (since ${holder.since})` : ''}: stop it, or send your requests to that server`,
      { code: 'server.data-locked', details: { pid: holder.pid, host: holder.host, since: holder.since } },
    );
    this.holder = holder;
  }
}

/**
 * The data folder holds something the server cannot read (a damaged legacy snapshot, a database it cannot open).
 * Details give the line or file, never its content.
 *
 * @example
 * ```ts
 * try { await startFhirServer({ dataDir: './data' }); }
 * catch (e) { if (e instanceof ServerDataError) console.error(e.message, e.details); }
 * ```
 * @category Errors
 */
export class ServerDataError extends PeerFhirError {
  constructor(message: string, details: Readonly<Record<string, unknown>> = {}, cause?: unknown) {
    super(message, { code: 'server.data-invalid', details, cause });
  }
}

/**
 * A server option that would be unsafe or cannot work, such as binding a non-loopback address without an auth
 * token.
 *
 * @example
 * ```ts
 * try { await startFhirServer({ host: '0.0.0.0' }); }
 * catch (e) { if (e instanceof ServerConfigError) console.error(e.message); } // needs authToken
 * ```
 * @category Errors
 */
export class ServerConfigError extends PeerFhirError {
  constructor(message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message, { code: 'server.config-invalid', details });
  }
}

/**
 * The database in the data folder has a schema version this server does not know: it was written by a newer
 * `@peer-fhir/server`. It is refused rather than opened and misread; upgrade the server (or export with the newer one).
 *
 * @example
 * ```ts
 * try { await startFhirServer({ dataDir: './data' }); }
 * catch (e) { if (e instanceof ServerSchemaVersionError) console.error(e.found, e.supported); }
 * ```
 * @category Errors
 */
export class ServerSchemaVersionError extends PeerFhirError {
  /** The version recorded in the database (`PRAGMA user_version`). */
  readonly found: number;
  /** The newest version this server reads and writes. */
  readonly supported: number;
  constructor(found: number, supported: number) {
    super(`the database has schema version ${found}, newer than this server supports (${supported}): upgrade @peer-fhir/server to open it`, {
      code: 'server.schema-version',
      details: { found, supported },
    });
    this.found = found;
    this.supported = supported;
  }
}

/**
 * A FHIR package (an implementation guide's `.tgz`, or the US Core subset shipped with this package) that cannot be
 * read: not a gzip'd tar, no `package/package.json`, a file that is not JSON. Details name the file inside the
 * package, never its content.
 *
 * @example
 * ```ts
 * try { readFhirPackage(readFileSync('ig.tgz')); }
 * catch (e) { if (e instanceof FhirPackageError) console.error(e.message, e.details); }
 * ```
 * @category Errors
 */
export class FhirPackageError extends PeerFhirError {
  constructor(message: string, details: Readonly<Record<string, unknown>> = {}, cause?: unknown) {
    super(message, { code: 'server.fhir-package-invalid', details, cause });
  }
}
