// A loopback TCP proxy that adds round-trip latency, to stand in for a FHIR server in the cloud: every chunk is
// forwarded `rttMs / 2` after it arrives, in each direction, so a request/response pair costs `rttMs` more than it
// would directly. Order is kept (Node fires timers of equal delay in the order they were set). Bytes are passed
// through untouched: keep-alive connections, chunked bodies and status codes are the server's own.
import { createServer, connect } from 'node:net';

/**
 * Starts the proxy; `via(serverUrl)` points it at a server (`http://127.0.0.1:PORT/fhir`) and returns the proxied
 * base URL. `host` is the proxy's `Host` header value, which the embedded server must be told to accept
 * (`allowedHosts`) because it answers a foreign Host with 421.
 * @param {{ rttMs: number }} options
 */
export async function startLatencyProxy({ rttMs }) {
  let url;
  const oneWay = rttMs / 2;
  const sockets = new Set();
  const delayed = (to) => (chunk) => {
    if (oneWay <= 0) to.write(chunk);
    else setTimeout(() => to.destroyed || to.write(chunk), oneWay);
  };
  const server = createServer((client) => {
    const upstream = connect(Number(url.port), url.hostname);
    for (const s of [client, upstream]) {
      // No Nagle delay on top of the one asked for: a short last segment is forwarded when its timer fires.
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', delayed(upstream));
    upstream.on('data', delayed(client));
    client.on('end', () => setTimeout(() => upstream.end(), oneWay));
    upstream.on('end', () => setTimeout(() => client.end(), oneWay));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    host: `127.0.0.1:${port}`,
    via(target) {
      url = new URL(target);
      return `${url.protocol}//127.0.0.1:${port}${url.pathname}`;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
