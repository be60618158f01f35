// Issue 18 follow-up: a plans file that holds a plan and its six-month review (a new plan version naming the same
// goals) leaves each Goal as the latest version states it — as core's toFhir writes the history in one call
// (docs/mapping.md, "Plan versions") — whatever order the file lists the versions in.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Goal } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { parseConfig, runImport, type CommandIo } from '../src/index.js';
import { IMPORT_TEMPLATES } from '../src/import/templates.js';

const CONFIG = parseConfig({
  organization: { name: 'Harbor Peer Agency', npi: '1234567893', taxId: '123456789', taxonomy: '251S00000X', address: { line: ['1 Main St'], city: 'Austin', state: 'TX', postalCode: '787011234' } },
  payer: { id: 'TXMCD', name: 'Texas Medicaid' },
  pack: 'tx-medicaid-peer-specialist-2019',
  charges: { H0038: 18.5 },
});

const quiet = (cwd: string): CommandIo => {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink(), stderr: sink(), json: true, env: {}, cwd };
};

let server: EmbeddedFhirServer;
beforeAll(async () => {
  server = await startFhirServer();
});
afterAll(async () => {
  await server?.close();
});

describe('a plan history in a plans file', () => {
  it('leaves each Goal as the version that starts last states it, also when the file lists the review first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-plan-history-'));
    const encounters = join(dir, 'encounters.csv');
    writeFileSync(encounters, IMPORT_TEMPLATES.encounters!);
    const [header, ...rows] = IMPORT_TEMPLATES.plans!.trimEnd().split('\n');
    const original = rows.filter((r) => r.startsWith('plan-1001,'));
    // The review, six months on: the first goal is met, the second carried forward; the first plan ended.
    const review = [
      'plan-1001-r1,p-001,1245319599,active,2025-08-01,,2026-02-01,goal-1,Find a place of my own,housing,2025-07-01,completed,Loves to cook,Call my sponsor,2025-08-01T10:00:00-06:00,2025-08-01T10:05:00-06:00,,,,,true',
      'plan-1001-r1,p-001,1245319599,active,2025-08-01,,2026-02-01,goal-2,Stay in recovery one day at a time,recovery,,active,Loves to cook,Call my sponsor,2025-08-01T10:00:00-06:00,2025-08-01T10:05:00-06:00,,,,,true',
    ];
    const ended = original.map((r) => r.replace('plan-1001,p-001,1245319599,active,2025-02-01,,', 'plan-1001,p-001,1245319599,completed,2025-02-01,2025-07-31,'));
    const plans = join(dir, 'plans.csv');
    writeFileSync(plans, `${[header, ...review, ...ended].join('\n')}\n`);

    const summary = await runImport([encounters, plans], { fhirUrl: server.url, configValue: CONFIG }, quiet(dir));
    expect(summary.rejected).toBe(0);
    const goal = (await server.repository.search('Goal', 'identifier=goal-1')).map((r) => r as Goal);
    expect(goal).toHaveLength(1);
    expect(goal[0]?.lifecycleStatus).toBe('completed');
  }, 120_000);
});
