/**
 * The agency folder the docs' `peer-fhir` commands run in (docs-commands.test.ts), and the order they run in. Every
 * input file a documented command names is made from the docs' own templates (docs/templates), so the commands run on
 * the data the docs describe: the same agency, participants `p-001` and `p-002`, March 2025.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toFhir, type Organization } from '../../packages/core/src/index.js';

const root = resolve(import.meta.dirname, '../..');

/** `--fhir-url` of the docs' local server: `peer-fhir serve --port 8080` over the same folder. */
export const LOCAL_SERVE_URL = 'http://127.0.0.1:8080/fhir';

const template = (kind: string): string => readFileSync(join(root, 'docs/templates', `${kind}-template.csv`), 'utf8');

/** Rows `from`..`to` of a template as NDJSON objects (empty cells left out), as `import` reads NDJSON. */
function ndjsonOf(kind: string, from = 0, to = Infinity): string {
  const [header, ...lines] = template(kind).trimEnd().split('\n');
  // The encounters template quotes nothing: a comma always separates cells.
  if (template(kind).includes('"')) throw new Error(`${kind} template has quoted cells`);
  const names = header!.split(',');
  const rows = lines.slice(from, to).map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i]!, v])));
  return rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([, v]) => v !== '')))).join('\n') + '\n';
}

const AGENCY: Organization = {
  npi: '1234567893',
  name: 'Harbor Peer Agency',
  taxId: '123456789',
  taxonomy: '251S00000X',
  address: { line: ['1 Main St'], city: 'Austin', state: 'TX', postalCode: '787011234' },
};

/** A fresh folder holding every input file the documented commands name. */
export function prepareDocsFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-docs-'));
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'export.csv'), template('encounters'));
  writeFileSync(join(dir, 'export.rejects.csv'), template('encounters'));
  // Two NDJSON exports of encounters: the individual session, and the group session's two attendee rows.
  writeFileSync(join(dir, 'a.ndjson'), ndjsonOf('encounters', 0, 1));
  writeFileSync(join(dir, 'b.ndjson'), ndjsonOf('encounters', 1));
  writeFileSync(join(dir, 'ce.csv'), template('continuing-education'));
  writeFileSync(join(dir, 'nc.json'), JSON.stringify({ supervisionHoursPerMonth: 2 }));
  copyFileSync(join(root, 'packages/billing/src/packs/tx-medicaid-2019.json'), join(dir, 'my-pack.json'));
  const bundle = toFhir({ organizations: [AGENCY] }, { agency: AGENCY.npi });
  writeFileSync(join(dir, 'bundle.json'), JSON.stringify(bundle));
  writeFileSync(join(dir, 'claims.ndjson'), (bundle.entry ?? []).map((e) => JSON.stringify(e.resource)).join('\n') + '\n');
  return dir;
}

/** The step of the daily loop a command belongs to: set up, check, import, ask the payer, bill, report, back up. */
const PHASES: readonly string[] = ['init', 'packs', 'validate', 'import', 'eligibility', 'status', 'bill', 'report', 'export'];

function phaseOf(words: readonly string[]): number {
  const i = PHASES.indexOf(words[0] ?? '');
  return i < 0 ? PHASES.length : i;
}

/** Commands in the order an agency runs them (a stable sort: within a step, the docs' own order). */
export function runOrder<C extends { words: string[] }>(commands: readonly C[]): C[] {
  return commands.map((c, i) => ({ c, i })).sort((a, b) => phaseOf(a.c.words) - phaseOf(b.c.words) || a.i - b.i).map((x) => x.c);
}
