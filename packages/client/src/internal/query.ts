/** Normalises every accepted search-parameter shape to an ordered `name -> values` record. */
export function toQueryRecord(params: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (key: string, value: string): void => {
    (out[key] ??= []).push(value);
  };
  if (params === undefined || params === null) return out;
  if (typeof params === 'string') {
    new URLSearchParams(params.startsWith('?') ? params.slice(1) : params).forEach((v, k) => add(k, v));
    return out;
  }
  if (params instanceof URLSearchParams) {
    params.forEach((v, k) => add(k, v));
    return out;
  }
  if (typeof params === 'object') {
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined || value === null) continue;
      for (const v of Array.isArray(value) ? value : [value]) add(key, String(v));
    }
    return out;
  }
  throw new TypeError('search parameters must be a string, URLSearchParams or an object');
}
