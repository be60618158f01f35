/**
 * A real TCP proxy on loopback (node:net) that sits in front of an HTTP server and injects faults into a seeded
 * share of requests: connection resets (before or after the upstream saw the request), 429 with Retry-After, 503,
 * slow responses and truncated responses. Every request gets its own connections (`Connection: close`), so a fault
 * hits exactly one request.
 */
import { createHash } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { seededRandom as prng } from '../../support/prng.js';

export type ProxyFault = 'reset-before' | 'reset-after' | 'rate-limit' | 'unavailable' | 'slow' | 'truncated';
export const ALL_FAULTS: readonly ProxyFault[] = ['reset-before', 'reset-after', 'rate-limit', 'unavailable', 'slow', 'truncated'];

export interface FaultProxyOptions {
  /** Upstream `host:port`. */
  target: { host: string; port: number };
  /** Share of requests that get a fault (0..1). */
  rate: number;
  seed: number;
  kinds?: readonly ProxyFault[];
  /** Retry-After seconds of the injected 429s. */
  retryAfterSeconds?: number;
  /** Delay of `slow` responses, ms. */
  slowMs?: number;
}

export interface FaultProxy {
  readonly port: number;
  readonly requests: number;
  readonly injected: Readonly<Record<ProxyFault, number>>;
  /**
   * The longest run of consecutive failed attempts (a fault other than `slow`) at one request, told by its method,
   * path and body: a client that retries each request at most N times loses a request only when this exceeds N.
   */
  longestFaultStreak(): number;
  close(): Promise<void>;
}


/** Reads one HTTP/1.1 request (head + Content-Length or chunked body) from the start of `buf`; undefined if incomplete. */
function completeRequest(buf: Buffer): number | undefined {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buf.subarray(0, headEnd).toString('latin1');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const total = headEnd + 4 + Number(length[1]);
    return buf.length >= total ? total : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const end = buf.indexOf('\r\n0\r\n\r\n', headEnd);
    return end < 0 ? undefined : end + 7;
  }
  return headEnd + 4;
}

/**
 * Force one request per connection upstream and downstream, and name the upstream in `Host` as a reverse proxy does
 * (the embedded server answers a `Host` that is not its own with 421, against DNS rebinding).
 */
function withConnectionClose(request: Buffer, host: string): Buffer {
  const headEnd = request.indexOf('\r\n\r\n');
  const head = request
    .subarray(0, headEnd)
    .toString('latin1')
    .split('\r\n')
    .filter((l) => !/^(connection|keep-alive|host):/i.test(l));
  head.push(`Host: ${host}`, 'Connection: close');
  return Buffer.concat([Buffer.from(head.join('\r\n'), 'latin1'), request.subarray(headEnd)]);
}

/**
 * Upstream answers `Connection: close` requests close-delimited (no Content-Length, no chunking). Give the client a
 * Content-Length, as a keep-alive server would, so a truncated response is detectable on the wire.
 */
function withContentLength(response: Buffer): Buffer {
  const headEnd = response.indexOf('\r\n\r\n');
  if (headEnd < 0) return response;
  const head = response.subarray(0, headEnd).toString('latin1');
  if (/\r\n(content-length|transfer-encoding):/i.test(head)) return response;
  const body = response.subarray(headEnd + 4);
  return Buffer.concat([Buffer.from(`${head}\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]);
}

function reply(socket: Socket, status: string, headers: Record<string, string>): void {
  const body = JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: 'injected fault' }] });
  const lines = [`HTTP/1.1 ${status}`, 'Content-Type: application/fhir+json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const random = prng(options.seed);
  const kinds = options.kinds ?? ALL_FAULTS;
  const injected = Object.fromEntries(ALL_FAULTS.map((k) => [k, 0])) as Record<ProxyFault, number>;
  const sockets = new Set<Socket>();
  let requests = 0;
  /** Per request (method, path, body digest): its current and longest run of failed attempts. */
  const streaks = new Map<string, { now: number; longest: number }>();
  const attempted = (request: Buffer, fault: ProxyFault | undefined): void => {
    const line = request.subarray(0, Math.max(0, request.indexOf('\r\n'))).toString('latin1');
    const key = `${line} ${createHash('sha1').update(request.subarray(request.indexOf('\r\n\r\n'))).digest('hex')}`;
    const s = streaks.get(key) ?? { now: 0, longest: 0 };
    s.now = fault && fault !== 'slow' ? s.now + 1 : 0;
    s.longest = Math.max(s.longest, s.now);
    streaks.set(key, s);
  };

  /** Send the request upstream and collect the whole response (upstream closes after it). */
  const forward = (request: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const up = connect(options.target.port, options.target.host);
      sockets.add(up);
      const chunks: Buffer[] = [];
      up.on('data', (d: Buffer) => chunks.push(d));
      up.on('end', () => resolve(Buffer.concat(chunks)));
      up.on('error', reject);
      up.on('close', () => sockets.delete(up));
      up.write(withConnectionClose(request, `${options.target.host}:${options.target.port}`));
    });

  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let handled = false;
    client.on('data', (d: Buffer) => {
      if (handled) return;
      buf = Buffer.concat([buf, d]);
      const end = completeRequest(buf);
      if (end === undefined) return;
      handled = true;
      requests++;
      const request = buf.subarray(0, end);
      const fault = random() < options.rate ? kinds[Math.floor(random() * kinds.length)]! : undefined;
      if (fault) injected[fault]++;
      attempted(request, fault);
      void (async () => {
        try {
          if (fault === 'reset-before') return client.resetAndDestroy();
          if (fault === 'rate-limit') return reply(client, '429 Too Many Requests', { 'Retry-After': String(options.retryAfterSeconds ?? 1) });
          if (fault === 'unavailable') return reply(client, '503 Service Unavailable', {});
          if (fault === 'slow') await new Promise((r) => setTimeout(r, options.slowMs ?? 1500));
          const response = withContentLength(await forward(request));
          if (client.destroyed) return;
          // The upstream has processed the request: the client must not learn the outcome.
          if (fault === 'reset-after') return client.resetAndDestroy();
          if (fault === 'truncated') {
            client.write(response.subarray(0, Math.max(1, Math.floor(response.length / 2))));
            return client.destroy();
          }
          client.end(response);
        } catch {
          client.destroy();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() {
      return requests;
    },
    injected,
    longestFaultStreak: () => Math.max(0, ...[...streaks.values()].map((s) => s.longest)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
