// A `node:http` server on 127.0.0.1 that records every request and answers with a replaceable handler: two of them
// are two origins (hostile-server.test.ts, redirect-modes.property.test.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface Loopback {
  origin: string;
  seen: Seen[];
  handle: Handler;
  server: Server;
}

/** Starts a loopback origin answering 404 until `handle` is set. */
export async function loopback(): Promise<Loopback> {
  const lb: Loopback = { origin: '', seen: [], handle: (_q, res) => res.writeHead(404).end(), server: createServer() };
  lb.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      lb.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      lb.handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => lb.server.listen(0, '127.0.0.1', resolve));
  lb.origin = `http://127.0.0.1:${(lb.server.address() as AddressInfo).port}`;
  return lb;
}
