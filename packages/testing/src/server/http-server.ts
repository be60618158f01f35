import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadFhirDefinitions } from './definitions.js';
import { handleFhirRequest, type FhirHttpRequest } from './handle-request.js';
import { createFhirRepository, type FhirTestRepository } from './repository.js';

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
  /** Store to serve; default a new empty one. Pass the same store to {@link createFhirHandlers} to share data. */
  repository?: FhirTestRepository;
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
  /** Delete all data; the server keeps running. */
  reset(): void;
  /** Stop listening and drop open connections. */
  close(): Promise<void>;
}

/**
 * Start an in-process FHIR R4 server (Medplum `FhirRouter` + `MemoryRepository` behind `node:http`)
 * that speaks the FHIR RESTful API: https://hl7.org/fhir/R4/http.html
 *
 * Searches are paged: `_count` defaults to 100 and is capped at 1000, and the searchset Bundle has
 * `self`/`next`/`previous` links. Searches the in-memory store cannot answer correctly
 * (`_include`, chaining, compartments, unknown parameters, bare-id references) are refused with
 * 400/501 instead of returning a wrong empty result. Batch and transaction responses honour
 * `Prefer: return=minimal` (entries keep status, location, etag and lastModified, without the resource). The first start in a process indexes the FHIR
 * definitions (~0.7 s); later starts take a few milliseconds.
 *
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
  const basePath = `/${(options.baseUrlPath ?? '/fhir').replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  const repository = options.repository ?? createFhirRepository();
  const validate = options.validate ?? false;
  let baseUrl = '';
  let writes = 0;

  const server = createServer((req, res) => {
    void serve(req, res, () => ({ baseUrl, repository, validate }), () => writes++);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}${basePath}`;

  return {
    url: baseUrl,
    port,
    repository,
    get writes() {
      return writes;
    },
    reset: () => {
      repository.reset();
      writes++;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  context: () => { baseUrl: string; repository: FhirTestRepository; validate: boolean },
  wrote: () => void,
): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
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
    res.writeHead(response.status, response.headers).end(req.method === 'HEAD' ? undefined : response.body);
  } catch (err) {
    if (!res.headersSent) {
      const diagnostics = `Internal error in the embedded FHIR server: ${err instanceof Error ? err.message : String(err)}`;
      res
        .writeHead(500, { 'content-type': 'application/fhir+json; charset=utf-8' })
        .end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics }] }));
    } else {
      res.destroy();
    }
  }
}
