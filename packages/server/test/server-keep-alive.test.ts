// An idle pooled socket must outlive the client pools that reuse it: the server announces (RFC 9112 §9.3 persistence,
// the `Keep-Alive: timeout=` hint Node sends) an idle timeout above the 60 s load balancers and agents commonly keep,
// so a client never sends on a socket the server is closing (ECONNRESET on a reused connection).
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '../src/index.js';

let server: EmbeddedFhirServer;
beforeAll(async () => {
  server = await startFhirServer();
});
afterAll(() => server.close());

function keepAliveHeader(url: string, agent: Agent): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.headers['keep-alive'] ?? '')));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('keep-alive on the embedded server', () => {
  it('keeps an idle connection open for more than 60 s and says so', async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      const header = await keepAliveHeader(`${server.url}/metadata`, agent);
      const timeout = Number(/timeout=(\d+)/.exec(header ?? '')?.[1]);
      expect(timeout).toBeGreaterThan(60);
    } finally {
      agent.destroy();
    }
  });

  it('still closes while an idle keep-alive connection is open', async () => {
    const other = await startFhirServer();
    const agent = new Agent({ keepAlive: true });
    await keepAliveHeader(`${other.url}/metadata`, agent);
    // close() drops idle sockets instead of waiting out their keep-alive (the test's own timeout would catch it).
    await expect(other.close()).resolves.toBeUndefined();
    agent.destroy();
  });
});
