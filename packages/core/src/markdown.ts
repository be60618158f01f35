/**
 * One Markdown table cell from text that may come from a file or a server: control characters and newlines become
 * spaces (no new line, so no heading or new row), `|` `[` `]` `` ` `` and `\` are backslash-escaped (no new cell,
 * link, image or code span), `<` `>` `&` become entities (no raw HTML). `undefined`/`null` give an empty cell.
 *
 * @param value - the text or number to show in the cell.
 * @returns the escaped cell text, trimmed.
 * @example
 * ```ts
 * markdownCell('Doe | Jane\n[x](y)'); // 'Doe \\| Jane \\[x\\](y)'
 * ```
 * @category Reports
 */
export function markdownCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  return String(value)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`[\]|]/g, (c) => `\\${c}`)
    .trim();
}
