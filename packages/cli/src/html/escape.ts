/**
 * HTML escaping for text and attribute values (both contexts quote with `"`): the five characters that can end a
 * text node or an attribute, or start a tag or an entity. Every string the report renders passes through here.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => (ENTITIES[c] ?? c));
}
