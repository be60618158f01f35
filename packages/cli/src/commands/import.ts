import { createReadStream } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { PeerClient } from '@peer-fhir/client';
import { configFilesOf, resolveConfig, scopeOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import type { RejectedRow } from '../import/assemble.js';
import { importEncounterFile, type WrittenRoster } from '../import/import-encounters.js';
import { formatOf, RejectsWriter, type ImportFormat } from '../import/read-rows.js';
import { importRecordFile, type RecordCounts } from '../import/import-records.js';
import { detectKind, recordKindOf } from '../import/kinds.js';
import type { ImportKindName } from '../import/record-kind.js';
import { assertNotAnInput, note, printJson, say, startProgress, type CommandIo } from '../internal/io.js';
import { openTarget, type FhirTarget, type FhirTargetOptions } from '../internal/target.js';
import { type CommandDefinition, examples, int, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runImport} (`peer-fhir import`).
 *
 * @example
 * ```ts
 * const opts: ImportOptions = { config: 'peer-fhir.config.json', fhirUrl: 'http://localhost:8080/fhir', bundleSize: 100 };
 * ```
 * @category Import
 */
export interface ImportOptions extends FhirTargetOptions {
  /** `csv` or `ndjson`; default from each file's extension. */
  format?: string | undefined;
  /** Config file; default `peer-fhir.config.json`. */
  config?: string | undefined;
  /** The config itself (instead of a file), for programs that embed the CLI. */
  configValue?: CliConfig | undefined;
  /** Rejects file; default `<input>.rejects.<ext>` next to each input. */
  rejects?: string | undefined;
  /** Encounters per transaction bundle (default 100; `PeerClient.recordEncounters`' `bundleSize`). */
  bundleSize?: number | undefined;
  /** Transactions in flight (default 4). */
  concurrency?: number | undefined;
  /** Interval of the plain progress lines when stderr is not a TTY, in ms (default 1000). */
  progressIntervalMs?: number | undefined;
  /** Record kind of every file (`encounters`, `consents`, `plans`, `outcomes`, `supervision`, `continuing-education`, `service-orders`, `prior-authorizations`); default from each file's header. */
  kind?: string | undefined;
  /**
   * Check only: every row goes through the same reading, grouping and validation as an import, but nothing is written
   * (no server is opened, no rejects file is written); valid rows are counted `valid`. `peer-fhir validate` runs this.
   */
  dryRun?: boolean | undefined;
  /**
   * Rows whose encounter (or participant) is stored with other content are corrections: amend the stored records
   * (default true). `false` (`--no-update`) reports them as conflicts and writes nothing over them (exit 1).
   */
  update?: boolean | undefined;
}

/**
 * What an import did, in rows (an individual encounter is one row, a group encounter one row per attendee).
 *
 * @example
 * ```ts
 * const s: ImportSummary = await runImport(['encounters.csv'], {});
 * console.log(s.rowsRead, s.created, s.alreadyPresent, s.rejected);
 * ```
 * @category Import
 */
export interface ImportSummary {
  rowsRead: number;
  /** Rows whose encounter was written now. */
  created: number;
  /** Rows whose encounter was on the server already, exactly as it would be written (nothing written). */
  unchanged: number;
  /**
   * Rows whose stored encounter had other content (times, status incl. entered-in-error, diagnoses) and was amended:
   * a new version with a Provenance; the server's `_history` keeps the old one.
   */
  updated: number;
  /**
   * Rows whose encounter (or one of its resources) is stored under the same identifier with other content: nothing
   * was written over it; `conflictRows` names the differing paths. Exit code 1.
   */
  conflict: number;
  /** @deprecated `unchanged + conflict`; read those. */
  alreadyPresent: number;
  rejected: number;
  /** Rows that passed every check in a dry run (nothing written). */
  valid: number;
  /** Per file, the record kind it was read as. */
  kinds: { file: string; kind: ImportKindName }[];
  /** Record counts of the kinds other than encounters (a plan of three goal rows is one record). */
  records: Partial<Record<ImportKindName, RecordCounts>>;
  encounters: { created: number; unchanged: number; updated: number; conflict: number; alreadyPresent: number; rejected: number };
  /** Rows updated: row number and file. */
  updatedRows: { file: string; row: number }[];
  /** Participants whose stored demographics or coverage were corrected from the rows. */
  participantsUpdated: number;
  /** Rows in conflict: row number, file, and per resource the differing element paths (never values). */
  conflictRows: { file: string; row: number; conflicts: string[] }[];
  /** Participants, specialists or the agency stored with other content than the rows give (type, `Type/id`, paths). */
  rosterConflicts: string[];
  /** Rejects files written (one per input unless `--rejects` names one). */
  rejectsFiles: string[];
  /** Rejected rows: row number (1 = first data row), file and reasons (column names and rules, never values). */
  rejectedRows: { file: string; row: number; reasons: string[] }[];
  fhirUrl: string;
  /** The embedded server's data folder when the import wrote there (its URL is gone once the command ends). */
  embeddedData?: string | undefined;
  seconds: number;
  exitCode: ExitCode;
}

async function countRows(file: string, format: ImportFormat): Promise<number> {
  let lines = 0;
  let lastByte = 10;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    lastByte = chunk[chunk.length - 1] ?? lastByte;
  }
  if (lastByte !== 10) lines++;
  return Math.max(0, format === 'csv' ? lines - 1 : lines);
}

