// Issue 19, acceptance 1: an agency without an EHR of its own, from an empty folder. `init` writes the config and one
// template per record kind; each kind imports from its template (and a second run writes nothing); the Part 2 rows are
// held for want of consent (42 CFR 2.33) until the consents are imported, then billed; the payer's 835 is read back;
// compliance sees the supervision, outcomes see the BARC-10 scores, disclosures list the claim, and the HTML report
// shows the same figures. Every step runs the built `peer-fhir` binary, except that the 835 is made by the test
// from the claims just billed (a payer's answer cannot come from the CLI).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { build835ForTest } from '@peer-fhir/x12/testing';
import { runBill, type CommandIo } from '../src/index.js';
import { IMPORT_TEMPLATES } from '../src/import/templates.js';
import { runCli } from './support.js';

const INIT = ['init', '--name', 'Harbor Peer Agency', '--npi', '1234567893', '--tax-id', '123456789', '--address', '1 Main St', '--city', 'Austin', '--state', 'TX', '--zip', '787011234', '--phone', '5125550100', '--payer-id', 'TXMCD', '--pack', 'tx-medicaid-peer-specialist-2019', '--charge', 'H0038=18.50'];

/** Data rows of a template (its lines after the header). */
const rowsOf = (kind: keyof typeof IMPORT_TEMPLATES): number => IMPORT_TEMPLATES[kind]!.trim().split('\n').length - 1;

const quiet = (cwd: string): CommandIo => {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink(), stderr: sink(), json: true, env: {}, cwd };
};

