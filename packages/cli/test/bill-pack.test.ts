/** `peer-fhir bill --pack ./my-pack.json`: a pack file is validated, its problems named by JSON path. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { getPack } from '@peer-fhir/billing';
import { generateAgency } from '@peer-fhir/testing';
import { parseConfig } from '../src/config.js';
import { CliUsageError, runBill } from '../src/index.js';
import type { CommandIo } from '../src/internal/io.js';
import { configFor, useEmbeddedServer } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-pack-'));
const io = (): CommandIo => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink, stderr: sink, json: true, env: {}, cwd: dir };
};
const config = parseConfig(configFor(generateAgency({ seed: 5, months: 1, participants: 2, state: 'TX', start: '2025-01-01' })));
const embedded = useEmbeddedServer();

describe('bill --pack FILE', () => {
  it('refuses an invalid pack file, naming each problem by path and no value', async () => {
    const broken = { ...getPack('tx-medicaid-peer-specialist-2019'), id: 'MY PACK', rates: [{ code: 'H0038', amount: 'SECRET-RATE' }] };
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
    const err = await runBill({ pack: 'broken.json', period: '2025-01', out: join(dir, 'out.x12'), configValue: config, fhirUrl: embedded.server.url }, io()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliUsageError);
    const e = err as CliUsageError;
    expect(e.message).toBe('broken.json is not a valid rule pack');
    expect(e.problems.some((d) => d.startsWith('rates[0]'))).toBe(true);
    expect(JSON.stringify(e.problems)).not.toContain('SECRET-RATE');
  });

  it('bills with a valid custom pack file', async () => {
    const custom = { ...getPack('tx-medicaid-peer-specialist-2019'), id: 'my-tx-pack', version: '2025.1.0' };
    writeFileSync(join(dir, 'my-pack.json'), JSON.stringify(custom));
    const r = await runBill({ pack: join(dir, 'my-pack.json'), period: '2025-01', out: join(dir, 'out.x12'), configValue: config, fhirUrl: embedded.server.url }, io()).catch((e: unknown) => e);
    expect(r instanceof Error ? `${r.message} ${JSON.stringify((r as CliUsageError).problems)}` : 'ok').toBe('ok');
    expect((r as { report: { pack: { id: string } } }).report.pack.id).toBe('my-tx-pack');
  });
});
