/**
 * fast-check helpers for bad-input tests: synthetic PHI markers and structural mutations of JSON values and of X12
 * text. A marker is a distinctive string (`PHIX` + digits + `Q`) placed where a name, id or note would be, so a test can
 * assert it never comes back in an error message.
 */
import fc from 'fast-check';

export const PHI_PREFIX = 'PHIX';
export const phiMarker = fc.integer({ min: 100_000, max: 999_999 }).map((n) => `${PHI_PREFIX}${n}Q`);

type Path = (string | number)[];

function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

export type JsonMutation =
  | { kind: 'replace'; pick: number; with: unknown }
  | { kind: 'delete'; pick: number }
  | { kind: 'extra-key'; pick: number; value: unknown };

/** Values a field may be replaced with: PHI strings (also shaped like dates, codes and ids), wrong types, empties. */
export const badValue = fc.oneof(
  phiMarker,
  phiMarker.map((m) => `1985-02-${m}`),
  phiMarker.map((m) => `urn:uuid:${m}`),
  phiMarker.map((m) => `Patient/${m}`),
  phiMarker.map((m) => [m]),
  phiMarker.map((m) => ({ value: m, system: m, reference: m })),
  fc.constantFrom(null, true, false, 0, -1, 1e21, Number.NaN, '', ' ', [], {}, [null], '2024-13-45', '2024-02-30T25:61:00Z'),
  fc.integer(),
  fc.double(),
);

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), with: badValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra-key' as const), pick: fc.nat(), value: badValue }) },
);

/** Apply mutations to a deep copy of `value`; each picks a node (by index into all nodes, modulo their number). */
export function mutateJson<T>(value: T, mutations: readonly JsonMutation[]): unknown {
  let root: unknown = structuredClone(value);
  for (const m of mutations) {
    const all = paths(root);
    const path = all[m.pick % all.length]!;
    if (path.length === 0) {
      if (m.kind === 'replace') root = m.with;
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (m.kind === 'replace') parent[last] = structuredClone(m.with);
    else if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      const target = parent[last];
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>).extraField = structuredClone(m.value);
    }
  }
  return root;
}

export type TextMutation =
  | { kind: 'element'; pick: number; marker: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate-segment'; pick: number };

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('element' as const), pick: fc.nat(), marker: phiMarker }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom('~', '*', ':', '^', '\n', 'CLP*', '~SE*1*1~', 'ISA*'), phiMarker, fc.string({ maxLength: 6 })) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate-segment' as const), pick: fc.nat() }) },
);

/** Mutate X12 text (`*` elements, `~` segments): PHI markers go into element values. */
export function mutateX12(text: string, mutations: readonly TextMutation[]): string {
  let t = text;
  for (const m of mutations) {
    if (m.kind === 'element') {
      const segs = t.split('~');
      const si = m.pick % segs.length;
      const els = segs[si]!.split('*');
      if (els.length > 1) els[1 + (m.pick % (els.length - 1))] = m.marker;
      segs[si] = els.join('*');
      t = segs.join('~');
    } else if (m.kind === 'delete') {
      const at = m.at % (t.length + 1);
      t = t.slice(0, at) + t.slice(at + m.length);
    } else if (m.kind === 'insert') {
      const at = m.at % (t.length + 1);
      t = t.slice(0, at) + m.text + t.slice(at);
    } else if (m.kind === 'truncate') {
      t = t.slice(0, m.at % (t.length + 1));
    } else {
      const segs = t.split('~');
      const si = m.pick % segs.length;
      segs.splice(si, 0, segs[si]!);
      t = segs.join('~');
    }
  }
  return t;
}

/** Every string reachable from an error: message, issues, name, cause, own enumerable fields. */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const parts = [e.name, e.message, String(e.stack ?? '').split('\n')[0]];
  try {
    parts.push(JSON.stringify(e));
  } catch {
    /* circular: message covers it */
  }
  const issues = (e as { issues?: unknown }).issues;
  if (issues) parts.push(JSON.stringify(issues));
  return parts.join('\n');
}
