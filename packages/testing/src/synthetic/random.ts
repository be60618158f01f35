/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32) so synthetic data is
 * reproducible without a dependency. Not for cryptography.
 * @module
 */

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over a label, so `fork('participants')` yields a stream independent of call order. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Deterministic random source: the same seed always yields the same sequence.
 *
 * @example
 * ```ts
 * const rng = new Random(42);
 * rng.int(1, 6); // same value on every run
 * rng.fork('encounters').pick(['a', 'b']);
 * ```
 * @category Synthetic data
 */
export class Random {
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    const mix = splitmix32(this.seed);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** An independent stream for one purpose, derived from this generator's seed and a label. */
  fork(label: string): Random {
    return new Random((this.seed ^ hashLabel(label)) >>> 0);
  }

  /** A float in [0, 1). */
  next(): number {
    // sfc32 (Chris Doty-Humphrey, PractRand)
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One key of a weight table, chosen in proportion to its weight. */
  weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): K {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    for (const k of keys) total += weights[k] ?? 0;
    let r = this.next() * total;
    for (const k of keys) {
      r -= weights[k] ?? 0;
      if (r < 0) return k;
    }
    return keys[keys.length - 1] as K;
  }

  /** One key of a prepared {@link Weights} table (faster than `weighted` in hot loops). */
  choose<K extends string>(table: Weights<K>): K {
    const r = this.next() * table.total;
    const cum = table.cumulative;
    for (let i = 0; i < cum.length; i++) if (r < (cum[i] as number)) return table.keys[i] as K;
    return table.keys[table.keys.length - 1] as K;
  }

  /** `k` distinct elements in random order (all of them when `k` exceeds the list). */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      const tmp = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = tmp;
    }
    return copy.slice(0, n);
  }

  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[] {
    return this.sample(items, items.length);
  }

  /** A Poisson-distributed count with the given mean (Knuth for small means, normal approximation above 30). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** A standard normal deviate (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A string of `n` random decimal digits. */
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }
}

/** Indexes of exactly `round(share * n)` items (at least one when `share > 0` and `n > 0`), so small runs still show rare cases. */
export function exactShare(rng: Random, n: number, share: number): Set<number> {
  if (share <= 0 || n <= 0) return new Set();
  const k = Math.min(n, Math.max(1, Math.round(share * n)));
  const all = Array.from({ length: n }, (_, i) => i);
  return new Set(rng.sample(all, k));
}

/**
 * A weight table prepared once for {@link Random.choose}.
 *
 * @example
 * ```ts
 * const modality = new Weights({ 'in-person': 78, video: 15, 'audio-only': 7 });
 * new Random(1).choose(modality);
 * ```
 * @category Synthetic data
 */
export class Weights<K extends string> {
  readonly keys: readonly K[];
  readonly cumulative: readonly number[];
  readonly total: number;

  constructor(weights: Readonly<Partial<Record<K, number>>>) {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    this.cumulative = keys.map((k) => (total += weights[k] ?? 0));
    this.keys = keys;
    this.total = total;
  }
}
