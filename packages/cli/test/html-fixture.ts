// The month the HTML report tests read: the demo (import, bill, 835, remit) with fewer participants, plus BARC-10
// scores for three of its participants, then `report html` run by the built binary with and without --include-phi.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle } from 'fhir/r4.js';
import { PeerFhirClient } from '@peer-fhir/client';
import { barc10, scoreObservationToFhir, type InstrumentDefinition } from '@peer-fhir/core';
import { runDemo, runHtmlReport, runRemit, type CommandIo, type HtmlReportFigures } from '../src/index.js';
import { startPersistentServer } from '../src/internal/embedded.js';
import { readCsv, runCli } from './support.js';

export interface HtmlReportFixture {
  dir: string;
  /** What the demo printed. */
  demoText: string;
  fhirData: string;
  config: string;
  billReport: string;
  htmlFile: string;
  html: string;
  phiHtml: string;
  figures: HtmlReportFigures;
  phiFigures: HtmlReportFigures;
  /** `remit --json` of the demo's 835 read again (stores nothing new). */
  remit: { totals: { billed: number; paid: number; adjusted: number; patientResponsibility: number }; reconciliation: { lines: { outcome: string; billed: number }[] } };
  claims: number;
  participantIds: string[];
  encounterIds: string[];
  scoredIds: string[];
}

/** Answers adding up to `total`: every item starts at the lowest value and is filled up to the highest in turn. */
function answersFor(def: InstrumentDefinition, total: number): Record<string, number> {
  const values = def.answers.map((a) => a.value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  let left = total - lo * def.items.length;
  return Object.fromEntries(def.items.map((item) => {
    const v = Math.min(hi, lo + left);
    left -= v - lo;
    return [item.linkId, v];
  }));
}

export async function htmlReportFixture(): Promise<HtmlReportFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-html-'));
  let demoText = '';
  const sink = { write: () => true } as unknown as CommandIo['stdout'];
  const capture = { write: (t: string) => ((demoText += t), true) } as unknown as CommandIo['stdout'];
  const demo = await runDemo({ out: dir, participants: 14 }, { stdout: capture, stderr: sink, json: false, env: {}, cwd: dir });
  const rows = readCsv(demo.files.csv);
  const participantIds = [...new Set(rows.map((r) => r['participant_id']!))];
  const encounterIds = [...new Set(rows.map((r) => r['encounter_id']!))];
  const [a, b, c] = participantIds as [string, string, string];
  const scores: [string, string, number][] = [[a, '2025-01-10', 20], [a, '2025-03-12', 40], [a, '2025-04-08', 55], [b, '2025-02-14', 30], [b, '2025-03-18', 30], [c, '2025-03-20', 25]];
  // Scores are the demo agency's: its identifiers are scoped to the agency NPI of the demo's config.
  const agency = (JSON.parse(readFileSync(demo.files.config, 'utf8')) as { organization: { npi: string } }).organization.npi;
  const server = await startPersistentServer({ dataDir: demo.files.fhirData });
  try {
    const entry = scores.map(([id, day, total]) => {
      const resource = scoreObservationToFhir({ id: `barc-${id}-${day}`, instrumentId: barc10.id, participantId: id, authored: `${day}T09:00:00-05:00`, answers: answersFor(barc10, total) }, { agency });
      const ident = resource.identifier?.[0];
      return { resource, request: { method: 'POST' as const, url: 'Observation', ifNoneExist: `identifier=${encodeURIComponent(ident?.system ?? '')}|${encodeURIComponent(ident?.value ?? '')}` } };
    });
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry };
    await new PeerFhirClient({ baseUrl: server.url }).transaction(bundle);
  } finally {
    await server.close();
  }
  const htmlFile = join(dir, 'march.html');
  const phiFile = join(dir, 'march-phi.html');
  const common = ['report', 'html', '--period', '2025-03', '--data', demo.files.fhirData, '--config', demo.files.config, '--bill-report', demo.files.reportJson, '--json'];
  const plain = await runCli([...common, '--out', htmlFile]);
  if (plain.code !== 0) throw new Error(`report html exited ${plain.code}: ${plain.stderr}`);
  // The PHI variant and the 835 read again run in-process (same code, no second process start).
  const quiet: CommandIo = { stdout: sink, stderr: sink, json: true, env: {}, cwd: dir };
  const phi = await runHtmlReport({ period: '2025-03', data: demo.files.fhirData, config: demo.files.config, billReport: [demo.files.reportJson], includePhi: true, out: phiFile }, quiet);
  const remit = await runRemit(demo.files.remit, { data: demo.files.fhirData }, quiet);
  return {
    dir,
    demoText,
    fhirData: demo.files.fhirData,
    config: demo.files.config,
    billReport: demo.files.reportJson,
    htmlFile,
    html: readFileSync(htmlFile, 'utf8'),
    phiHtml: readFileSync(phiFile, 'utf8'),
    figures: JSON.parse(plain.stdout) as HtmlReportFigures,
    phiFigures: phi.figures,
    remit: { totals: remit.reconciliation.totals, reconciliation: { lines: remit.reconciliation.lines.map((l) => ({ outcome: l.outcome, billed: l.billed })) } },
    claims: demo.billed.claims,
    participantIds,
    encounterIds,
    scoredIds: [a, b, c],
  };
}
