// What each kind of request `peer-fhir bill` (or any client) sends costs the embedded server: a proxy in front of a
// running server that forwards one request at a time and reads the server's main-thread CPU time
// (/proc/<pid>/schedstat, nanoseconds) before and after each, so every request's CPU is its own (issue 18, "B9: what
// bill asks the server" in docs/benchmarks.md). Requests are grouped by kind: method, type and the names of their
// parameters (`Claim?patient=<50>`: a comma list of 50 values; a transaction by the types and methods of its entries).
//   node bench/support/request-timing.mjs <fhir-base-url of the server> <server pid> [port]
// prints `{"url": "<proxy base>"}` once listening; point the client at that URL; on SIGINT/SIGTERM (or GET /_timing)
// prints one line per kind: count, server CPU total / median / max ms, response bytes. The server's own base URL in
// a response (`next` links, fullUrls) is rewritten to the proxy's, so followed links come back through it.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';

const [target, pid, port = '0'] = process.argv.slice(2);
if (!target || !pid) throw new Error('usage: node bench/support/request-timing.mjs <fhir-base-url> <server-pid> [port]');
const upstream = new URL(target);

/** Nanoseconds the server's main thread has run so far (the first field of schedstat). */
const cpuNs = () => Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);

/** A request's kind: `GET Claim?patient=<50>&_count`, `POST transaction [Claim POST x100]`. */
function kindOf(method, path, body) {
  const url = new URL(path, upstream);
  const rest = url.pathname.slice(upstream.pathname.replace(/\/$/, '').length).replace(/^\//, '');
  const type = rest.split('/')[0] || '[base]';
  const params = [...url.searchParams].map(([name, value]) => {
    const n = value.split(',').length;
    return n > 1 ? `${name}=<${n < 10 ? n : Math.round(n / 10) * 10}>` : name;
  });
  let what = `${method} ${type}${rest.includes('/') ? '/id' : ''}${params.length ? `?${params.join('&')}` : ''}`;
  if (method === 'POST' && type === '[base]' && body) {
    try {
      const bundle = JSON.parse(body);
      const counts = new Map();
      for (const e of bundle.entry ?? []) {
        const key = `${e.request?.url?.split(/[/?]/)[0] ?? '?'} ${e.request?.method ?? '?'}${e.request?.ifNoneExist ? ' if-none-exist' : ''}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      what = `POST ${bundle.type} [${[...counts].map(([k, n]) => `${k} x${n < 10 ? n : Math.round(n / 10) * 10}`).join(', ')}]`;
    } catch {
      /* not JSON: the plain kind */
    }
  }
  return what;
}

const kinds = new Map();
let queue = Promise.resolve();
let self = '';

async function forward(req, body) {
  const t0 = cpuNs();
  const res = await fetch(new URL(req.url, upstream), {
    method: req.method,
    headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))),
    body: body.length ? body : undefined,
  });
  const text = await res.text();
  const ns = cpuNs() - t0;
  const kind = kindOf(req.method, req.url, body.toString('utf8'));
  const k = kinds.get(kind) ?? { n: 0, ms: [], bytes: 0 };
  k.n++;
  k.ms.push(ns / 1e6);
  k.bytes += text.length;
  kinds.set(kind, k);
  return { status: res.status, headers: res.headers, text: text.replaceAll(target.replace(/\/$/, ''), self) };
}

function table() {
  const rows = [...kinds].sort((a, b) => b[1].ms.reduce((s, x) => s + x, 0) - a[1].ms.reduce((s, x) => s + x, 0));
  const lines = [`# ${new Date().toISOString()} load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`, 'kind\tcount\tserver CPU total ms\tmedian ms\tmax ms\tresponse KB'];
  for (const [kind, k] of rows) {
    const sorted = [...k.ms].sort((a, b) => a - b);
    lines.push(`${kind}\t${k.n}\t${sorted.reduce((s, x) => s + x, 0).toFixed(0)}\t${sorted[Math.floor(sorted.length / 2)].toFixed(1)}\t${sorted.at(-1).toFixed(1)}\t${(k.bytes / 1024).toFixed(0)}`);
  }
  return `${lines.join('\n')}\n`;
}

const server = createServer((req, res) => {
  if (req.url === '/_timing') {
    res.end(table());
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    // One request at a time: the CPU read around a request is that request's alone.
    queue = queue.then(async () => {
      try {
        const { status, headers, text } = await forward(req, Buffer.concat(chunks));
        const type = headers.get('content-type');
        res.writeHead(status, type ? { 'content-type': type, ...(headers.get('location') ? { location: headers.get('location').replace(target.replace(/\/$/, ''), self) } : {}) } : {}).end(text);
      } catch (err) {
        res.writeHead(502).end(String(err));
      }
    });
  });
});
server.listen(Number(port), '127.0.0.1', () => {
  self = `http://127.0.0.1:${server.address().port}${upstream.pathname.replace(/\/$/, '')}`;
  console.log(JSON.stringify({ url: self }));
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    process.stdout.write(table());
    process.exit(0);
  });
}
