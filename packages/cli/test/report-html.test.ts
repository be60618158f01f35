// `peer-fhir report html` through the built binary, on a month the demo billed and remitted, plus BARC-10 scores:
// each figure equals its source (bill's JSON report, the 835 reconciliation of `remit`, hand-counted scores), the page
// holds no participant-level data unless --include-phi, it can load nothing (CSP, no script, no URL), and every text is
// escaped whatever it holds. The page itself is opened in headless Chromium in report-html.browser.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runComplianceReport, runDisclosuresReport, type CommandIo, type HtmlReportFigures } from '../src/index.js';
import { escapeHtml } from '../src/html/escape.js';
import { renderHtmlReport } from '../src/html/render.js';
import { cents, runCli } from './support.js';
import { htmlReportFixture, type HtmlReportFixture } from './html-fixture.js';

let fx: HtmlReportFixture;
beforeAll(async () => {
  fx = await htmlReportFixture();
}, 180_000);

const figures = (): HtmlReportFigures => fx.figures;

describe('peer-fhir report html --json: the figures', () => {
  it('billed and held equal the JSON billing report of peer-fhir bill, by pack and by reason', () => {
    const bill = JSON.parse(readFileSync(fx.billReport, 'utf8'));
    const b = figures().billing;
    expect(b.reports).toBe(1);
    expect(b.totals).toEqual({
      items: bill.totals.items, billed: bill.totals.billed, partial: bill.totals.partial, held: bill.totals.held,
      claims: bill.claims, lines: bill.lines, units: bill.totals.billedUnits, charge: bill.totals.charge,
    });
    expect(b.byPack.map((p) => p.pack)).toEqual([bill.pack.id]);
    expect(Object.fromEntries(b.holdsByReason.map((h) => [h.code, h.count]))).toEqual(bill.holdsByCode);
    expect(b.totals.items).toBe(b.totals.billed + b.totals.partial + b.totals.held);
  });

  it('money equals the reconciliation of the 835 that remit stored, and billed = paid + adjusted (835 balancing)', () => {
    const m = figures().money;
    const remit = fx.remit;
    expect(cents(m.billed)).toBe(cents(remit.totals.billed));
    expect(cents(m.paid)).toBe(cents(remit.totals.paid));
    expect(cents(m.adjusted)).toBe(cents(remit.totals.adjusted));
    expect(cents(m.patientResponsibility)).toBe(cents(remit.totals.patientResponsibility));
    const deniedLines = remit.reconciliation.lines.filter((l: { outcome: string }) => l.outcome === 'denied');
    expect(deniedLines.length).toBeGreaterThan(0);
    expect(cents(m.denied)).toBe(deniedLines.reduce((t: number, l: { billed: number }) => t + cents(l.billed), 0));
    expect(cents(m.billed)).toBe(cents(m.paid) + cents(m.adjusted));
    expect(m.balanced).toBe(true);
    expect(m).toMatchObject({ claims: fx.claims, claimResponses: fx.claims, claimsWithoutResponse: 0 });
  });

  it('units and charge by specialist add up to what was billed', () => {
    const u = figures().unitsBySpecialist;
    const b = figures().billing.totals;
    expect(u.reduce((t, x) => t + x.units, 0)).toBe(b.units);
    expect(u.reduce((t, x) => t + x.lines, 0)).toBe(b.lines);
    expect(u.reduce((t, x) => t + cents(x.charge), 0)).toBe(cents(b.charge));
    for (const x of u) expect(x.npi).toMatch(/^\d{10}$/);
  });

  it('counts the compliance findings of report compliance for the month', async () => {
    const sink = { write: () => true } as unknown as CommandIo['stdout'];
    const { report } = await runComplianceReport({ period: '2025-03', data: fx.fhirData, config: fx.config }, { stdout: sink, stderr: sink, json: true, env: {}, cwd: fx.dir });
    const c = figures().compliance;
    expect(c.available).toBe(true);
    expect(c.findings).toBe(report.findings.length);
    expect(c.byKind.reduce((t, k) => t + k.count, 0)).toBe(report.findings.length);
    expect(c.peers.map((p) => p.npi).sort()).toEqual(report.peers.map((p) => p.npi).sort());
  }, 180_000);

  it('shows BARC-10 by month up to the end of the month and leaves later scores out', () => {
    // Scores written: A 20 (Jan) -> 40 (Mar) and 55 (Apr, after the period); B 30 (Feb) -> 30 (Mar); C 25 (Mar) once.
    expect(figures().outcomes).toMatchObject({
      instrument: 'barc-10',
      scored: 3,
      assessed: 2,
      improved: 1,
      shareImproved: 0.5,
      meanChange: 10,
      byMonth: [
        { month: '2025-01', assessments: 1, meanScore: 20 },
        { month: '2025-02', assessments: 1, meanScore: 30 },
        { month: '2025-03', assessments: 3, meanScore: 31.67 },
      ],
    });
  });

  it('counts the disclosures that report disclosures lists for each participant since the month began (42 CFR 2.24)', async () => {
    const d = figures().disclosures;
    if (!d.available) throw new Error('disclosures not available');
    const sink = { write: () => true } as unknown as CommandIo['stdout'];
    const quiet: CommandIo = { stdout: sink, stderr: sink, json: true, env: {}, cwd: fx.dir };
    const entries = [];
    for (const participant of fx.participantIds) {
      const { report } = await runDisclosuresReport({ participant, since: '2025-03-01', data: fx.fhirData, config: fx.config }, quiet);
      entries.push(...report.disclosures);
    }
    expect(entries.length).toBeGreaterThan(0); // the demo bills Part 2 claims under consent: each one is a disclosure
    expect(d).toMatchObject({ since: '2025-03-01', total: entries.length, part2: entries.filter((e) => e.part2).length, resources: entries.reduce((n, e) => n + e.resourceCount, 0) });
    expect(d.byChannel.reduce((n, c) => n + c.count, 0)).toBe(entries.length);
    expect(fx.html).toMatch(/<section id="disclosures">[\s\S]*data-figure="disclosures.total"/);
  }, 120_000);
});

