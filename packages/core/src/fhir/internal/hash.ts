// Deterministic 128-bit hash (cyrb128) for stable urn:uuid fullUrls: the same identifier always
// yields the same fullUrl, in any bundle, without node:crypto (core must run in a browser).

/**
 * cyrb128 state after some characters. The mixing loop is a pure left fold over the input, so the state after a
 * common prefix (`Encounter|<system>|`) can be computed once and the hash finished over each value alone: the
 * builder hashes thousands of keys that differ only in their last few characters.
 */
export type HashState = readonly [number, number, number, number];

const INITIAL: HashState = [1779033703, 3144134277, 1013904242, 2773480762];

// Scratch words of the fold: module variables instead of a returned tuple, so hashing a key allocates only the
// result string.
let A = 0, B = 0, C = 0, D = 0;

/** Continue the cyrb128 fold from `state` over `str`, leaving the state in A..D. */
function fold(state: HashState, str: string): void {
  let h1 = state[0], h2 = state[1], h3 = state[2], h4 = state[3];
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  A = h1;
  B = h2;
  C = h3;
  D = h4;
}

/** The cyrb128 state after `prefix`, to pass to {@link stableUuidAfter}. */
export function hashPrefix(prefix: string): HashState {
  fold(INITIAL, prefix);
  return [A, B, C, D];
}

/** Fold `rest` into `state` and finalise (cyrb128), leaving the four words in A..D. */
function finish(state: HashState, rest: string): void {
  fold(state, rest);
  let h1 = A, h2 = B, h3 = C, h4 = D;
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  A = h1 >>> 0;
  B = h2 >>> 0;
  C = h3 >>> 0;
  D = h4 >>> 0;
}

// Char codes of the hex digits; h() is the hex digit of bits shift..shift+3.
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const h = (n: number, shift: number): number => HEX[(n >>> shift) & 15]!;
const DASH = 45, FOUR = 52;

// The UUID text is written with one String.fromCharCode call: one flat string, where hex pairs, slices and a
// template literal made about 25 intermediate strings per key (this runs once per mapped resource). Layout, as
// before: a (8) - b[0..4] - '4' b[5..8] - variant c[1..4] - c[4..8] d (8), variant = 8 | (c >>> 28 & 3).

/** `stableUuid(prefix + rest)`, given `state = hashPrefix(prefix)`. */
export function stableUuidAfter(state: HashState, rest: string): string {
  finish(state, rest);
  const a = A, b = B, c = C, d = D;
  return String.fromCharCode(
    h(a, 28), h(a, 24), h(a, 20), h(a, 16), h(a, 12), h(a, 8), h(a, 4), h(a, 0), DASH,
    h(b, 28), h(b, 24), h(b, 20), h(b, 16), DASH, FOUR, h(b, 8), h(b, 4), h(b, 0), DASH,
    HEX[((c >>> 28) & 3) | 8]!, h(c, 24), h(c, 20), h(c, 16), DASH, h(c, 12), h(c, 8), h(c, 4), h(c, 0),
    h(d, 28), h(d, 24), h(d, 20), h(d, 16), h(d, 12), h(d, 8), h(d, 4), h(d, 0),
  );
}

// 'urn:uuid:'
const U = 117, R = 114, N = 110, COLON = 58, I = 105, DEE = 100;

/** `urn:uuid:${stableUuidAfter(state, rest)}` as one flat string (the fullUrl of a bundle entry). */
export function stableUrnAfter(state: HashState, rest: string): string {
  finish(state, rest);
  const a = A, b = B, c = C, d = D;
  return String.fromCharCode(
    U, R, N, COLON, U, U, I, DEE, COLON,
    h(a, 28), h(a, 24), h(a, 20), h(a, 16), h(a, 12), h(a, 8), h(a, 4), h(a, 0), DASH,
    h(b, 28), h(b, 24), h(b, 20), h(b, 16), DASH, FOUR, h(b, 8), h(b, 4), h(b, 0), DASH,
    HEX[((c >>> 28) & 3) | 8]!, h(c, 24), h(c, 20), h(c, 16), DASH, h(c, 12), h(c, 8), h(c, 4), h(c, 0),
    h(d, 28), h(d, 24), h(d, 20), h(d, 16), h(d, 12), h(d, 8), h(d, 4), h(d, 0),
  );
}

/** A UUID-shaped (version 4 layout) string derived from the input. */
export function stableUuid(input: string): string {
  return stableUuidAfter(INITIAL, input);
}
