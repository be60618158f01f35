import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { openDataFolder, type OpenDataFolder } from './data-folder.js';
import { loadFhirDefinitions } from './definitions.js';
import { ServerConfigError } from './errors.js';
import { handleFhirRequest, type FhirHttpRequest, type FhirHttpResponse, type FhirRequestContext } from './handle-request.js';
import { sqliteStoreOf } from './indexed-repository.js';
import { createFhirRepository, memoryRepositoryOf, wrapRepository, type FhirTestRepository } from './repository.js';
import { collectOnce } from './heap.js';

/**
 * Default largest request body: 16 MiB (a bulk writer's bundle of 100 encounters is well under 1 MiB).
 * @category Embedded server
 */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Options for {@link startFhirServer}.
 * @category Embedded server
 */
export interface FhirServerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Reject invalid resources on create, update and in bundles with 400; default `false`. */
  validate?: boolean;
  /** Path the FHIR API is served under; default `/fhir`. */
  baseUrlPath?: string;
  /**
   * Store to serve; default a new empty one (SQLite in memory). Pass the same store to `createFhirHandlers` of
   * `@peer-fhir/testing` to share data. Not together with `dataDir`.
   */
  repository?: FhirTestRepository;
  /**
   * Keep the data in this folder (created 0700): a SQLite database (`fhir.sqlite`, 0600, write-ahead log), written in
   * one transaction per request and acknowledged only after it is committed. One server per folder: a second one is
   * refused with `ServerLockedError`. A `resources.ndjson` left by an older version is imported once.
   */
  dataDir?: string;
  /** Largest request body in bytes; larger ones are answered 413. Default 16 MiB (`DEFAULT_MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** Deepest JSON nesting of a request body; deeper ones are answered 400. Default 100. */
  maxDepth?: number;
  /**
   * Require `Authorization: Bearer <authToken>` on every request (401 otherwise). Required when `host` is not a
   * loopback address.
   */
  authToken?: string;
  /**
   * Extra `Host` header values to accept (`name:port`), e.g. a reverse proxy's. By default only the bound address
   * (and `localhost` for a loopback bind) is accepted; others are answered 421 (DNS rebinding).
   */
  allowedHosts?: string[];
  /**
   * Browser origins (`https://app.example`) whose requests are accepted. A request carrying any other `Origin` is
   * answered 403: a web page must not be able to write to the server through the user's browser.
   */
  allowedOrigins?: string[];
  /**
   * Run one full garbage collection once the server listens (default `false`): a few tens of ms at start-up, after
   * which V8 sizes the process's heap from what is live rather than from its start-up default, so a long-running
   * server's peak RSS stays flat however many requests it serves (without it, one that had served a large agency's
   * month peaked ~170 MB higher). It sets V8's `--expose-gc` for that one call and collects the whole process's heap,
   * so it is for a process that runs the server and little else (`peer-fhir serve` turns it on); an application that
   * embeds the server leaves it off and keeps its own heap policy. Once per process: later starts do not collect.
   *
   * @example
   * ```ts
   * const server = await startFhirServer({ dataDir: './fhir-data', port: 8080, collectAfterOpen: true });
   * ```
   */
  collectAfterOpen?: boolean;
}

/**
 * A running embedded FHIR R4 server.
 * @category Embedded server
 */
export interface EmbeddedFhirServer {
  /** FHIR base URL without a trailing slash, e.g. `http://127.0.0.1:53121/fhir`. */
  readonly url: string;
  /** The TCP port it listens on. */
  readonly port: number;
  /** Direct access to the stored data, for seeding and assertions. */
  readonly repository: FhirTestRepository;
  /**
   * How many requests that may have changed data (any method but GET and HEAD, answered 2xx) the server has handled:
   * compare two readings to know whether anything was written in between, without scanning the store.
   */
  readonly writes: number;
  /** Resources found in `dataDir` at start (0 without one). */
  readonly loaded: number;
  /** How many current resources the store holds now (all types; 0 for a store kept in JavaScript maps). */
  resourceCount(): number;
  /** Delete all data; the server keeps running. */
  reset(): void;
  /** Stop listening, drop open connections, close the database and give back the data folder. */
  close(): Promise<void>;
}

/** Refuse an unsafe or contradictory configuration before anything is opened. */
function checkConfig(options: FhirServerOptions, host: string, loopback: boolean): void {
  if (!loopback && !options.authToken) {
    throw new ServerConfigError('binding a non-loopback address needs an auth token (authToken / --auth-token): anyone on the network could read and write the data', { host: isIP(host) ? host : 'name' });
  }
  if (options.dataDir !== undefined && options.repository !== undefined) {
    throw new ServerConfigError('give either repository or dataDir, not both');
  }
}

/** The store: a data folder (opened and loaded), the caller's repository, or a fresh in-memory one. */
function openStore(options: FhirServerOptions): { folder: OpenDataFolder | undefined; repository: FhirTestRepository } {
  if (options.dataDir !== undefined) {
    const folder = openDataFolder(options.dataDir);
    return { folder, repository: wrapRepository(folder.repository) };
  }
  return { folder: undefined, repository: options.repository ?? createFhirRepository({ sqlite: ':memory:' }) };
}

