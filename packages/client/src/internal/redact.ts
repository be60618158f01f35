// Query values may carry identifiers (PHI-ish): logs and error messages keep only keys.
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const q = url.indexOf('?');
    return q < 0 ? url : `${url.slice(0, q)}?${redactQuery(url.slice(q + 1))}`;
  }
  const query = parsed.search.length > 1 ? `?${redactQuery(parsed.search.slice(1))}` : '';
  return `${parsed.origin}${parsed.pathname}${query}`;
}

/** Path plus query keys, without origin: what the logger receives. */
export function redactPath(url: string): string {
  try {
    const parsed = new URL(url);
    const query = parsed.search.length > 1 ? `?${redactQuery(parsed.search.slice(1))}` : '';
    return `${parsed.pathname}${query}`;
  } catch {
    return redactUrl(url);
  }
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=')[0] ?? ''}=`)
    .join('&');
}
