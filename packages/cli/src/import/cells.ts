import type { RawRow } from './columns.js';

/** A cell's trimmed value, or `undefined` when the column is missing or empty. */
export const cell = (r: RawRow, k: string): string | undefined => {
  const s = r[k]?.trim();
  return s === undefined || s === '' ? undefined : s;
};

/** A `;`-separated cell as a list of trimmed, non-empty parts. */
export const cells = (r: RawRow, k: string): string[] =>
  (cell(r, k) ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);

/** A yes/no cell (`true|yes|1`, `false|no|0`, empty = false); anything else adds a reason and gives `undefined`. */
export function flag(r: RawRow, k: string, reasons: string[]): boolean | undefined {
  const s = cell(r, k)?.toLowerCase();
  if (s === undefined) return false;
  if (s === 'true' || s === 'yes' || s === '1') return true;
  if (s === 'false' || s === 'no' || s === '0') return false;
  reasons.push(`${k}: must be true or false`);
  return undefined;
}

/** A number cell (`undefined` when empty); a cell that is not a plain decimal number adds a reason. */
export function numberCell(r: RawRow, k: string, reasons: string[]): number | undefined {
  const s = cell(r, k);
  if (s === undefined) return undefined;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  reasons.push(`${k}: must be a number`);
  return undefined;
}
