// Random bytes are drawn 256 ids at a time from the platform's crypto (Node and browsers alike: the msw handlers use
// this repository too).
const idBytes = new Uint8Array(16 * 256);
let idOffset = idBytes.length;
const idChars = new Uint8Array(36);
const HEX_CHARS = new TextEncoder().encode('0123456789abcdef');
// Decoding the ASCII bytes makes one flat string in one step (spreading them into String.fromCharCode is ~10x slower).
const idDecoder = new TextDecoder();

/** Bytes 0-5 of a version 7 UUID: the Unix time in milliseconds, big-endian (RFC 9562 section 5.7). */
function writeTimestamp(bytes: Uint8Array, at: number, ms: number): void {
  let rest = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[at + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

/**
 * A new resource id or versionId: a version 7 UUID (RFC 9562 section 5.7: 48 bits of Unix time in milliseconds, then
 * 74 random bits from the platform's crypto), built as one flat string.
 *
 * Time-ordered on purpose: the SQLite store keys its tables and index rows by (type, id), and a random (version 4) id
 * put each new resource on a random page of every such index, so a batch of 100 creates dirtied hundreds of pages all
 * over a growing file and each COMMIT wrote and synced them (bench/b7-server.mjs: writes/s fell with the database's
 * size). Ids of the same millisecond still differ in 74 random bits, so an id is no easier to guess than before; the
 * time it reveals is the resource's `meta.lastUpdated`, which the server shows anyway.
 *
 * One flat string: `crypto.randomUUID()` concatenates its string from pieces, a tree of ~20 small strings per id that
 * every garbage collection then copies or marks and that is flattened again whenever the id is a map key.
 */
export function randomId(now = Date.now()): string {
  if (idOffset === idBytes.length) {
    globalThis.crypto.getRandomValues(idBytes);
    idOffset = 0;
  }
  const at = idOffset;
  idOffset += 16;
  writeTimestamp(idBytes, at, now);
  idBytes[at + 6] = ((idBytes[at + 6] ?? 0) & 0x0f) | 0x70; // version 7
  idBytes[at + 8] = ((idBytes[at + 8] ?? 0) & 0x3f) | 0x80; // RFC 9562 variant
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) idChars[o++] = 0x2d; // '-'
    const b = idBytes[at + i] ?? 0;
    idChars[o++] = HEX_CHARS[b >> 4] ?? 0;
    idChars[o++] = HEX_CHARS[b & 0x0f] ?? 0;
  }
  return idDecoder.decode(idChars);
}
