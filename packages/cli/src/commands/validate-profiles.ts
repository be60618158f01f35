import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Resource } from 'fhir/r4.js';
import type { FhirPackage, ProfileInput, ProfileIssue, ProfileTypeCount } from '@peer-fhir/server/validation';
import { CliUsageError, ExitCode } from '../errors.js';
import { printJson, say, type CommandIo } from '../internal/io.js';

/**
 * Options of {@link runValidateProfiles} (`peer-fhir validate --profiles`).
 *
 * @example
 * ```ts
 * const opts: ValidateProfilesCliOptions = { fhirPackage: ['hl7.fhir.us.core-6.1.0.tgz'] };
 * ```
 * @category Validate
 */
export interface ValidateProfilesCliOptions {
  /** More FHIR packages (`.tgz` implementation guides) to validate against, next to the built-in US Core 6.1.0 and peer-fhir profiles. */
  fhirPackage?: readonly string[] | undefined;
}

/**
 * One issue `validate --profiles` found: the file, the resource's position in it (`entry[3]`, `line 5`), its type,
 * the profile, the element path and the rule (`code`, and `key` for a constraint). Never a value.
 *
 * @example
 * ```ts
 * const p: ProfileProblem = { file: 'out/bundle.json', resource: 'entry[3]', resourceType: 'PractitionerRole', profile: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitionerrole', path: 'PractitionerRole', code: 'invariant', key: 'pd-1', message: 'SHALL have contact information or a reference to an Endpoint' };
 * ```
 * @category Validate
 */
export interface ProfileProblem extends ProfileIssue {
  /** The file, relative to the working directory. */
  file: string;
}

/**
 * Result of {@link runValidateProfiles}.
 *
 * @example
 * ```ts
 * const r: ValidateProfilesCliResult = await runValidateProfiles(['out/'], {}, io);
 * console.log(r.checked, r.failed, r.problems.length);
 * ```
 * @category Validate
 */
export interface ValidateProfilesCliResult {
  /** FHIR files read. */
  files: number;
  /** Resources validated. */
  checked: number;
  /** Resources with at least one problem (a line that is not JSON counts as one). */
  failed: number;
  /** `checked` / `failed` per resource type. */
  byType: Record<string, ProfileTypeCount>;
  problems: ProfileProblem[];
  exitCode: ExitCode;
}

const FHIR_FILE = /\.(json|ndjson)$/i;

/** The FHIR files named: files as given, folders searched (recursively) for `.json` and `.ndjson`, sorted. */
async function fhirFiles(paths: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (FHIR_FILE.test(entry.name)) out.push(full);
    }
  };
  for (const p of paths) {
    const full = resolve(cwd, p);
    if ((await stat(full)).isDirectory()) await walk(full);
    else out.push(full);
  }
  if (out.length === 0) throw new CliUsageError('no FHIR files (.json / .ndjson) found in the folders given');
  return out;
}

/** A file's resources: a JSON resource or Bundle as is; NDJSON as a list, each line's position its line number. */
async function readFhirFile(file: string, name: string): Promise<{ input: ProfileInput; lines?: number[]; broken: number[] }> {
  const text = await readFile(file, 'utf8');
  if (!/\.ndjson$/i.test(file)) {
    try {
      return { input: JSON.parse(text) as ProfileInput, broken: [] };
    } catch {
      throw new CliUsageError(`${name} is not readable JSON`);
    }
  }
  const resources: Resource[] = [];
  const lines: number[] = [];
  const broken: number[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    try {
      resources.push(JSON.parse(line) as Resource);
      lines.push(i + 1);
    } catch {
      broken.push(i + 1);
    }
  }
  return { input: resources, lines, broken };
}

/** NDJSON positions (`[4]`) as line numbers (`line 7`). */
function positioned(issue: ProfileIssue, lines: number[] | undefined): ProfileIssue {
  if (!lines) return issue;
  const index = /^\[(\d+)\]$/.exec(issue.resource)?.[1];
  return index === undefined ? issue : { ...issue, resource: `line ${lines[Number(index)]}` };
}