async function json(args: string[], cwd: string): Promise<{ code: number | null; out: Record<string, unknown>; stderr: string }> {
  const r = await runCli([...args, '--json'], { cwd });
  let out: Record<string, unknown> = {};
  try {
    out = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${args.join(' ')}: no JSON on stdout (exit ${r.code}): ${r.stderr}`);
  }
  return { code: r.code, out, stderr: r.stderr };
}

describe('peer-fhir from an empty folder: init, import every record kind, bill, remit, report', () => {
  it('runs the daily loop of an agency and every figure follows from the templates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-daily-'));
    const init = await runCli(INIT, { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    for (const kind of Object.keys(IMPORT_TEMPLATES)) {
      expect(readFileSync(join(dir, 'templates', `${kind}-template.csv`), 'utf8')).toBe(IMPORT_TEMPLATES[kind as keyof typeof IMPORT_TEMPLATES]);
    }

    // Everything but the consents, in one run: the kind of each file is told by its header.
    const first = ['encounters', 'plans', 'outcomes', 'supervision', 'continuing-education'] as const;
    const imported = await json(['import', ...first.map((k) => `templates/${k}-template.csv`)], dir);
    expect(imported.code, imported.stderr).toBe(0);
    const rows = first.reduce((n, k) => n + rowsOf(k), 0);
    expect(imported.out).toMatchObject({ rowsRead: rows, created: rows, rejected: 0, kinds: first.map((kind) => ({ kind })) });
    expect(imported.out['records']).toEqual({
      plans: expect.objectContaining({ created: 2 }), // three goal rows, two plans
      outcomes: expect.objectContaining({ created: rowsOf('outcomes') }),
      supervision: expect.objectContaining({ created: rowsOf('supervision') }),
      'continuing-education': expect.objectContaining({ created: rowsOf('continuing-education') }),
    });

    // Part 2 services without the patient's consent are not billed (42 CFR 2.33): every item held for it.
    const held = await runBill({ period: '2025-03', out: join(dir, 'before-consent.x12') }, quiet(dir));
    expect(held.report.holdsByCode['PB-CONSENT-PART2']).toBe(held.report.totals.items);
    expect(held.report.claims).toBe(0);

    const consents = await json(['import', 'templates/consents-template.csv'], dir);
    expect(consents.out).toMatchObject({ created: rowsOf('consents'), rejected: 0, records: { consents: { created: rowsOf('consents') } } });

    // A second run of every file writes nothing and says so.
    const all = ['encounters', 'consents', 'plans', 'outcomes', 'supervision', 'continuing-education'] as const;
    const again = await json(['import', ...all.map((k) => `templates/${k}-template.csv`)], dir);
    const total = all.reduce((n, k) => n + rowsOf(k), 0);
    expect(again.out).toMatchObject({ rowsRead: total, created: 0, updated: 0, unchanged: total, conflict: 0, rejected: 0 });

    // Now billable: the encounter template's three attendee rows (one individual session, one group of two).
    const bill = await runBill({ period: '2025-03', out: join(dir, 'claims.x12') }, quiet(dir));
    expect(bill.report.holdsByCode['PB-CONSENT-PART2']).toBeUndefined();
    expect(bill.report.totals).toMatchObject({ items: 3, billed: 3, held: 0 });
    expect(bill.report.claims).toBe(2); // one per participant and month

    writeFileSync(
      join(dir, 'era.835'),
      build835ForTest(bill.inputs, () => ({ kind: 'paid' }), {
        sender: { id: 'TXMCD' }, receiver: { id: '123456789' }, traceNumber: 'EFT202503', payer: { name: 'Texas Medicaid', tin: '999999999', id: 'TXMCD' },
        date: new Date('2025-04-20T12:00:00Z'), controlNumbers: { isa: 1, gs: 1, st: 1 },
      }),
    );
    const remit = await json(['remit', 'era.835'], dir);
    expect(remit.code, remit.stderr).toBe(0);
    expect(remit.out).toMatchObject({ claimsMatched: 2, claimsUnmatched: 0, totals: { billed: 277.5, paid: 277.5, unaccounted: 0 } });

    // Compliance sees the two supervision sessions of the template (60 + 45 minutes) and the stored continuing
    // education of March (6 h on 2025-03-12; the 2 h of February lie outside the period).
    const compliance = await json(['report', 'compliance', '--period', '2025-03'], dir);
    expect(compliance.out['read']).toMatchObject({ supervisionSessions: 2, encounters: 2, continuingEducation: 1, continuingEducationStored: 1 });
    expect(compliance.out['peers']).toEqual([expect.objectContaining({ npi: '1245319599', supervisionHours: 1.75, ceHours: 6 })]);
    const quarter = await json(['report', 'compliance', '--period', '2025-01..2025-03'], dir);
    expect(quarter.out['peers']).toEqual([expect.objectContaining({ npi: '1245319599', ceHours: 8 })]);

    // BARC-10 totals are the sums of the ten answers: 35 on 2025-03-04, 45 on 2025-03-28.
    const outcomes = await json(['report', 'outcomes', '--instrument', 'barc-10', '--period', '2025-03'], dir);
    const trend = (outcomes.out['participants'] as { participantId: string; change: number }[]).find((p) => p.participantId === 'p-001');
    expect(trend?.change).toBe(10);

    // The claim of p-001 carried Part 2 data: one disclosure to the payer, under the imported consent.
    const disclosures = await json(['report', 'disclosures', '--participant', 'p-001'], dir);
    expect(disclosures.out['disclosures']).toEqual([expect.objectContaining({ channel: 'x12-837p', purpose: 'payment', consentIds: ['c-1001'] })]);

    const html = await json(['report', 'html', '--period', '2025-03', '--bill-report', 'claims.report.json', '--out', 'march.html'], dir);
    expect(html.code, html.stderr).toBe(0);
    expect(html.out['billing']).toMatchObject({ totals: { items: 3, held: 0, claims: 2 } });
    // Both claims carried Part 2 data: two disclosures to the payer since the month began, the one of p-001 among them.
    expect(html.out['disclosures']).toMatchObject({ available: true, total: 2, part2: 2, patients: 2, byChannel: [{ code: 'x12-837p', count: 2 }] });
  }, 300_000);
});
