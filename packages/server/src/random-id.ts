// Random bytes are drawn 256 ids at a time from the platform's crypto (Node and browsers alike: the msw handlers use
// this repository too).
const idBytes = new Uint8Array(16 * 256);
let idOffset = idBytes.length;
const idChars = new Uint8Array(36);
const HEX_CHARS = new TextEncoder().encode('0123456789abcdef');
// Decoding the ASCII bytes makes one flat string in one step (spreading them into String.fromCharCode is ~10x slower).
const idDecoder = new TextDecoder();

/**
 * A random (version 4) UUID, built as one flat string. `crypto.randomUUID()` concatenates its string from pieces:
 * as a stored id or versionId that is a tree of ~20 small strings per id, which every garbage collection then copies
 * or marks, and which is flattened again whenever the id is used as a map key. Same format, same randomness source.
 */
export function randomId(): string {
  if (idOffset === idBytes.length) {
    globalThis.crypto.getRandomValues(idBytes);
    idOffset = 0;
  }
  const at = idOffset;
  idOffset += 16;
  idBytes[at + 6] = (idBytes[at + 6]! & 0x0f) | 0x40; // version 4
  idBytes[at + 8] = (idBytes[at + 8]! & 0x3f) | 0x80; // RFC 4122 variant
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) idChars[o++] = 0x2d; // '-'
    const b = idBytes[at + i]!;
    idChars[o++] = HEX_CHARS[b >> 4]!;
    idChars[o++] = HEX_CHARS[b & 0x0f]!;
  }
  return idDecoder.decode(idChars);
}