function addCounts(into: Record<string, ProfileTypeCount>, from: Record<string, ProfileTypeCount>): void {
  for (const [type, c] of Object.entries(from)) {
    const t = (into[type] ??= { checked: 0, failed: 0 });
    t.checked += c.checked;
    t.failed += c.failed;
  }
}

async function readPackages(paths: readonly string[], cwd: string, read: (bytes: Uint8Array) => FhirPackage): Promise<FhirPackage[]> {
  const out: FhirPackage[] = [];
  for (const p of paths) out.push(read(await readFile(resolve(cwd, p))));
  return out;
}

function report(io: CommandIo, out: ValidateProfilesCliResult): void {
  if (io.json) return printJson(io, out);
  for (const p of out.problems) {
    const rule = p.key ? `${p.code} ${p.key}` : p.code;
    const profile = p.profile.replace(/^.*\/StructureDefinition\//, '');
    say(io, `${p.file} ${p.resource || '(resource)'} ${p.resourceType}: ${p.path} [${rule}${profile ? ` ${profile}` : ''}] ${p.message}`);
  }
  const types = Object.entries(out.byType).sort(([a], [b]) => a.localeCompare(b));
  say(io, `by type: ${types.map(([t, c]) => `${t} ${c.checked}${c.failed ? ` (${c.failed} failed)` : ''}`).join(', ') || 'none'}`);
  say(io, `${out.checked} resource(s) in ${out.files} file(s) checked against the profiles they name: ${out.checked - out.failed} conform, ${out.failed} with ${out.problems.length} problem(s)`);
}

/**
 * Validate FHIR resources against the profiles each names in `meta.profile` (US Core 6.1.0 and peer-fhir's own, plus
 * any `--fhir-package`), with `validateProfiles` of `@peer-fhir/server/validation`. Takes `.json` files (a resource
 * or a Bundle, whose entries resolve against each other) and `.ndjson` files, or folders holding them. Lists every
 * problem by file, position, type, element path and constraint key — never a value; exits 1 when any resource fails,
 * 0 with counts when every resource conforms.
 *
 * @param paths - FHIR files and folders
 * @param opts - more FHIR packages to validate against
 * @param io - where to write
 * @returns counts and every problem
 * @throws {@link CliUsageError} when nothing is named, a folder holds no FHIR file, or a `.json` file is not JSON
 * @example
 * ```ts
 * import { runValidateProfiles } from '@peer-fhir/cli';
 * const { exitCode, problems } = await runValidateProfiles(['out/'], {}, io);
 * ```
 * @category Commands
 */
export async function runValidateProfiles(paths: readonly string[], opts: ValidateProfilesCliOptions, io: CommandIo): Promise<ValidateProfilesCliResult> {
  if (paths.length === 0) throw new CliUsageError('name at least one FHIR file or folder to validate');
  // Loaded here, not at start-up: the definitions and the FHIRPath engine cost about a second.
  const { readFhirPackage, validateProfiles } = await import('@peer-fhir/server/validation');
  const packages = await readPackages(opts.fhirPackage ?? [], io.cwd, readFhirPackage);
  const files = await fhirFiles(paths, io.cwd);
  const out: ValidateProfilesCliResult = { files: files.length, checked: 0, failed: 0, byType: {}, problems: [], exitCode: ExitCode.OK };
  for (const file of files) {
    const name = relative(io.cwd, file) || file;
    const { input, lines, broken } = await readFhirFile(file, name);
    for (const line of broken) out.problems.push({ file: name, resource: `line ${line}`, resourceType: '', profile: '', path: '', code: 'structure', message: 'the line is not valid JSON' });
    out.failed += broken.length;
    const result = validateProfiles(input, { packages });
    out.checked += result.checked;
    out.failed += result.failed;
    addCounts(out.byType, result.byType);
    for (const issue of result.issues) out.problems.push({ file: name, ...positioned(issue, lines) });
  }
  out.exitCode = out.problems.length > 0 ? ExitCode.SOME_REJECTED : ExitCode.OK;
  report(io, out);
  return out;
}
