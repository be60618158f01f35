// What src/internal/undici-redirect.ts relies on in Node's global fetch (undici 6.x in Node 20 and 22) and in msw's
// fetch interceptor: a request whose redirect mode is not 'error' has its body stream teed (copied) before it is sent,
// one in mode 'error' does not; a 3xx answered to a request in mode 'error' rejects the fetch with a TypeError whose
// cause says 'unexpected redirect', and nothing is requested at the Location. These tests fail when an upgrade changes
// any of it (then the transport's choice of mode, or the way it recognises the rejection, must be revisited).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { globalFetchIsUndici, isRedirectRefusal } from '../src/internal/undici-redirect.js';

let server: Server;
let base = '';
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.url ?? '');
      const status = Number(/^\/status\/(\d+)/.exec(req.url ?? '')?.[1] ?? 200);
      res.writeHead(status, status === 200 ? {} : { location: '/landing' }).end(status === 200 ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  seen.length = 0;
  vi.restoreAllMocks();
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('undici, the global fetch of Node', () => {
  it('is what the runtime says its fetch is (process.versions.undici, major 6 or 7)', () => {
    expect(globalFetchIsUndici()).toBe(true);
    expect(Number(process.versions.undici?.split('.')[0])).toBeGreaterThanOrEqual(6);
    expect(Number(process.versions.undici?.split('.')[0])).toBeLessThanOrEqual(7);
  });

  it("copies a request body (tees its stream) in redirect mode 'manual', and not in mode 'error'", async () => {
    const tee = vi.spyOn(ReadableStream.prototype, 'tee');
    await (await fetch(`${base}/status/200`, { method: 'POST', body: '{"resourceType":"Bundle"}', redirect: 'manual' })).text();
    expect(tee).toHaveBeenCalledTimes(1);
    tee.mockClear();
    await (await fetch(`${base}/status/200`, { method: 'POST', body: '{"resourceType":"Bundle"}', redirect: 'error' })).text();
    expect(tee).not.toHaveBeenCalled();
  });

  it.each([301, 302, 303, 307, 308])("rejects a %i in mode 'error' with a TypeError caused by 'unexpected redirect', and follows nothing", async (status) => {
    const thrown = await fetch(`${base}/status/${status}`, { method: 'POST', body: '{}', redirect: 'error' }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(TypeError);
    expect(((thrown as TypeError).cause as Error).message).toBe('unexpected redirect');
    expect(isRedirectRefusal(thrown)).toBe(true);
    expect(seen).toEqual([`/status/${status}`]);
  });

  it('rejects for other reasons with other causes, which are not taken for a redirect', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const thrown = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}', redirect: 'error' }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(TypeError);
    expect(isRedirectRefusal(thrown)).toBe(false);
    expect(isRedirectRefusal(new TypeError('unexpected redirect'))).toBe(false);
  });
});

describe("msw's fetch interceptor (the client's wire tests mock fetch with it)", () => {
  const msw = setupServer(http.post('https://fhir.example.test/r4', () => new HttpResponse(null, { status: 307, headers: { location: 'https://elsewhere.example.test/' } })));
  beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => msw.close());

  it("rejects a mocked 307 in mode 'error' the way undici does, and answers it in mode 'manual'", async () => {
    const thrown = await fetch('https://fhir.example.test/r4', { method: 'POST', body: '{}', redirect: 'error' }).catch((e: unknown) => e);
    expect(isRedirectRefusal(thrown)).toBe(true);
    const res = await fetch('https://fhir.example.test/r4', { method: 'POST', body: '{}', redirect: 'manual' });
    expect(res.status).toBe(307);
  });
});
