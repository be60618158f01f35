import { X12ParseError } from '../errors.js';
import type { Delimiters } from './segment.js';

/** One parsed segment: `id` plus elements (index 1 = first element); composites are split on demand. */
export interface RawSegment {
  readonly id: string;
  readonly elements: readonly string[];
  /** 1-based position in the interchange. */
  readonly index: number;
}

/** Element `n` (1-based) or `''`. */
export const el = (s: RawSegment, n: number): string => s.elements[n - 1] ?? '';

/** Read delimiters from the fixed-width ISA (element sep at 3, repetition at 82, component at 104, terminator at 105). */
export function detectDelimiters(isa: string): Delimiters {
  if (!isa.startsWith('ISA') || isa.length < 106) throw new X12ParseError('input does not start with a 106-character ISA segment', 1, 'ISA');
  return { element: isa[3]!, repetition: isa[82]!, component: isa[104]!, segment: isa[105]! };
}

/**
 * Incremental tokenizer: feed text chunks, get whole segments; keeps at most one partial segment.
 */
export class X12Tokenizer {
  private pending = '';
  private delimiters: Delimiters | undefined;
  private count = 0;

  get delims(): Delimiters | undefined {
    return this.delimiters;
  }

  push(chunk: string): RawSegment[] {
    this.pending += chunk;
    if (!this.delimiters) {
      this.pending = this.pending.replace(/^\uFEFF?\s+/, '').replace(/^\uFEFF/, '');
      if (this.pending.length < 106) return [];
      this.delimiters = detectDelimiters(this.pending);
    }
    const d = this.delimiters;
    const out: RawSegment[] = [];
    let start = 0;
    for (;;) {
      const end = this.pending.indexOf(d.segment, start);
      if (end < 0) break;
      const raw = this.pending.slice(start, end).replace(/^[\r\n\s]+/, '').replace(/[\r\n]+$/, '');
      start = end + 1;
      if (raw.length === 0) continue;
      out.push(this.toSegment(raw, d));
    }
    this.pending = this.pending.slice(start);
    return out;
  }

  end(): RawSegment[] {
    const rest = this.pending.trim();
    this.pending = '';
    if (!rest) return [];
    if (!this.delimiters) throw new X12ParseError('input does not start with a 106-character ISA segment', 1, 'ISA');
    return [this.toSegment(rest, this.delimiters)];
  }

  private toSegment(raw: string, d: Delimiters): RawSegment {
    const parts = raw.split(d.element);
    const id = (parts.shift() ?? '').trim();
    return { id, elements: parts, index: ++this.count };
  }
}

/** Split a composite element into its components. */
export function components(value: string, d: Delimiters): string[] {
  return value.split(d.component);
}
