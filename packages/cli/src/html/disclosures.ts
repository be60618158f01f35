import type { PeerFhirClient } from '@peer-fhir/client';
import { DisclosureAudit, readDisclosureAuditEvent, type DisclosureAccountingEntry } from '@peer-fhir/core';
import type { DateRange } from '../internal/period.js';
import { barChart } from './charts.js';
import { escapeHtml } from './escape.js';
import { fig, format, kpi, table, tr } from './parts.js';

/**
 * A count by a code (channel, purpose).
 *
 * @example
 * ```ts
 * const line = (c: Counted) => `${c.code}: ${c.count}`;
 * ```
 * @category Reports
 */
export interface Counted {
  code: string;
  count: number;
}

/**
 * Disclosures the agency made since the period's start, from the AuditEvents `disclose` and `bill` store (42 CFR
 * 2.24, 45 CFR 164.528): a month's claims are disclosed to the payer after the month, so the section counts what
 * `peer-fhir report disclosures --participant ID --since START` lists, summed over participants. Aggregates only.
 *
 * @example
 * ```ts
 * const show = (d: DisclosureFigures) => (d.available ? `${d.total} disclosures since ${d.since}` : 'not available');
 * ```
 * @category Reports
 */
export type DisclosureFigures =
  | {
      available: true;
      /** Disclosures recorded on or after `since`. */
      since: string;
      total: number;
      /** Of them, those carrying Part 2 data. */
      part2: number;
      /** Resources disclosed, summed. */
      resources: number;
      /** Distinct patients whose records were disclosed. */
      patients: number;
      byChannel: Counted[];
      byPurpose: Counted[];
    }
  | { available: false; reason: string };

const counted = (values: readonly string[]): Counted[] => {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
};

/** The agency's disclosure AuditEvents (its NPI as discloser) recorded on or after `since`, as accounting entries. */
async function disclosuresOf(client: PeerFhirClient, agencyNpi: string, since: string): Promise<DisclosureAccountingEntry[]> {
  const params = new URLSearchParams({ type: `${DisclosureAudit.type.system}|${DisclosureAudit.type.code}`, date: `ge${since}`, _count: '500' });
  const out: DisclosureAccountingEntry[] = [];
  for await (const event of client.searchAll('AuditEvent', params)) {
    const entry = readDisclosureAuditEvent(event);
    if (entry && entry.discloser.npi === agencyNpi) out.push(entry);
  }
  return out;
}

/** The disclosures figures of the HTML report; without an agency (no config) they are not available. */
export async function disclosureFigures(client: PeerFhirClient, agencyNpi: string | undefined, range: DateRange): Promise<DisclosureFigures> {
  if (agencyNpi === undefined) return { available: false, reason: 'no config names the agency whose disclosures to show' };
  const entries = await disclosuresOf(client, agencyNpi, range.start);
  return {
    available: true,
    since: range.start,
    total: entries.length,
    part2: entries.filter((e) => e.part2).length,
    resources: entries.reduce((n, e) => n + e.resourceCount, 0),
    patients: new Set(entries.flatMap((e) => e.patients)).size,
    byChannel: counted(entries.map((e) => e.channel ?? 'unknown')),
    byPurpose: counted(entries.map((e) => e.purpose ?? 'unknown')),
  };
}

/** The disclosures section's body: totals, a chart by channel, and the counts by channel and purpose. */
export function disclosuresSection(d: DisclosureFigures): string {
  if (!d.available) return `<p class="na">Not available: ${escapeHtml(d.reason)}.</p>`;
  return [
    `<p>Recorded since ${escapeHtml(d.since)}: a month's claims reach the payer after the month.</p>`,
    `<div class="kpis">${kpi('disclosures', fig('disclosures.total', d.total, 'count'))}${kpi('with Part 2 data', fig('disclosures.part2', d.part2, 'count'))}${kpi('resources', fig('disclosures.resources', d.resources, 'count'))}${kpi('patients', fig('disclosures.patients', d.patients, 'count'))}</div>`,
    barChart(d.byChannel.map((c) => ({ label: c.code, value: c.count })), { title: 'Disclosures by channel', format: (n) => format(n, 'count') }),
    table(['channel', 'disclosures'], d.byChannel.map((c, i) => tr([escapeHtml(c.code), fig(`disclosures.byChannel.${i}.count`, c.count, 'count')]))),
    table(['purpose', 'disclosures'], d.byPurpose.map((c, i) => tr([escapeHtml(c.code), fig(`disclosures.byPurpose.${i}.count`, c.count, 'count')]))),
    '<p class="none">Per participant: <code>peer-fhir report disclosures --participant ID --since START</code> (42 CFR 2.24, 45 CFR 164.528).</p>',
  ].join('');
}