function defaultRejectsPath(file: string, format: ImportFormat): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.rejects${ext || (format === 'csv' ? '.csv' : '.ndjson')}`);
}

/** One input file: its name, format and record kind. */
interface ImportInput {
  file: string;
  format: ImportFormat;
  kind: ImportKindName;
}

/** What every file of one import shares: the options, config, the open client, the summary being filled. */
interface ImportRun {
  opts: ImportOptions;
  io: CommandIo;
  config: CliConfig;
  scope: ReturnType<typeof scopeOf>;
  peer: PeerClient | undefined;
  bundleSize: number;
  concurrency: number;
  summary: ImportSummary;
  /** Roster records written by earlier batches (participants, specialists, the agency): not sent again. */
  written: WrittenRoster;
  /** The one rejects file `--rejects` names, shared by every input; `undefined` when each input gets its own. */
  shared: RejectsWriter | undefined;
}

/** Usage checks that need no file read: something to import, positive bundle size and concurrency. */
function checkedSizes(files: readonly string[], opts: ImportOptions): { bundleSize: number; concurrency: number } {
  if (files.length === 0) throw new CliUsageError('name at least one file to import');
  const bundleSize = opts.bundleSize ?? 100;
  const concurrency = opts.concurrency ?? 4;
  if (!Number.isInteger(bundleSize) || bundleSize < 1) throw new CliUsageError('--bundle-size must be a positive integer');
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new CliUsageError('--concurrency must be a positive integer');
  return { bundleSize, concurrency };
}

/** Each file's format; `--rejects` takes inputs of one format, and no rejects file may overwrite an input. */
function checkedFormats(files: readonly string[], opts: ImportOptions, cwd: string): { file: string; format: ImportFormat }[] {
  const inputs = files.map((file) => ({ file, format: formatOf(file, opts.format) }));
  if (opts.rejects && new Set(inputs.map((x) => x.format)).size > 1) throw new CliUsageError('--rejects needs all inputs in one format');
  // A rejects file over an input would truncate the export being read.
  assertNotAnInput(
    inputs.map((x) => ['--rejects', opts.rejects ?? defaultRejectsPath(x.file, x.format)] as const),
    [...files, ...configFilesOf(opts, cwd)],
  );
  return inputs;
}

/** Each file's record kind (`--kind`, else its header); `--rejects` takes inputs of one kind (one column set). */
async function checkedKinds(inputs: readonly { file: string; format: ImportFormat }[], opts: ImportOptions): Promise<ImportInput[]> {
  const typed = await Promise.all(inputs.map(async (x) => ({ ...x, kind: await detectKind(x.file, x.format, opts.kind) })));
  if (opts.rejects && new Set(typed.map((x) => x.kind)).size > 1) throw new CliUsageError('--rejects needs all inputs of one record kind');
  return typed;
}

/** A summary with every count at zero, naming each file's kind and where the rows go. */
function emptySummary(inputs: readonly ImportInput[], target: FhirTarget | undefined): ImportSummary {
  return {
    rowsRead: 0, created: 0, unchanged: 0, updated: 0, conflict: 0, alreadyPresent: 0, rejected: 0, valid: 0,
    kinds: inputs.map(({ file, kind }) => ({ file, kind })),
    records: {},
    encounters: { created: 0, unchanged: 0, updated: 0, conflict: 0, alreadyPresent: 0, rejected: 0 },
    updatedRows: [],
    participantsUpdated: 0,
    conflictRows: [],
    rosterConflicts: [],
    rejectsFiles: [],
    rejectedRows: [],
    fhirUrl: target?.url ?? '',
    ...(target?.embedded ? { embeddedData: target.embedded.dataDir ?? 'memory' } : {}),
    seconds: 0,
    exitCode: ExitCode.OK,
  };
}

/**
 * Import one file with its kind's reader and writer: encounters (import-encounters.ts) or another record kind
 * (import-records.ts). A rejected row is counted, named in the summary and written to the rejects file (none in a
 * dry run); progress lines count the rows settled so far.
 */
async function importFile(run: ImportRun, input: ImportInput): Promise<void> {
  const { opts, summary, shared } = run;
  const { file, format } = input;
  const recordKind = recordKindOf(input.kind);
  const rejects = opts.dryRun ? undefined : (shared ?? new RejectsWriter(defaultRejectsPath(file, format), format, recordKind?.kind.columns));
  const total = await countRows(file, format);
  const progress = startProgress(run.io, `${opts.dryRun ? 'validate' : 'import'} ${basename(file)}`, total, opts.progressIntervalMs);
  const reject = async (r: RejectedRow): Promise<void> => {
    summary.rejected++;
    summary.rejectedRows.push({ file, row: r.row, reasons: r.reasons });
    await rejects?.write(r.values, r.reasons);
  };
  const report = () => progress.update(summary.rowsRead, progressCounts(summary));
  if (recordKind) {
    const counts = (summary.records[recordKind.kind.name] ??= { created: 0, updated: 0, unchanged: 0, conflict: 0, rejected: 0, valid: 0 });
    const target = run.peer ? { peer: run.peer, scope: run.scope } : undefined;
    await importRecordFile(recordKind, { file, format, config: run.config, target, tally: summary, counts, reject, report });
  } else {
    const { config, peer, bundleSize, concurrency, written } = run;
    await importEncounterFile({ file, format, config, peer, bundleSize, concurrency, update: opts.update !== false, written, tally: summary, reject, report });
  }
  await finishFile(progress, summary, rejects, shared, report);
}

/**
 * Import EHR export files (CSV or NDJSON rows, docs/import-format.md) into a FHIR server: stream rows, validate each,
 * assemble group sessions, write in transaction bundles of conditional creates (running it again writes nothing),
 * and write rejected rows with a `reject_reasons` column to a file that can be fixed and imported again.
 *
 * @param files - CSV or NDJSON files, one record kind each (docs/import-format.md)
 * @param opts - the options of `peer-fhir import` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the counts (read, created, updated, unchanged, conflict, rejected), the rows at fault and the exit code
 * @example
 * ```ts
 * import { runImport } from '@peer-fhir/cli';
 * const summary = await runImport(['export.csv'], { fhirUrl: 'http://localhost:8080/fhir', config: 'peer-fhir.config.json' });
 * process.exitCode = summary.exitCode; // 1 when some rows were rejected
 * ```
 * @category Commands
 */
export async function runImport(files: readonly string[], opts: ImportOptions, io: CommandIo): Promise<ImportSummary> {
  // 1. Usage: everything that can be refused is refused before a row is read or a server opened.
  const { bundleSize, concurrency } = checkedSizes(files, opts);
  const formats = checkedFormats(files, opts, io.cwd);
  const config = await resolveConfig(opts, io.cwd, true);
  const inputs = await checkedKinds(formats, opts);

  // 2. Target: the server to write to (none in a dry run) and the summary every file adds to.
  const started = Date.now();
  const target = opts.dryRun ? undefined : await openTarget(opts, io);
  const summary = emptySummary(inputs, target);
  const scope = scopeOf(config);
  const peer = target ? new PeerClient(target.client, scope) : undefined;
  const firstInput = inputs[0];
  const shared = opts.rejects && !opts.dryRun && firstInput ? new RejectsWriter(opts.rejects, firstInput.format, recordKindOf(firstInput.kind)?.kind.columns) : undefined;
  const written: WrittenRoster = { participants: new Set<string>(), specialists: new Set<string>(), organization: false };
  const run: ImportRun = { opts, io, config, scope, peer, bundleSize, concurrency, summary, written, shared };

  // 3. Rows: each file in turn, every row counted under its outcome.
  try {
    for (const input of inputs) await importFile(run, input);
    if (shared) {
      await shared.close();
      if (shared.count > 0) summary.rejectsFiles.push(shared.path);
    }
  } finally {
    await target?.close();
  }

  // 4. Outcome: a conflict is not written; like a rejected row, the run did not do all it was asked to.
  summary.seconds = (Date.now() - started) / 1000;
  summary.exitCode = summary.rejected > 0 || summary.conflict > 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
  printImportSummary(io, summary);
  return summary;
}

/** The counts a progress line shows: every row already settled, none counted before its outcome is known. */
function progressCounts(s: ImportSummary): Record<string, number> {
  const shown: Record<string, number> = { created: s.created, updated: s.updated, unchanged: s.unchanged, conflict: s.conflict, rejected: s.rejected, valid: s.valid };
  // Rows read but not yet written (they are written per batch): said, so a line never reads as "nothing written".
  shown['pending'] = s.rowsRead - Object.values(shown).reduce((n, x) => n + x, 0);
  return Object.fromEntries(Object.entries(shown).filter(([k, n]) => n > 0 || k === 'rejected' || (k === 'created' && !s.valid)));
}

/** End one file: its last progress line, and its own rejects file closed and reported when it holds rows. */
async function finishFile(
  progress: { stop(): void },
  summary: ImportSummary,
  rejects: RejectsWriter | undefined,
  shared: RejectsWriter | undefined,
  report: () => void,
): Promise<void> {
  report();
  progress.stop();
  if (rejects === undefined || rejects === shared) return;
  await rejects.close();
  if (rejects.count > 0) summary.rejectsFiles.push(rejects.path);
}

/** What a record-count note says: `2 encounters, 1 consents`, from the encounter counts and each other kind's. */
function recordsOf(s: ImportSummary, status: 'created' | 'updated' | 'unchanged' | 'conflict' | 'rejected' | 'valid'): string {
  const encounters = status === 'valid' ? 0 : s.encounters[status];
  const parts = s.kinds.some((k) => k.kind === 'encounters') ? [`${encounters} encounters`] : [];
  if (status === 'updated' && s.participantsUpdated > 0) parts.push(`${s.participantsUpdated} participants`);
  for (const [kind, counts] of Object.entries(s.records)) parts.push(`${counts[status]} ${kind}`);
  return parts.join(', ');
}

/** The summary's row-count lines: label, rows, and the records they make. */
function summaryLines(s: ImportSummary): [string, number, string][] {
  const statuses = ['created', 'updated', 'unchanged', 'conflict', 'rejected', 'valid'] as const;
  return statuses.map((st) => [st, s[st], st === 'rejected' && Object.keys(s.records).length === 0 ? '' : recordsOf(s, st)]);
}

function printImportSummary(io: CommandIo, s: ImportSummary): void {
  if (io.json) {
    printJson(io, s);
    return;
  }
  say(io, `rows read         ${s.rowsRead}`);
  for (const [label, n, of] of summaryLines(s)) if (n > 0 || label === 'rejected' || (label === 'created' && s.valid === 0)) say(io, `${label.padEnd(18)}${n}${of ? `  (${of})` : ''}`);
  for (const r of s.conflictRows.slice(0, 20)) say(io, `  ${basename(r.file)} row ${r.row}: conflict: ${r.conflicts.join('; ')}`);
  for (const c of s.rosterConflicts.slice(0, 20)) say(io, `  conflict: ${c}`);
  const shown = s.rejectedRows.slice(0, 20);
  for (const r of shown) say(io, `  ${basename(r.file)} row ${r.row}: ${r.reasons.join('; ')}`);
  if (s.rejectedRows.length > shown.length) say(io, `  … and ${s.rejectedRows.length - shown.length} more`);
  for (const f of s.rejectsFiles) say(io, `rejected rows written to ${f} (fix them and import that file again)`);
  // An embedded server stops with the command: name its data folder, not a port nobody can reach any more.
  const where = s.embeddedData ? ` to the embedded server's data in ${s.embeddedData}` : s.fhirUrl ? ` to ${s.fhirUrl}` : ' (checked only, nothing written)';
  say(io, `${s.rowsRead} rows in ${s.seconds.toFixed(1)} s (${Math.round(s.rowsRead / Math.max(s.seconds, 0.001))} rows/s)${where}`);
  if (s.rejected > 0) note(io, `${s.rejected} row(s) rejected`);
  if (s.conflict > 0 || s.rosterConflicts.length > 0) note(io, `${s.conflict} row(s) and ${s.rosterConflicts.length} roster record(s) conflict with what the server holds: nothing was written over them`);
}