/** Listen on host:port; a failure to bind closes the data folder before it is reported. */
async function listen(server: Server, options: FhirServerOptions, host: string, folder: OpenDataFolder | undefined): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    folder?.close();
    throw err;
  }
  return (server.address() as AddressInfo).port;
}

/**
 * The Host names the door accepts once the port is known: the bound address, the loopback names on a loopback bind,
 * and `allowedHosts`. A wildcard bind answers under any of the machine's names; the bearer token guards it.
 */
function admitHosts(door: Door, options: FhirServerOptions, host: string, urlHost: string, port: number, loopback: boolean): void {
  door.hosts.add(`${urlHost}:${port}`.toLowerCase());
  if (loopback) for (const name of ['localhost', '127.0.0.1', '[::1]']) door.hosts.add(`${name}:${port}`);
  for (const h of options.allowedHosts ?? []) door.hosts.add(h.toLowerCase());
  door.anyHost = (host === '0.0.0.0' || host === '::') && (options.allowedHosts ?? []).length === 0;
}

/** Close once: stop accepting, drop open connections, then close the data folder. */
/**
 * Idle keep-alive sockets stay open longer than common client pools keep them (undici 4 s, Node's agent and load
 * balancers up to 60 s): a server that closes first can close a pooled socket just as a client sends on it
 * (ECONNRESET). `headersTimeout` must stay above `keepAliveTimeout` (Node's documented pairing).
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function keepSocketsAlive(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
}

function closer(server: Server, folder: OpenDataFolder | undefined): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= new Promise<void>((resolve, reject) => {
      server.close((err) => {
        // Requests still queued run against a closed database and fail: none of them was acknowledged.
        try {
          folder?.close();
        } catch (closeErr) {
          reject(closeErr);
          return;
        }
        if (err) reject(err);
        else resolve();
      });
      server.closeAllConnections();
    }));
}

/**
 * Start an in-process FHIR R4 server (Medplum `FhirRouter` over a SQLite repository behind `node:http`)
 * that speaks the FHIR RESTful API: https://hl7.org/fhir/R4/http.html
 *
 * At the door, before any FHIR processing: a body over `maxBodyBytes` is 413, nesting deeper than `maxDepth` 400, a
 * write whose `Content-Type` is not JSON 415, a `Host` that is not the bound address 421, a foreign `Origin` 403 and a
 * missing or wrong bearer token (when `authToken` is set) 401.
 *
 * Searches are paged: `_count` defaults to 100 and is capped at 1000, and the searchset Bundle has
 * `self`/`next`/`previous` links. Searches the in-memory store cannot answer correctly
 * (`_include`, chaining, compartments, unknown parameters, bare-id references) are refused with
 * 400/501 instead of returning a wrong empty result. Batch and transaction responses honour
 * `Prefer: return=minimal` (entries keep status, location, etag and lastModified, without the resource). FHIR Bulk
 * Data export (system, `Patient/$export`, `Group/{id}/$export`, with `_type` and `_since`; see docs/bulk-data.md) writes
 * its NDJSON files under `dataDir/exports` (kept in memory without a data folder) and streams them, gzip when accepted;
 * the door checks apply to its status and file URLs too. The first start in a process indexes the FHIR
 * definitions (~0.7 s); later starts take a few milliseconds. With `collectAfterOpen`, the server runs one full
 * garbage collection once it listens, so that V8 sizes the process's heap from what is live, not from its start-up
 * default: the server's peak memory then stays flat however many requests it serves.
 *
 * @param options - host, port, data folder, token, limits (all optional; default in-memory on 127.0.0.1)
 * @returns the running server: its base URL, repository and `close()`
 * @throws ServerConfigError when a non-loopback host has no auth token
 * @throws ServerLockedError when another process holds the data folder
 * @example
 * ```ts
 * const server = await startFhirServer({ validate: true });
 * const res = await fetch(`${server.url}/Patient`, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/fhir+json' },
 *   body: JSON.stringify({ resourceType: 'Patient' }),
 * });
 * // res.status === 201, res.headers.get('location') points at the new Patient
 * await server.close();
 * ```
 * @category Embedded server
 */
export async function startFhirServer(options: FhirServerOptions = {}): Promise<EmbeddedFhirServer> {
  loadFhirDefinitions();
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  checkConfig(options, host, loopback);
  const basePath = `/${(options.baseUrlPath ?? '/fhir').replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  const { folder, repository } = openStore(options);
  const door: Door = {
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    tokenDigest: options.authToken ? digest(options.authToken) : undefined,
    hosts: new Set(),
    anyHost: false,
    origins: new Set(options.allowedOrigins ?? []),
  };
  const validate = options.validate ?? false;
  const maxDepth = options.maxDepth ?? 100;
  const exportDir = folder === undefined ? undefined : exportFolder(folder.dir);
  const requiresAccessToken = options.authToken !== undefined;
  let baseUrl = '';
  let writes = 0;
  const server = createServer((req, res) => {
    void serve(req, res, door, () => ({ baseUrl, repository, validate, maxDepth, exportDir, requiresAccessToken }), () => writes++);
  });
  keepSocketsAlive(server);
  const port = await listen(server, options, host, folder);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}${basePath}`;
  admitHosts(door, options, host, urlHost, port, loopback);
  // Asked for by a process that is the server (peer-fhir serve): from here on its heap is sized from what it holds.
  if (options.collectAfterOpen === true) collectOnce();
  return {
    url: baseUrl,
    port,
    repository,
    loaded: folder?.loaded ?? 0,
    resourceCount: () => sqliteStoreOf(memoryRepositoryOf(repository))?.count() ?? 0,
    get writes() {
      return writes;
    },
    reset: () => {
      repository.reset();
      writes++;
    },
    close: closer(server, folder),
  };
}