describe('refusals', () => {
  it('refuses a billing report of another month, and the same pack twice, naming the file and not its contents', async () => {
    const other = await runCli(['report', 'html', '--period', '2025-04', '--data', fx.fhirData, '--bill-report', fx.billReport, '--json']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('is the billing report of another month than --period');
    const twice = await runCli(['report', 'html', '--period', '2025-03', '--data', fx.fhirData, '--bill-report', fx.billReport, fx.billReport, '--json']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('second billing report of the same pack and month');
    expect(twice.stdout).toBe('');
  }, 180_000);
});

describe('the demo that made the month', () => {
  it('lists the config it wrote and says its synthetic data is seeded with problems, so holds are expected', () => {
    expect(fx.demoText).toContain('peer-fhir.config.json');
    expect(fx.demoText).toContain('peer-fhir init');
    expect(fx.demoText).toMatch(/seeded with problems .* the holds in step 4 are the pre-bill edits at work/);
  });
});

describe('the page', () => {
  it('holds aggregates only by default: no participant or encounter id', () => {
    expect(figures().includesPhi).toBe(false);
    expect(figures().phi).toBeUndefined();
    for (const id of fx.participantIds) expect(fx.html).not.toContain(id);
    for (const id of fx.encounterIds) expect(fx.html).not.toContain(id);
    expect(fx.html).toContain('Aggregates only');
  });

  it('adds the held items and score trends per participant with --include-phi, and says it contains PHI', () => {
    const phi = fx.phiFigures.phi!;
    expect(phi.held.length).toBe(figures().billing.totals.held + figures().billing.totals.partial);
    expect(phi.trends.map((t) => t.participantId).sort()).toEqual([...fx.scoredIds].sort());
    expect(fx.phiHtml).toContain('Contains protected health information');
    for (const h of phi.held.slice(0, 5)) expect(fx.phiHtml).toContain(h.encounterId);
  });

  it('can load nothing: a Content-Security-Policy that forbids every load, no script, no URL to fetch', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(fx.html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(fx.html).not.toMatch(/<script|<link|<img|<iframe|<object|<embed|\ssrc=|\shref=|url\(|@import/i);
  });

  it('escapes every text: whatever the strings hold, the markup (tags and attributes) is the same', () => {
    // Tag structure with harmless strings vs. with arbitrary ones: the count of '<' and '>' must not change.
    const text = fc.string({ maxLength: 12 });
    fc.assert(
      fc.property(fc.record({ code: text, pack: text, name: text, npi: text, program: text, month: text, participant: text, encounter: text }), (s) => {
        // '<' '>' open and close tags, '"' ends an attribute: text that adds one of them has escaped its cell.
        const tags = (h: string) => ['<', '>', '"'].map((c) => h.split(c).length - 1);
        const page = (v: typeof s) => renderHtmlReport(withStrings(figures(), fx.phiFigures, v));
        const plain = page({ code: 'a', pack: 'a', name: 'a', npi: 'a', program: 'a', month: 'a', participant: 'a', encounter: 'a' });
        const html = page(s);
        expect(tags(html)).toEqual(tags(plain));
        for (const v of Object.values(s)) expect(html).toContain(escapeHtml(v));
      }),
      { numRuns: 60 },
    );
  });
});

/** The figures with every free text replaced: codes, pack, names, program, month, participant and encounter ids. */
function withStrings(f: HtmlReportFigures, phi: HtmlReportFigures, s: Record<'code' | 'pack' | 'name' | 'npi' | 'program' | 'month' | 'participant' | 'encounter', string>): HtmlReportFigures {
  return {
    ...f,
    agency: { name: s.name, npi: s.npi },
    billing: {
      ...f.billing,
      byPack: f.billing.byPack.map((p) => ({ ...p, pack: s.pack, version: s.code, holdsByReason: p.holdsByReason.map((h) => ({ ...h, code: s.code })) })),
      holdsByReason: f.billing.holdsByReason.map((h) => ({ ...h, code: s.code })),
    },
    unitsBySpecialist: f.unitsBySpecialist.map((u) => ({ ...u, name: s.name, npi: s.npi })),
    compliance: { ...f.compliance, byKind: f.compliance.byKind.map((k) => ({ ...k, code: s.code })), peers: f.compliance.peers.map((p) => ({ ...p, name: s.name, npi: s.npi })) },
    outcomes: { ...f.outcomes, instrument: s.code, byProgram: f.outcomes.byProgram.map((p) => ({ ...p, program: s.program })), byMonth: f.outcomes.byMonth.map((m) => ({ ...m, month: s.month })) },
    disclosures: { available: false, reason: s.code },
    phi: {
      held: phi.phi!.held.map((h) => ({ ...h, encounterId: s.encounter, participantId: s.participant, dateOfService: s.month, status: s.code, reasons: [s.code] })),
      trends: phi.phi!.trends.map((t) => ({ ...t, participantId: s.participant })),
    },
  };
}


/** Paths of every number in the figures (`money.paid`, `billing.byPack.0.charge`), the page's `data-figure` names. */
function numericLeaves(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return [path];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numericLeaves(v, path ? `${path}.${k}` : k));
  return [];
}
const at = (value: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);

const CHROMIUM = process.env['PEER_FHIR_CHROMIUM'] ?? '/usr/bin/chromium';

describe('the page in headless Chromium', () => {
  it('shows exactly the figures of --json, and no request leaves the file', async (ctx) => {
    if (!existsSync(CHROMIUM)) ctx.skip(`no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium when it runs as root (apt-get install -y chromium)`);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(fx.htmlFile).href;
      await page.goto(url, { waitUntil: 'load' });
      const shown = await page.$$eval('[data-figure]', (els) => els.map((e) => ({ path: e.getAttribute('data-figure') ?? '', value: e.getAttribute('data-value') ?? '', text: e.textContent ?? '' })));

      // Every number of the JSON is in the page, once or more, and every number in the page is the JSON's.
      const report = { billing: figures().billing, money: figures().money, unitsBySpecialist: figures().unitsBySpecialist, compliance: figures().compliance, outcomes: figures().outcomes, disclosures: figures().disclosures };
      expect(new Set(shown.map((s) => s.path))).toEqual(new Set(numericLeaves(report)));
      for (const s of shown) {
        const expected = at(report, s.path) as number;
        expect(Number(s.value), s.path).toBe(expected);
        // What a reader sees: the same number, as money, a percentage or a count.
        const seen = Number(s.text.replace(/[$,%]/g, ''));
        expect(s.text.endsWith('%') ? seen / 100 : seen, s.path).toBeCloseTo(expected, 3);
      }
      // Nothing but the file itself was requested.
      expect(requests).toEqual([url]);
      // And the policy holds: a load the page would try is refused before it leaves.
      const blocked = await page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true });
            fetch('http://127.0.0.1:9/leak').catch(() => undefined);
          }),
      );
      expect(blocked).toBe('connect-src');
    } finally {
      await browser.close();
    }
  }, 120_000);
});
