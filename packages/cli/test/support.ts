import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FormattedSegment } from '../../../test/support/x12-parser.js';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll } from 'vitest';
import { generateAgency, startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { rowsOf } from '../src/internal/synthetic-rows.js';
import type { CommandIo } from '../src/internal/io.js';
import { resolveConfig, type CliConfig } from '../src/config.js';
import { importEncounterFile, type EncounterTally } from '../src/import/import-encounters.js';
import type { RejectedRow } from '../src/import/assemble.js';
import type { PeerClient } from '@peer-fhir/client';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built binary (async, so an embedded server in this process keeps answering). */
export function runCli(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A TX agency and its import rows (one per attendee), cut at an encounter boundary at `rows` rows or fewer. */
export function syntheticRows(rows: number, seed = 11): { agency: ReturnType<typeof generateAgency>; rows: Record<string, string>[] } {
  // 140 participants give ~8,800 rows over the year; larger requests get more participants (~60 rows each).
  const participants = Math.max(140, Math.ceil(rows / 55));
  const agency = generateAgency({ seed, months: 12, participants, state: 'TX', start: '2025-01-01', encountersPerParticipantPerMonth: 3.2 });
  const out: Record<string, string>[] = [];
  for (const e of agency.encounters) {
    const r = rowsOf(agency, e);
    if (out.length + r.length > rows) break;
    out.push(...r);
  }
  return { agency, rows: out };
}

export function configFor(agency: ReturnType<typeof generateAgency>) {
  return {
    organization: { ...agency.organization, address: { ...agency.organization.address, postalCode: `${agency.organization.address.postalCode.slice(0, 5)}1234` } },
    payer: { id: agency.payers[0]!.payerId, name: agency.payers[0]!.payerName },
    pack: 'tx-medicaid-peer-specialist-2019',
    charges: { H0038: 18.5 },
  };
}

export function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path), { columns: true }) as Record<string, string>[];
}

export { parseX12Independently as parseX12 } from '../../../test/support/x12-parser.js';

export const el = (s: FormattedSegment, n: number | string): string => String((s as unknown as Record<string, unknown>)[String(n)] ?? '');
export const cents = (v: string | number | undefined): number => Math.round(Number(v ?? 0) * 100);

/** A command's io that discards what it prints (`--json`), working in `cwd`. */
export function quietIo(cwd: string): CommandIo {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink, stderr: sink, json: true, env: {}, cwd };
}

/**
 * An embedded FHIR server for a test file: started before its tests, closed after them. Read `server` inside a test
 * or hook (it throws before the server has started).
 */
export function useEmbeddedServer(): { readonly server: EmbeddedFhirServer } {
  let started: EmbeddedFhirServer | undefined;
  beforeAll(async () => {
    started = await startFhirServer();
  }, 60_000);
  afterAll(async () => {
    await started?.close();
  });
  return {
    get server(): EmbeddedFhirServer {
      if (!started) throw new Error('the embedded server is not started yet (read it inside a test)');
      return started;
    },
  };
}

/** What in-process tests of the encounter import start from (see {@link useImportBench}). */
export interface ImportBench {
  server: EmbeddedFhirServer;
  /** A folder of the file's own, holding `config.json`. */
  dir: string;
  /** The TX agency's config, resolved. */
  config: CliConfig;
  /** The agency's synthetic import rows. */
  rows: Record<string, string>[];
}

/**
 * An embedded server, a folder with the config of a synthetic TX agency and `size` of its rows: started before the
 * file's tests, the server closed after them. Read `current` inside a test or hook.
 */
export function useImportBench(size: number): { readonly current: ImportBench } {
  let bench: ImportBench | undefined;
  beforeAll(async () => {
    const server = await startFhirServer();
    const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-import-'));
    const { agency, rows } = syntheticRows(size);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(configFor(agency)));
    bench = { server, dir, rows, config: await resolveConfig({ config: join(dir, 'config.json') }, dir, true) };
  }, 60_000);
  afterAll(async () => {
    await bench?.server.close();
  });
  return {
    get current(): ImportBench {
      if (!bench) throw new Error('the import bench is not set up yet (read it inside a test)');
      return bench;
    },
  };
}

/**
 * `file` (CSV) imported in-process as `peer-fhir import` writes encounters, 3 per transaction, through `peer`, in
 * batches of `batchRows` rows with `concurrency` transactions in flight: the tally and the rejected rows.
 */
export async function importEncountersThrough(peer: PeerClient, config: CliConfig, file: string, batchRows: number, concurrency: number): Promise<{ tally: EncounterTally; rejected: RejectedRow[] }> {
  const tally = emptyEncounterTally();
  const rejected: RejectedRow[] = [];
  const reject = (r: RejectedRow): Promise<void> => {
    tally.rejected++;
    rejected.push(r);
    return Promise.resolve();
  };
  const written = { participants: new Set<string>(), specialists: new Set<string>(), organization: false };
  await importEncounterFile({ file, format: 'csv', config, peer, bundleSize: 3, concurrency, update: true, written, batchRows, tally, reject, report: () => undefined });
  return { tally, rejected };
}

/** The counters of an encounter import, all at zero. */
function emptyEncounterTally(): EncounterTally {
  return {
    rowsRead: 0, created: 0, unchanged: 0, updated: 0, conflict: 0, alreadyPresent: 0, rejected: 0, valid: 0,
    encounters: { created: 0, unchanged: 0, updated: 0, conflict: 0, alreadyPresent: 0, rejected: 0 },
    conflictRows: [], updatedRows: [], participantsUpdated: 0, rosterConflicts: [],
  };
}
