// UTF-8 <-> base64 without Buffer (browser-safe).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Bytes per String.fromCharCode call when building a binary string: well under engines' argument-count limits.
const CHUNK = 0x2000;

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * UTF-8 then base64, with the platform's `btoa` (Node >= 16 and every browser) doing the encoding: a character loop
 * building the output by `+=` made one string per output character (a note per attendee: most of the mapping's
 * garbage after the resources themselves). `btoa` takes a binary string (one char per byte): ASCII text already is
 * one, other text goes through TextEncoder first. Output is standard base64 with `=` padding, as before.
 */
export function utf8ToBase64(text: string): string {
  // One regular-expression scan for a non-ASCII character, faster than a charCodeAt loop over the note.
  return btoa(NON_ASCII.test(text) ? binaryString(new TextEncoder().encode(text)) : text);
}

function binaryString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += CHUNK) out += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return out;
}

export function base64ToUtf8(b64: string): string {
  const clean = b64.replace(/[^A-Za-z0-9+/]/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < clean.length; i += 4) {
    const n = [0, 1, 2, 3].map((j) => (i + j < clean.length ? ALPHABET.indexOf(clean[i + j]!) : -1));
    bytes.push((n[0]! << 2) | (n[1]! >> 4));
    if (n[2]! >= 0) bytes.push(((n[1]! & 15) << 4) | (n[2]! >> 2));
    if (n[3]! >= 0) bytes.push(((n[2]! & 3) << 6) | n[3]!);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
