import { createHash } from 'node:crypto';
import type { HtmlReportFigures } from '../commands/report-html.js';
import { barChart, lineChart } from './charts.js';
import { escapeHtml } from './escape.js';

import { fig, format, kpi, money, section, table, tr } from './parts.js';
import { disclosuresSection } from './disclosures.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2630;margin:0;background:#f6f7f9}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 12px}
header p{margin:0;color:#55606b}
section{background:#fff;border:1px solid #dfe3e8;border-radius:6px;padding:16px 20px;margin:16px 0}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #e6e9ed;padding:4px 8px;text-align:left;vertical-align:top}
td:has(> span[data-figure]){text-align:right;font-variant-numeric:tabular-nums}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:12px}
.kpi{border:1px solid #dfe3e8;border-radius:6px;padding:8px 12px;min-width:120px}
.kpi .k{color:#55606b;font-size:12px}.kpi .v{font-size:20px;font-variant-numeric:tabular-nums}
.banner{padding:8px 12px;border-radius:6px;margin:12px 0;background:#e8f1f8}
.banner.phi{background:#fbe9e7;border:1px solid #d9534f}
.none,.na{color:#55606b}
svg{max-width:100%;height:auto;display:block;margin:8px 0}
svg .lbl{font-size:12px;fill:#33404d}svg .val{font-size:12px;fill:#1d2630}svg .grid{stroke:#e6e9ed}
`;

const countOf = (n: number): string => format(n, 'count');

/** Billed and held: from `peer-fhir bill`'s JSON reports, or how to get one when none was given. */
function billingSection(f: HtmlReportFigures): string {
  const b = f.billing;
  if (b.reports === 0) {
    return '<p class="na">No billing report given: run <code>peer-fhir bill --period ' + escapeHtml(f.period) + ' --out FILE.x12</code> and pass its <code>FILE.report.json</code> with <code>--bill-report</code>.</p>';
  }
  return [
    `<div class="kpis">${kpi('billing reports', fig('billing.reports', b.reports, 'count'))}${kpi('items', fig('billing.totals.items', b.totals.items, 'count'))}${kpi('billed', fig('billing.totals.billed', b.totals.billed, 'count'))}${kpi('partly billed', fig('billing.totals.partial', b.totals.partial, 'count'))}${kpi('held', fig('billing.totals.held', b.totals.held, 'count'))}${kpi('claims', fig('billing.totals.claims', b.totals.claims, 'count'))}${kpi('lines', fig('billing.totals.lines', b.totals.lines, 'count'))}${kpi('units', fig('billing.totals.units', b.totals.units, 'count'))}${kpi('charge', fig('billing.totals.charge', b.totals.charge, 'money'))}</div>`,
    '<h3>Held, by reason</h3>',
    barChart(b.holdsByReason.map((h) => ({ label: h.code, value: h.count })), { title: 'Held items by reason', format: countOf }),
    table(['reason', 'held'], b.holdsByReason.map((h, i) => tr([escapeHtml(h.code), fig(`billing.holdsByReason.${i}.count`, h.count, 'count')]))),
    '<h3>By pack</h3>',
    table(
      ['pack', 'version', 'items', 'billed', 'partly', 'held', 'claims', 'lines', 'units', 'charge'],
      b.byPack.map((p, i) =>
        tr([
          escapeHtml(p.pack), escapeHtml(p.version),
          ...(['items', 'billed', 'partial', 'held', 'claims', 'lines', 'units'] as const).map((k) => fig(`billing.byPack.${i}.${k}`, p[k], 'count')),
          fig(`billing.byPack.${i}.charge`, p.charge, 'money'),
        ]),
      ),
    ),
    table(
      ['pack', 'reason', 'held'],
      b.byPack.flatMap((p, i) => p.holdsByReason.map((h, j) => tr([escapeHtml(p.pack), escapeHtml(h.code), fig(`billing.byPack.${i}.holdsByReason.${j}.count`, h.count, 'count')]))),
    ),
  ].join('');
}

/** Money billed, paid, adjusted and denied from the stored ClaimResponses; whether the 835 balances. */
function moneySection(f: HtmlReportFigures): string {
  const m = f.money;
  if (m.claims === 0) return '<p class="na">No Claims of this month are stored on the server.</p>';
  return [
    `<div class="kpis">${kpi('claims', fig('money.claims', m.claims, 'count'))}${kpi('answered (835)', fig('money.claimResponses', m.claimResponses, 'count'))}${kpi('not answered yet', fig('money.claimsWithoutResponse', m.claimsWithoutResponse, 'count'))}</div>`,
    barChart(
      [
        { label: 'billed', value: m.billed },
        { label: 'paid', value: m.paid },
        { label: 'adjusted', value: m.adjusted },
        { label: 'denied (part of adjusted)', value: m.denied },
      ],
      { title: 'Money billed, paid, adjusted and denied', format: money },
    ),
    table(
      ['billed', 'paid', 'adjusted', 'denied', 'patient responsibility'],
      [tr([fig('money.billed', m.billed, 'money'), fig('money.paid', m.paid, 'money'), fig('money.adjusted', m.adjusted, 'money'), fig('money.denied', m.denied, 'money'), fig('money.patientResponsibility', m.patientResponsibility, 'money')])],
    ),
    `<p>${m.balanced ? 'Billed equals paid plus adjusted on every answered claim (835 balancing).' : '<strong>Billed does not equal paid plus adjusted: check the remittances.</strong>'}</p>`,
  ].join('');
}

/** Units, lines and charge by rendering peer specialist. */
function unitsSection(f: HtmlReportFigures): string {
  return [
    barChart(f.unitsBySpecialist.map((u) => ({ label: u.name ? `${u.name} (${u.npi})` : u.npi, value: u.units })), { title: 'Units billed by peer specialist', format: countOf }),
    table(
      ['specialist', 'NPI', 'lines', 'units', 'charge'],
      f.unitsBySpecialist.map((u, i) => tr([escapeHtml(u.name), escapeHtml(u.npi), fig(`unitsBySpecialist.${i}.lines`, u.lines, 'count'), fig(`unitsBySpecialist.${i}.units`, u.units, 'count'), fig(`unitsBySpecialist.${i}.charge`, u.charge, 'money')])),
    ),
  ].join('');
}

/** Compliance findings by kind and per peer, or why the compliance report was not available. */
function complianceSection(f: HtmlReportFigures): string {
  const c = f.compliance;
  if (!c.available) return `<p class="na">Not available: ${escapeHtml(c.reason ?? '')}</p>`;
  return [
    `<div class="kpis">${kpi('findings', fig('compliance.findings', c.findings, 'count'))}</div>`,
    barChart(c.byKind.map((k) => ({ label: k.code, value: k.count })), { title: 'Compliance findings by kind', format: countOf }),
    table(['finding', 'count'], c.byKind.map((k, i) => tr([escapeHtml(k.code), fig(`compliance.byKind.${i}.count`, k.count, 'count')]))),
    table(
      ['peer', 'NPI', 'caseload', 'encounters', 'service h', 'supervision h', 'findings'],
      c.peers.map((p, i) =>
        tr([
          escapeHtml(p.name), escapeHtml(p.npi),
          fig(`compliance.peers.${i}.caseload`, p.caseload, 'count'), fig(`compliance.peers.${i}.encounters`, p.encounters, 'count'),
          fig(`compliance.peers.${i}.serviceHours`, p.serviceHours, 'number'), fig(`compliance.peers.${i}.supervisionHours`, p.supervisionHours, 'number'),
          fig(`compliance.peers.${i}.findings`, p.findings, 'count'),
        ]),
      ),
    ),
  ].join('');
}

/** BARC-10 aggregates, the mean score by month and the figures by program. */
function outcomesSection(f: HtmlReportFigures): string {
  const o = f.outcomes;
  return [
    `<div class="kpis">${kpi('scored', fig('outcomes.scored', o.scored, 'count'))}${kpi('assessed twice+', fig('outcomes.assessed', o.assessed, 'count'))}${kpi('improved', fig('outcomes.improved', o.improved, 'count'))}${kpi('share improved', fig('outcomes.shareImproved', o.shareImproved, 'share'))}${kpi('mean change', fig('outcomes.meanChange', o.meanChange, 'number'))}</div>`,
    o.byMonth.length === 0
      ? '<p class="na">No BARC-10 scores up to the end of the month.</p>'
      : lineChart(o.byMonth.map((x) => ({ label: x.month, value: x.meanScore })), { title: 'Mean BARC-10 score by month', min: 10, max: 60, format: (n) => format(n, 'number') }),
    table(['month', 'assessments', 'mean score'], o.byMonth.map((x, i) => tr([escapeHtml(x.month), fig(`outcomes.byMonth.${i}.assessments`, x.assessments, 'count'), fig(`outcomes.byMonth.${i}.meanScore`, x.meanScore, 'number')]))),
    table(
      ['program', 'scored', 'assessed twice+', 'share improved', 'mean change'],
      o.byProgram.map((p, i) => tr([escapeHtml(p.program), fig(`outcomes.byProgram.${i}.scored`, p.scored, 'count'), fig(`outcomes.byProgram.${i}.assessed`, p.assessed, 'count'), fig(`outcomes.byProgram.${i}.shareImproved`, p.shareImproved, 'share'), fig(`outcomes.byProgram.${i}.meanChange`, p.meanChange, 'number')])),
    ),
  ].join('');
}

/** The participant-level tables (PHI): only with `--include-phi`; otherwise nothing. */
function phiSection(f: HtmlReportFigures): string {
  if (!f.phi) return '';
  return section(
    'phi',
    'Participant-level tables (PHI)',
    [
      '<h3>Held items</h3>',
      table(['encounter', 'participant', 'date', 'status', 'reasons'], f.phi.held.map((h) => tr([escapeHtml(h.encounterId), escapeHtml(h.participantId), escapeHtml(h.dateOfService), escapeHtml(h.status), escapeHtml(h.reasons.join(', '))]))),
      '<h3>BARC-10 by participant</h3>',
      table(
        ['participant', 'assessments', 'first', 'latest', 'change'],
        f.phi.trends.map((t) => tr([escapeHtml(t.participantId), escapeHtml(t.assessments), escapeHtml(t.first ?? ''), escapeHtml(t.latest ?? ''), escapeHtml(t.change)])),
      ),
    ].join(''),
  );
}

/** The page's head: a Content-Security-Policy that lets nothing load but this page's own style, and the title. */
function head(f: HtmlReportFigures): string[] {
  const styleHash = createHash('sha256').update(STYLE).digest('base64');
  // Nothing may load: no scripts, no fonts, no images, no connections; only this page's own <style> by its hash.
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src 'none'; script-src 'none'; connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    // Our own constant (no quote, angle bracket or ampersand in it), written as is so it reads as the policy.
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`peer-fhir report ${f.period}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body><main>',
  ];
}

/** The header (agency, month) and the banner saying whether the page holds PHI. */
function banner(f: HtmlReportFigures): string[] {
  const agency = f.agency ? `${escapeHtml(f.agency.name)} (NPI ${escapeHtml(f.agency.npi)})` : 'agency';
  return [
    `<header><h1>${escapeHtml(`Peer support, ${f.period}`)}</h1><p>${agency}, ${escapeHtml(f.range.start)} to ${escapeHtml(f.range.end)}</p></header>`,
    f.phi
      ? '<p class="banner phi"><strong>Contains protected health information</strong> (participant-level tables). Share only as your privacy rules allow.</p>'
      : '<p class="banner">Aggregates only: no participant-level data. Participant tables need <code>--include-phi</code>.</p>',
  ];
}

/**
 * The HTML page of {@link HtmlReportFigures}: no script, no external resource, every text escaped. The sections in
 * the order the page shows them; each is one function of the figures above.
 */
export function renderHtmlReport(f: HtmlReportFigures): string {
  return [
    ...head(f),
    ...banner(f),
    section('billing', 'Billed and held', billingSection(f)),
    section('money', 'Money: billed, paid, adjusted, denied', moneySection(f)),
    section('units', 'Units by peer specialist', unitsSection(f)),
    section('compliance', 'Compliance findings', complianceSection(f)),
    section('outcomes', `Outcomes: ${f.outcomes.instrument.toUpperCase()} over time`, outcomesSection(f)),
    section('disclosures', 'Disclosures', disclosuresSection(f.disclosures)),
    phiSection(f),
    '</main></body></html>',
    '',
  ].join('\n');
}
