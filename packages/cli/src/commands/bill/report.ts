/**
 * `bill`'s report: what was billed by code and program, what was held and why, and the claims sent before — as
 * JSON, Markdown and the lines printed on the terminal.
 */
import type { PeerEncounter } from '@peer-fhir/core';
import type { BillingResult } from '@peer-fhir/billing';
import { printJson, note, say, type CommandIo } from '../../internal/io.js';
import { mdCell } from '../../internal/report-output.js';
import type { BillReport } from '../bill.js';
import type { BillCorrectionSummary } from './corrections.js';

type Totals = Record<string, { lines: number; units: number; charge: number }>;

const add = (t: Totals, k: string, units: number, charge: number) => {
  const x = (t[k] ??= { lines: 0, units: 0, charge: 0 });
  x.lines++;
  x.units += units;
  x.charge = Math.round((x.charge + charge) * 100) / 100;
};

/** Held only because it is already on a standing claim: not a problem, its own group in the report. */
export function onlyDuplicate(d: BillingResult['decisions'][number]): boolean {
  return d.holds.length > 0 && d.holds.every((h) => h.code === 'PB-DUPLICATE');
}

/** The report's figures of a result: totals by code and program, holds by code, every held item with its reasons. */
export function fillReport(report: BillReport, result: BillingResult, encounters: readonly PeerEncounter[]): BillReport {
  const program = new Map<string, PeerEncounter['program']>(encounters.map((e) => [e.id, e.program]));
  for (const l of result.lines) {
    add(report.byCode, [l.code, ...l.modifiers].join(':'), l.units, l.charge ?? 0);
    add(report.byProgram, program.get(l.encounterId) ?? 'unknown', l.units, l.charge ?? 0);
  }
  // Already billed is its own group (report.corrections.alreadyBilled), not a hold to fix.
  for (const d of result.decisions.filter((x) => !onlyDuplicate(x))) {
    for (const h of d.holds) report.holdsByCode[h.code] = (report.holdsByCode[h.code] ?? 0) + 1;
    if (d.status !== 'billed')
      report.held.push({ encounterId: d.encounterId, participantId: d.participantId, dateOfService: d.dateOfService, status: d.status, reasons: d.holds.map((h) => ({ code: h.code, reason: h.reason })) });
  }
  return report;
}

function printCorrections(io: CommandIo, c: BillCorrectionSummary): void {
  if (c.priorClaims === 0) return;
  say(io, `claims sent before: ${c.priorClaims}; already billed (not billed again) ${c.alreadyBilled}, unchanged claims ${c.unchanged}`);
  say(io, `corrections: ${c.replacements} replacement(s) (frequency 7), ${c.voids} void(s) (frequency 8), ${c.awaitingPayerClaimNumber.length} awaiting payer claim number`);
}

function correctionsMarkdown(c: BillCorrectionSummary | undefined): string[] {
  if (!c || c.priorClaims === 0) return [];
  return [
    '## Claims sent before',
    '',
    `- already billed, not billed again (PB-DUPLICATE): ${c.alreadyBilled}`,
    `- claims unchanged: ${c.unchanged}; replacements sent (frequency 7): ${c.replacements}; voids sent (frequency 8): ${c.voids}`,
    `- awaiting payer claim number: ${c.awaitingPayerClaimNumber.length}`,
    ...c.awaitingPayerClaimNumber.map((a) => `  - ${mdCell(a.claimId)}: ${a.kind} (${a.reason}), encounters ${a.encounterIds.map(mdCell).join(', ')}`),
    '',
  ];
}

const money = (n: number) => `$${n.toFixed(2)}`;

