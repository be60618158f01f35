import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Bundle, Resource } from 'fhir/r4.js';
import { FhirMappingError, fromFhir } from '@peer-fhir/core';
import { loadConfig, parseConfig, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { assembleEncounter, type NumberedRow } from '../import/assemble.js';
import { formatOf, readRows } from '../import/read-rows.js';
import { printJson, say, type CommandIo } from '../internal/io.js';

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
  /** Config for import rows (organization, payer); without one, rows are checked against a placeholder agency. */
  config?: string | undefined;
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
  problems: ValidationProblem[];
  exitCode: ExitCode;
}

// Used only to check rows when no config is given: organization and payer do not come from rows.
const PLACEHOLDER_CONFIG = {
  organization: { name: 'Placeholder', npi: '1234567893', taxId: '123456789', taxonomy: '251S00000X', address: { line: ['1 Main St'], city: 'Austin', state: 'TX', postalCode: '78701' } },
  payer: { id: 'MEDICAID', name: 'Medicaid' },
};

async function validateRows(file: string, format: 'csv' | 'ndjson', config: CliConfig, out: ValidateResult): Promise<void> {
  let group: NumberedRow[] = [];
  const close = () => {
    if (group.length === 0) return;
    const r = assembleEncounter(group, config);
    if (!r.ok) for (const rej of r.rejected) for (const reason of rej.reasons) out.problems.push({ file, location: `row ${rej.row}`, problem: reason });
    group = [];
  };
  for await (const item of readRows(file, format)) {
    out.checked++;
    if ('unreadable' in item) {
      close();
      out.problems.push({ file, location: `row ${item.unreadable.row}`, problem: item.unreadable.reason });
      continue;
    }
    const id = item.values['encounter_id'];
    if (group.length > 0 && (!id || id !== group[0]!.values['encounter_id'])) close();
    group.push(item);
  }
  close();
}

function validateResources(file: string, resources: Resource[], out: ValidateResult): void {
  out.checked += resources.length;
  for (const [i, r] of resources.entries()) {
    if (typeof r?.resourceType !== 'string') out.problems.push({ file, location: `resource ${i + 1}`, problem: 'resourceType: required' });
  }
  try {
    fromFhir(resources);
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
 * @example
 * ```ts
 * import { runValidate } from '@peer-fhir/cli';
 * const { problems } = await runValidate(['export.csv', 'bundle.json'], {}, io);
 * ```
 * @category Commands
 */
export async function runValidate(files: readonly string[], opts: ValidateOptions, io: CommandIo): Promise<ValidateResult> {
  if (files.length === 0) throw new CliUsageError('name at least one file to validate');
  const config = opts.config ? await loadConfig(opts.config) : parseConfig(PLACEHOLDER_CONFIG);
  const out: ValidateResult = { checked: 0, problems: [], exitCode: ExitCode.OK };
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
      validateResources(file, resources, out);
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
        validateResources(file, resources, out);
        continue;
      }
    }
    await validateRows(file, format, config, out);
  }
  out.exitCode = out.problems.length > 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
  if (io.json) printJson(io, out);
  else {
    for (const p of out.problems) say(io, `${basename(p.file)} ${p.location}: ${p.problem}`);
    say(io, `${out.checked} checked, ${out.problems.length} problem(s)`);
  }
  return out;
}
