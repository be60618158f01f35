import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Bundle, Resource } from 'fhir/r4.js';
import { FhirMappingError, fromFhir, type IdentityScope } from '@peer-fhir/core';
import { Writable } from 'node:stream';
import { parseConfig, resolveConfig, scopeOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { formatOf } from '../import/read-rows.js';
import { runImport } from './import.js';
import { runValidateProfiles } from './validate-profiles.js';
import { note, printJson, say, type CommandIo } from '../internal/io.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runValidate} (`peer-fhir validate`).
 *
 * @example
 * ```ts
 * const opts: ValidateOptions = { config: 'peer-fhir.config.json' };
 * ```
 * @category Validate
 */
export interface ValidateOptions {
  /** `csv` or `ndjson` for import rows; default from the extension (`.json` files are FHIR). */
  format?: string | undefined;
  /** Config for import rows (organization, payer); default `./peer-fhir.config.json` when present, as `import` reads it; without one, rows are checked against a placeholder agency. */
  config?: string | undefined;
  /** Record kind of the row files, as `import --kind`; default from each header. */
  kind?: string | undefined;
  /** The config itself (instead of a file), for programs that embed the CLI. */
  configValue?: CliConfig | undefined;
}

/**
 * One problem `validate` found: where (file, row or resource) and what, by column or FHIR path; never values.
 *
 * @example
 * ```ts
 * const p: ValidationProblem = { file: 'a.csv', location: 'row 3', problem: 'start: required' };
 * ```
 * @category Validate
 */
export interface ValidationProblem {
  file: string;
  location: string;
  problem: string;
}

/**
 * Result of {@link runValidate}.
 *
 * @example
 * ```ts
 * const r: ValidateResult = await runValidate(['a.csv'], {}, io);
 * console.log(r.checked, r.problems.length);
 * ```
 * @category Validate
 */
export interface ValidateResult {
  /** Rows and resources checked. */
  checked: number;
  /** Import rows: read, valid (would be written), rejected (would go to the rejects file) — the import's own counts. */
  rows?: { read: number; valid: number; rejected: number } | undefined;
  problems: ValidationProblem[];
  exitCode: ExitCode;
}

// Used only to check rows when no config is given: organization and payer do not come from rows.
const PLACEHOLDER_CONFIG = {
  organization: { name: 'Placeholder', npi: '1234567893', taxId: '123456789', taxonomy: '251S00000X', address: { line: ['1 Main St'], city: 'Austin', state: 'TX', postalCode: '78701' } },
  payer: { id: 'MEDICAID', name: 'Medicaid' },
};

/** Output that goes nowhere: the dry-run import's own progress and summary are not `validate`'s. */
function silent(io: CommandIo): CommandIo {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  return { ...io, stdout: sink(), stderr: sink(), json: true };
}

/**
 * Check import rows by running the import itself as a dry run (`runImport` with `dryRun`): the same reading, kind
 * detection, grouping, duplicate-id rule and validation, nothing written. Its problems are the import's rejections.
 */
async function validateRows(files: readonly string[], opts: ValidateOptions, config: CliConfig, io: CommandIo, out: ValidateResult): Promise<void> {
  if (files.length === 0) return;
  const summary = await runImport(files, { format: opts.format, kind: opts.kind, configValue: config, dryRun: true }, silent(io));
  out.checked += summary.rowsRead;
  out.rows = { read: summary.rowsRead, valid: summary.valid, rejected: summary.rejected };
  for (const r of summary.rejectedRows) for (const reason of r.reasons) out.problems.push({ file: r.file, location: `row ${r.row}`, problem: reason });
}

function validateResources(file: string, resources: Resource[], scope: IdentityScope | undefined, out: ValidateResult): void {
  out.checked += resources.length;
  for (const [i, r] of resources.entries()) {
    if (typeof r?.resourceType !== 'string') out.problems.push({ file, location: `resource ${i + 1}`, problem: 'resourceType: required' });
  }
  try {
    // Read back under the agency's identifier namespace, as import and bill read them: under another namespace
    // nothing would be recognised, and nothing checked.
    fromFhir(resources, scope ?? {});
  } catch (err) {
    if (!(err instanceof FhirMappingError)) throw err;
    for (const issue of err.issues) out.problems.push({ file, location: issue.path.split('.')[0] ?? '', problem: `${issue.path}: ${issue.message}` });
  }
}

/**
 * Check import rows (CSV / NDJSON without `resourceType`) or FHIR resources (a JSON resource or Bundle, or NDJSON of
 * resources) and explain every problem: rows by row number and column, resources by FHIR path, as core reads them
 * back (`fromFhir`). Values are never printed.
 *
 * @param files - import rows (CSV, NDJSON) or FHIR resources (JSON, NDJSON)
 * @param opts - the options of `peer-fhir validate` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns what was checked, every problem (file, row or path, rule) and the exit code
 * @example
 * ```ts
 * import { runValidate } from '@peer-fhir/cli';
 * const { problems } = await runValidate(['export.csv', 'bundle.json'], {}, io);
 * ```
 * @category Commands
 */
export async function runValidate(files: readonly string[], opts: ValidateOptions, io: CommandIo): Promise<ValidateResult> {
  if (files.length === 0) throw new CliUsageError('name at least one file to validate');
  const found = await resolveConfig(opts, io.cwd);
  const config = found ?? parseConfig(PLACEHOLDER_CONFIG);
  const scope = found ? scopeOf(found) : undefined;
  const out: ValidateResult = { checked: 0, problems: [], exitCode: ExitCode.OK };
  const rowFiles: string[] = [];
  for (const file of files) {
    if (/\.json$/i.test(file) && opts.format === undefined) {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(file, 'utf8'));
      } catch {
        throw new CliUsageError(`${file} is not readable JSON`);
      }
      const bundle = json as Bundle;
      const resources = bundle.resourceType === 'Bundle' ? (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])) : [json as Resource];
      validateResources(file, resources, scope, out);
      continue;
    }
    const format = formatOf(file, opts.format);
    if (format === 'ndjson') {
      const first = (await readFile(file, 'utf8')).split('\n', 1)[0] ?? '';
      if (/"resourceType"\s*:/.test(first)) {
        const resources: Resource[] = [];
        for (const [i, line] of (await readFile(file, 'utf8')).split('\n').entries()) {
          if (!line.trim()) continue;
          try {
            resources.push(JSON.parse(line) as Resource);
          } catch {
            out.problems.push({ file, location: `line ${i + 1}`, problem: 'line is not valid JSON' });
          }
        }
        validateResources(file, resources, scope, out);
        continue;
      }
    }
    rowFiles.push(file);
  }
  await validateRows(rowFiles, opts, config, io, out);
  // Nothing read is nothing checked: never "0 problem(s)" over empty files (exit 1, as bill and report do).
  if (out.checked === 0) note(io, `read 0 rows or resources from ${files.length} file(s): nothing validated (empty files, or only a header?)`);
  out.exitCode = out.problems.length > 0 || out.checked === 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
  if (io.json) printJson(io, out);
  else {
    for (const p of out.problems) say(io, `${basename(p.file)} ${p.location}: ${p.problem}`);
    if (out.rows) say(io, `import rows: ${out.rows.read} read, ${out.rows.valid} valid, ${out.rows.rejected} would be rejected (the import's own checks; nothing written)`);
    say(io, `${out.checked} checked, ${out.problems.length} problem(s)`);
  }
  return out;
}

/** `peer-fhir validate`: its options and help, and how it runs (docs/cli.md). */
export const validateCommand: CommandDefinition<ValidateOptions & { files: string[]; profiles?: boolean; fhirPackage: string[] }> = {
  name: 'validate',
  positional: ['files'],
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('check import rows exactly as import does (nothing written), or FHIR resources (JSON / NDJSON); explain each problem')
        .argument('<files...>', 'CSV / NDJSON rows, or FHIR JSON / NDJSON')
        .option('--profiles', 'check FHIR JSON / NDJSON files or folders against the profiles each resource names (US Core 6.1.0, peer-fhir)')
        .option('--fhir-package <file.tgz>', 'with --profiles: also validate against this FHIR package (repeatable)', (v: string, all: string[]) => [...all, v], []),
      'format', 'kind', 'config', 'json',
    )
      .addHelpText('after', examples(['peer-fhir validate export.csv', 'peer-fhir validate claims.ndjson bundle.json --json', 'peer-fhir validate --profiles out/'])),
  run: async (o, io) => {
    if (o.fhirPackage.length && !o.profiles) throw new CliUsageError('--fhir-package needs --profiles');
    return o.profiles ? runValidateProfiles(o.files, o, io) : runValidate(o.files, o, io);
  },
};