/** The Markdown report up to its held items' table header (no newline at its end). */
export function billMarkdownHead(r: BillReport): string {
  return [
    `# Billing report ${r.period} — ${r.pack.id} ${r.pack.version}`,
    '',
    `- encounters in the period: ${r.encounters}`,
    `- encounter × participant items: ${r.totals.items} (billed ${r.totals.billed}, partly billed ${r.totals.partial}, held ${r.totals.held})`,
    `- claims: ${r.claims}, service lines: ${r.lines}, units billed: ${r.totals.billedUnits}, charge: ${money(r.totals.charge)}`,
    '',
    '## Totals by code',
    '',
    '| code | lines | units | charge |',
    '|---|---:|---:|---:|',
    ...Object.entries(r.byCode).map(([k, v]) => `| ${mdCell(k)} | ${v.lines} | ${v.units} | ${money(v.charge)} |`),
    '',
    '## Totals by program',
    '',
    '| program | lines | units | charge |',
    '|---|---:|---:|---:|',
    ...Object.entries(r.byProgram).map(([k, v]) => `| ${mdCell(k)} | ${v.lines} | ${v.units} | ${money(v.charge)} |`),
    '',
    '## Held (fix and bill again)',
    '',
    '| reason | count |',
    '|---|---:|',
    ...Object.entries(r.holdsByCode).map(([k, v]) => `| ${mdCell(k)} | ${v} |`),
    '',
    '| encounter | participant | date | status | reasons |',
    '|---|---|---|---|---|',
  ].join('\n');
}

/** One held item's row of the Markdown report. */
export function heldMarkdownRow(h: BillReport['held'][number]): string {
  return `| ${mdCell(h.encounterId)} | ${mdCell(h.participantId)} | ${mdCell(h.dateOfService)} | ${mdCell(h.status)} | ${mdCell(h.reasons.map((x) => `${x.code}: ${x.reason}`).join('; '))} |`;
}

/** The Markdown report after its held items' rows: claims sent before and the files (ends with a newline). */
export function billMarkdownTail(r: BillReport): string {
  return ['', ...correctionsMarkdown(r.corrections), `Files: 837P ${mdCell(r.files.x12)}, FHIR Claims ${mdCell(r.files.claims)}.`, ''].join('\n');
}

/** The Markdown report: {@link billMarkdownHead}, a row per held item, {@link billMarkdownTail}, one per line. */
export function renderBillMarkdown(r: BillReport): string {
  return [billMarkdownHead(r), ...r.held.map(heldMarkdownRow), billMarkdownTail(r)].join('\n');
}

/** What `bill` prints: the report as JSON (`--json`), or its summary lines, and the notes about what needs a person. */
export function printBill(io: CommandIo, r: BillReport, o: { held: number; exitCode: number; targetUrl: string; agency: string }): void {
  const c = r.corrections;
  if (io.json) printJson(io, { ...r, held: o.held, exitCode: o.exitCode });
  else {
    say(io, `${r.pack.id} ${r.period}: ${r.encounters} encounters, ${r.totals.items} items`);
    say(io, `billed ${r.totals.billed}, partly billed ${r.totals.partial}, held ${r.totals.held}`);
    say(io, `${r.claims} claims, ${r.lines} lines, ${r.totals.billedUnits} units, $${r.totals.charge.toFixed(2)}`);
    for (const [k, v] of Object.entries(r.holdsByCode)) say(io, `  held ${k}: ${v}`);
    if (c) printCorrections(io, c);
    say(io, `837P:    ${r.files.x12}`);
    say(io, `claims:  ${r.files.claims} (also stored on ${o.targetUrl})`);
    say(io, `report:  ${r.files.reportMarkdown}, ${r.files.reportJson}`);
    if (o.held > 0) note(io, `${o.held} item(s) held; see the report`);
  }
  if (r.encounters === 0) note(io, `read 0 encounters of agency ${o.agency} for ${r.period} from ${o.targetUrl}: nothing to bill (wrong period, namespace or server?)`);
  const awaiting = c?.awaitingPayerClaimNumber.length ?? 0;
  if (awaiting > 0) note(io, `${awaiting} correction(s) await the payer's claim number (run remit with the 835 first)`);
}