/**
 * The folder of Bulk Data export files in a data folder. Jobs do not outlive the server, so files a previous run left
 * (PHI) are removed at start.
 */
function exportFolder(dataDir: string): string {
  const dir = join(dataDir, 'exports');
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

/** Stream a file as the body, gzip-compressed when the client accepts it: memory stays flat whatever its size. */
async function sendFile(req: IncomingMessage, res: ServerResponse, response: FhirHttpResponse, file: string): Promise<void> {
  const gzip = /\bgzip\b/i.test(req.headers['accept-encoding'] ?? '');
  res.writeHead(response.status, { ...response.headers, ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}) });
  if (gzip) await pipeline(createReadStream(file), createGzip(), res);
  else await pipeline(createReadStream(file), res);
}

/** What the door checks, per server. */
interface Door {
  maxBodyBytes: number;
  tokenDigest: Buffer | undefined;
  hosts: Set<string>;
  anyHost: boolean;
  origins: Set<string>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Media types a request body may have (https://hl7.org/fhir/R4/http.html#mime-type). */
const JSON_TYPES = new Set(['application/fhir+json', 'application/json', 'application/json-patch+json']);
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The door's refusal of a request, or undefined to let it in. Never reads the body. */
function refusal(req: IncomingMessage, door: Door): { status: number; text: string; headers?: Record<string, string> } | undefined {
  const hostHeader = (req.headers.host ?? '').toLowerCase();
  if (!door.anyHost && !door.hosts.has(hostHeader)) {
    return { status: 421, text: 'the Host header does not name this server' };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${hostHeader}` && !door.origins.has(origin)) {
    return { status: 403, text: 'requests from this Origin are not accepted (see allowedOrigins)' };
  }
  if (door.tokenDigest) {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), door.tokenDigest)) {
      return { status: 401, text: 'a valid bearer token is required', headers: { 'www-authenticate': 'Bearer' } };
    }
  }
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > door.maxBodyBytes) {
    return { status: 413, text: `the request body is larger than ${door.maxBodyBytes} bytes` };
  }
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && req.method !== 'GET' && req.method !== 'HEAD') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const search = req.method === 'POST' && /\/_search(\?|$)/.test(req.url ?? '');
    if (!JSON_TYPES.has(type) && !(search && type === FORM_TYPE)) {
      return { status: 415, text: 'a request body must be application/fhir+json or application/json' };
    }
  }
  return undefined;
}

function sendOutcome(res: ServerResponse, status: number, code: string, text: string, headers: Record<string, string> = {}): void {
  res
    .writeHead(status, { 'content-type': 'application/fhir+json; charset=utf-8', ...headers })
    .end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: text }] }));
}

const ISSUE_CODE: Record<number, string> = { 401: 'login', 403: 'forbidden', 413: 'too-costly', 415: 'not-supported', 421: 'forbidden' };

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  door: Door,
  context: () => FhirRequestContext,
  wrote: () => void,
): Promise<void> {
  try {
    const refused = refusal(req, door);
    if (refused) {
      // The body is not read: the connection closes after the answer, so a large upload stops here.
      sendOutcome(res, refused.status, ISSUE_CODE[refused.status] ?? 'forbidden', refused.text, { ...refused.headers, connection: 'close' });
      res.once('finish', () => req.destroy());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > door.maxBodyBytes) {
        sendOutcome(res, 413, 'too-costly', `the request body is larger than ${door.maxBodyBytes} bytes`, { connection: 'close' });
        res.once('finish', () => req.destroy());
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const ctx = context();
    const request: FhirHttpRequest = {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', ctx.baseUrl).toString(),
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
      ),
      body: chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined,
    };
    const response = await handleFhirRequest(request, ctx);
    if (request.method !== 'GET' && request.method !== 'HEAD' && response.status >= 200 && response.status < 300) wrote();
    if (response.file !== undefined && req.method === 'GET') await sendFile(req, res, response, response.file);
    // Bytes: given a string, `end` measures its UTF-8 length for Content-Length, then encodes it again.
    else res.writeHead(response.status, response.headers).end(req.method === 'HEAD' ? undefined : (response.bytes ?? Buffer.from(response.body, 'utf8')));
  } catch (err) {
    if (!res.headersSent) {
      sendOutcome(res, 500, 'exception', `Internal error in the embedded FHIR server (${err instanceof Error ? err.name : 'error'})`);
    } else {
      res.destroy();
    }
  }
}
