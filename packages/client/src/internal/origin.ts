import type { OriginRefusal } from '../errors.js';

/** Where a URL may be fetched: the base URL's origin, or one of `allowedOrigins`. */
export type Destination = 'base' | 'allowed';

/**
 * Link-local and cloud instance-metadata hosts (AWS/Azure/GCP/OpenStack 169.254.169.254, AWS IPv6 fd00:ec2::254,
 * Alibaba 100.100.100.200, GCP metadata.google.internal): a server-supplied link must never make us call them, even
 * when a deployment lists them by mistake in `allowedOrigins`.
 */
function isMetadataHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (/^169\.254\.\d{1,3}\.\d{1,3}$/.test(host)) return true; // RFC 3927 link-local
  if (/^::ffff:a9fe:[0-9a-f]{1,4}$/.test(host)) return true; // the same, IPv4-mapped (::ffff:169.254.x.x)
  if (/^fe[89ab][0-9a-f]?:/.test(host)) return true; // RFC 4291 fe80::/10
  if (host === 'fd00:ec2::254' || host === '100.100.100.200') return true;
  return host === 'metadata.google.internal' || host === 'metadata' || host.endsWith('.metadata.google.internal');
}

/**
 * Classify `url` against the base origin and the allowed origins. The WHATWG URL parser normalises the host first
 * (`http://2852039166/` and `http://0xA9FEA9FE/` are 169.254.169.254), so spelling tricks do not get through.
 */
export function classifyUrl(url: string, baseOrigin: string, allowed: ReadonlySet<string>): Destination | OriginRefusal {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'scheme';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'scheme';
  if (parsed.origin === baseOrigin) return 'base';
  if (isMetadataHost(parsed.hostname)) return 'metadata-address';
  return allowed.has(parsed.origin) ? 'allowed' : 'cross-origin';
}

/** The origin of an `allowedOrigins` entry (`https://files.example.org/any/path` -> `https://files.example.org`). */
export function originOf(entry: string): string {
  const parsed = new URL(entry);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('allowedOrigins entries must be http(s) URLs');
  return parsed.origin;
}

/**
 * Read a response body as text, at most `limit` bytes: a declared `Content-Length` above it is refused before
 * reading, and a body that grows past it (chunked, or a lying length) is cancelled at the limit.
 */
export async function readCapped(res: Response, limit: number, tooLarge: () => Error): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let read = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    read += value.byteLength;
    if (read > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