/** `peer-fhir import`: its options and help, and how it runs (docs/cli.md). */
export const importCommand: CommandDefinition<ImportOptions & { files: string[] }> = {
  name: 'import',
  positional: ['files'],
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('import EHR export rows (encounters, consents, plans, outcomes, supervision; CSV or NDJSON) into a FHIR server, idempotently; rejected rows go to a rejects file')
        .argument('<files...>', 'CSV or NDJSON files (docs/import-format.md)')
        .option('--rejects <file>', 'where rejected rows go (default: <input>.rejects.<ext>)')
        .option('--bundle-size <n>', 'encounters per transaction bundle (at most 1,000 entries)', int('--bundle-size'), 100)
        .option('--concurrency <n>', 'transactions in flight', int('--concurrency'), 4)
        .option('--no-update', 'report rows that changed since the last import as conflicts (exit 1) instead of amending the stored records'),
      'format', 'kind', 'config', 'json', 'fhir',
    )
      .addHelpText('after', examples([
        'peer-fhir import export.csv                                  # embedded server, data in .peer-fhir/data',
        'peer-fhir import export.csv --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN',
        'peer-fhir import export.rejects.csv                          # after fixing the rejected rows',
        'peer-fhir import a.ndjson b.ndjson --rejects rejects.ndjson --json',
        'peer-fhir import consents.csv plans.csv outcomes.csv supervision.csv ce.csv   # kinds told by their headers',
      ])),
  run: (o, io) => runImport(o.files, o, io),
};
