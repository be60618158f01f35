/** Building blocks of the HTML report: figures that carry their JSON path, tables, sections. */
import { escapeHtml } from './escape.js';

/** How a figure is formatted. */
export type Kind = 'count' | 'money' | 'share' | 'number';

export const money = (n: number): string => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const format = (n: number, kind: Kind): string =>
  kind === 'money' ? money(n) : kind === 'share' ? `${Math.round(n * 1000) / 10}%` : kind === 'count' ? n.toLocaleString('en-US') : String(Math.round(n * 100) / 100);

/**
 * A figure: its formatted text, with the path of the value in the JSON figures and the raw value, so a reader (the
 * browser test) can check that the page says exactly what `--json` says.
 */
export const fig = (path: string, value: number, kind: Kind): string =>
  `<span data-figure="${escapeHtml(path)}" data-value="${escapeHtml(String(value))}">${escapeHtml(format(value, kind))}</span>`;

const th = (cells: readonly string[]): string => `<tr>${cells.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
/** Cells are given already rendered: text through `escapeHtml`, numbers through `fig`. */
export const tr = (cells: readonly string[]): string => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
export const table = (head: readonly string[], rows: readonly string[]): string =>
  rows.length === 0 ? '<p class="none">None.</p>' : `<table><thead>${th(head)}</thead><tbody>${rows.join('')}</tbody></table>`;
export const section = (id: string, title: string, body: string): string => `<section id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
export const kpi = (label: string, value: string): string => `<div class="kpi"><div class="k">${escapeHtml(label)}</div><div class="v">${value}</div></div>`;

