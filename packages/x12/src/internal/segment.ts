/** Minimal segment serializer: elements joined by `*`, composites by `:`, trailing empties dropped. */
import { X12InputError } from '../errors.js';

export interface Delimiters {
  readonly element: string;
  readonly component: string;
  readonly repetition: string;
  readonly segment: string;
}

export const DEFAULT_DELIMITERS: Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };

/** An element is a string, or a composite given as its components. */
export type Element = string | readonly string[];

/** Serialize one segment (without the terminator); trailing empty elements/components are dropped. */
export function serializeSegment(id: string, elements: readonly Element[], d: Delimiters = DEFAULT_DELIMITERS): string {
  // Hot path for large batches: build the string directly instead of slice/join.
  let out = id;
  let gap = '';
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    const v = typeof e === 'string' ? e : joinComposite(e, d.component);
    if (v === '') {
      gap += d.element;
      continue;
    }
    out += gap + d.element + v;
    gap = '';
  }
  return out;
}

function joinComposite(parts: readonly string[], sep: string): string {
  let last = parts.length;
  while (last > 0 && parts[last - 1] === '') last--;
  if (last === 0) return '';
  let out = parts[0]!;
  for (let i = 1; i < last; i++) out += sep + parts[i]!;
  return out;
}

/** Accumulates serialized segments and counts them (for SE01). */
export class SegmentBuffer {
  private readonly parts: string[] = [];
  count = 0;

  constructor(
    private readonly terminator: string,
    private readonly d: Delimiters = DEFAULT_DELIMITERS,
  ) {}

  add(id: string, ...elements: Element[]): void {
    // Last line of defence: every value was validated where it entered, but no path may ever put a delimiter,
    // control or non-ASCII character into an element (an injected segment), so the buffer refuses it, naming the element.
    for (let i = 0; i < elements.length; i++) {
      const e = elements[i]!;
      if (typeof e === 'string' ? !this.safe(e) : !e.every((c) => this.safe(c))) {
        throw new X12InputError([{ path: `${id}${String(i + 1).padStart(2, '0')}`, message: 'contains a delimiter, control or non-ASCII character; nothing was written' }]);
      }
    }
    this.parts.push(serializeSegment(id, elements, this.d) + this.terminator);
    this.count++;
  }

  private safe(v: string): boolean {
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c < 0x20 || c > 0x7e) return false;
    }
    const d = this.d;
    return !(v.includes(d.element) || v.includes(d.component) || v.includes(d.repetition) || v.includes(d.segment));
  }

  /** Raw, pre-serialized segment (used for ISA whose fixed widths we build ourselves). */
  addRaw(segment: string): void {
    this.parts.push(segment + this.terminator);
    this.count++;
  }

  /** Take the accumulated text and reset the buffer (the count is kept). */
  drain(): string {
    const out = this.parts.join('');
    this.parts.length = 0;
    return out;
  }
}
