import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { isAbsolute, join } from 'node:path';
import { exportNdjson, ServerDataError, ServerLockedError } from '@peer-fhir/server';
import { CliUsageError, ExitCode } from '../errors.js';
import { printJson, say, type CommandIo } from '../internal/io.js';
import { dataDirOf } from '../internal/target.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runExport} (`peer-fhir export`).
 *
 * @example
 * ```ts
 * const opts: ExportOptions = { data: '.peer-fhir/data', out: 'all.ndjson' };
 * ```
 * @category Serve
 */
export interface ExportOptions {
  /** Data folder of the embedded server (default `.peer-fhir/data`). */
  data?: string | undefined;
  /** NDJSON file to write (created 0600); omitted: stdout. */
  out?: string | undefined;
}

/**
 * What {@link runExport} wrote.
 *
 * @example
 * ```ts
 * const { resources, byType } = await runExport({ out: 'all.ndjson' }, io);
 * ```
 * @category Serve
 */
export interface ExportSummary {
  resources: number;
  byType: Record<string, number>;
  /** The file written, or undefined for stdout. */
  out: string | undefined;
}

/**
 * Write every resource of the embedded server's data folder as NDJSON (one resource a line), streamed from its
 * database. The folder must not be in use by a running `serve` (the error names that process): stop it first, or read
 * through its FHIR API.
 *
 * @param opts - the options of `peer-fhir export` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns how many resources of each type were written, and where
 * @example
 * ```ts
 * import { runExport } from '@peer-fhir/cli';
 * await runExport({ data: './fhir-data', out: 'backup.ndjson' }, io);
 * ```
 * @category Commands
 */
export async function runExport(opts: ExportOptions, io: CommandIo): Promise<ExportSummary> {
  const dataDir = dataDirOf(io, opts.data);
  const outPath = opts.out === undefined ? undefined : isAbsolute(opts.out) ? opts.out : join(io.cwd, opts.out);
  // Without --out the NDJSON is the whole of stdout, so the summary goes to stderr.
  const file = outPath === undefined ? undefined : createWriteStream(outPath, { mode: 0o600 });
  let result;
  try {
    result = await exportNdjson(dataDir, file ?? io.stdout);
  } catch (err) {
    file?.destroy();
    if (err instanceof ServerLockedError || err instanceof ServerDataError) throw new CliUsageError(err.message);
    throw err;
  }
  if (file) {
    file.end();
    await once(file, 'finish');
  }
  const summary: ExportSummary = { ...result, out: outPath };
  if (outPath !== undefined) {
    if (io.json) printJson(io, summary);
    else say(io, `exported ${result.resources} resources to ${outPath}`);
  } else {
    io.stderr.write(`exported ${result.resources} resources\n`);
  }
  return summary;
}

/** `peer-fhir export`: its options and help, and how it runs (docs/cli.md). */
export const exportCommand: CommandDefinition<ExportOptions> = {
  name: 'export',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description("write every resource of the embedded server's data folder as NDJSON")
        .option('--out <file>', 'NDJSON file to write (default: stdout)'),
      'data', 'json',
    )
      .addHelpText('after', examples(['peer-fhir export --out backup.ndjson', 'peer-fhir export --data ./fhir-data > all.ndjson'])),
  run: async (o, io) => {
    await runExport(o, io);
    return { exitCode: ExitCode.OK };
  },
};
