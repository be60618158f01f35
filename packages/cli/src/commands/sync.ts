import { PeerFhirClient, syncBulkData, type BulkSyncSummary } from '@peer-fhir/client';
import { CliUsageError, ExitCode } from '../errors.js';
import { displayUrl, note, printJson, say, type CommandIo } from '../internal/io.js';
import { checkedBaseUrl, openTarget } from '../internal/target.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runSync} (`peer-fhir sync`).
 *
 * @example
 * ```ts
 * const opts: SyncOptions = { from: 'https://ehr.example/fhir', to: 'http://127.0.0.1:8080/fhir', since: 'auto', fromAuthEnv: 'EHR_TOKEN' };
 * ```
 * @category Sync
 */
export interface SyncOptions {
  /** FHIR base URL of the server to export from (Bulk Data `$export`). */
  from: string;
  /** FHIR base URL to write to; omitted means the embedded server with data in `data`. */
  to?: string | undefined;
  /** `auto` (default: the checkpoint stored in the target), `all`, or a FHIR instant. */
  since?: string | undefined;
  /** Comma-separated resource types (`_type`). */
  types?: string | undefined;
  /** Environment variable holding the source's bearer token. */
  fromAuthEnv?: string | undefined;
  /** Environment variable holding the target's bearer token. */
  toAuthEnv?: string | undefined;
  /** Data folder of the embedded target. */
  data?: string | undefined;
  /** Resources per write batch (default 100). */
  batchSize?: string | number | undefined;
}

/**
 * Result of {@link runSync}: the sync's counts and the exit code (1 when anything ended in conflict or was rejected:
 * the checkpoint then stays, so the next run tries those again).
 * @example
 * ```ts
 * const { summary, exitCode } = await runSync({ from: 'https://ehr.example/fhir' }, io);
 * ```
 * @category Sync
 */
export interface SyncResult {
  summary: BulkSyncSummary;
  exitCode: ExitCode;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function checkedSince(since: string | undefined): string {
  const value = since ?? 'auto';
  if (value !== 'auto' && value !== 'all' && !INSTANT.test(value)) throw new CliUsageError('--since must be auto, all or a FHIR instant such as 2025-01-01T00:00:00Z');
  return value;
}

function sourceClient(opts: SyncOptions, io: CommandIo): PeerFhirClient {
  const baseUrl = checkedBaseUrl(opts.from, '--from');
  const auth = opts.fromAuthEnv === undefined ? undefined : io.env[opts.fromAuthEnv];
  if (opts.fromAuthEnv !== undefined && !auth) throw new CliUsageError(`environment variable ${opts.fromAuthEnv} (from --from-auth-env) is not set`);
  return new PeerFhirClient({ baseUrl, ...(auth ? { auth } : {}) });
}

function batchSizeOf(value: string | number | undefined): number {
  const n = Number(value ?? 100);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CliUsageError('--batch-size must be a whole number from 1 to 1000');
  return n;
}

function report(io: CommandIo, from: string, s: BulkSyncSummary): void {
  if (io.json) {
    printJson(io, s);
    return;
  }
  say(io, `sync from ${displayUrl(from)} ${s.since === undefined ? '(everything)' : `(changes since ${s.since})`}`);
  say(io, `  read ${s.read}: ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ${s.deleted} deleted, ${s.conflict} conflict, ${s.rejected} rejected`);
  for (const p of s.problems.slice(0, 20)) say(io, `  ${p.status}: ${p.resourceType} #${p.position} (${p.reason})`);
  say(io, s.checkpointSaved ? `  checkpoint: ${s.transactionTime}` : '  checkpoint not moved: the next sync tries these changes again');
}

/**
 * `peer-fhir sync --from URL [--to URL] [--since auto]`: incremental sync with FHIR Bulk Data. Exports from `--from`
 * with `_since` = the checkpoint stored in the target for that source, writes each resource (created / updated /
 * unchanged / conflict / rejected) and moves the checkpoint only after a clean run; a sync killed half way is simply
 * run again (nothing is duplicated). See docs/cli.md and docs/bulk-data.md.
 *
 * @param opts - the options of `peer-fhir sync` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns what was exported and written, the checkpoint and the exit code
 * @example
 * ```ts
 * import { runSync } from '@peer-fhir/cli';
 * import type { CommandIo } from '@peer-fhir/cli';
 * declare const io: CommandIo;
 * await runSync({ from: 'https://ehr.example/fhir', to: 'https://program.example/fhir', toAuthEnv: 'PROGRAM_TOKEN' }, io);
 * ```
 * @category Commands
 */
export async function runSync(opts: SyncOptions, io: CommandIo): Promise<SyncResult> {
  const since = checkedSince(opts.since);
  const batchSize = batchSizeOf(opts.batchSize);
  const source = sourceClient(opts, io);
  const types = opts.types?.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const target = await openTarget({ fhirUrl: opts.to, authEnv: opts.toAuthEnv, data: opts.data }, io);
  try {
    if (!io.json) note(io, `exporting from ${displayUrl(opts.from)} into ${target.url}`);
    const summary = await syncBulkData(source, target.client, { since, types, batchSize });
    report(io, opts.from, summary);
    return { summary, exitCode: summary.checkpointSaved ? ExitCode.OK : ExitCode.SOME_REJECTED };
  } finally {
    await target.close();
  }
}

/** `peer-fhir sync`: its options and help, and how it runs (docs/cli.md). */
export const syncCommand: CommandDefinition<SyncOptions> = {
  name: 'sync',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('incremental sync with FHIR Bulk Data: export changes since the checkpoint stored in the target, write them, move the checkpoint')
        .requiredOption('--from <url>', 'FHIR base URL to export from ($export)')
        .option('--to <url>', 'FHIR base URL to write to (default: the embedded server, data in --data)')
        .option('--since <auto|all|instant>', 'auto: since the last complete sync (checkpoint in the target); all: everything', 'auto')
        .option('--types <list>', 'comma-separated resource types (_type)')
        .option('--from-auth-env <var>', 'environment variable holding the source bearer token')
        .option('--to-auth-env <var>', 'environment variable holding the target bearer token')
        .option('--batch-size <n>', 'resources per write batch', '100'),
      'data', 'json',
    )
      .addHelpText('after', examples(['peer-fhir sync --from https://ehr.example/fhir --from-auth-env EHR_TOKEN', 'peer-fhir sync --from http://127.0.0.1:8081/fhir --to http://127.0.0.1:8080/fhir --since all --json'])),
  run: (o, io) => runSync(o, io),
};
