import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FormattedSegment } from '../../../test/support/x12-parser.js';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll } from 'vitest';
import { generateAgency, startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { rowsOf } from '../src/internal/synthetic-rows.js';
import type { CommandIo } from '../src/internal/io.js';

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
