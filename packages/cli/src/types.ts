/**
 * Public types shared by the CLI's command functions (`run*`): their I/O, FHIR target, report files and periods.
 * Declared here, not in `internal/`, because they are part of the package's public surface.
 * @module
 */
import type { Writable } from 'node:stream';

/**
 * Where a command writes, and how. Commands never call `console` or `process.exit` directly, so tests can run them
 * in-process.
 *
 * @example
 * ```ts
 * const io: CommandIo = { stdout: process.stdout, stderr: process.stderr, json: true, env: process.env, cwd: process.cwd() };
 * ```
 * @category CLI
 */
export interface CommandIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** Print one JSON document on stdout instead of text. */
  json: boolean;
  /** Environment for `--auth-env`. */
  env: NodeJS.ProcessEnv;
  /** Working directory for relative defaults (`.peer-fhir/data`). */
  cwd: string;
}

/**
 * Options every command that talks to a FHIR server takes.
 *
 * @example
 * ```ts
 * const target: FhirTargetOptions = { fhirUrl: 'https://fhir.example.org/r4', authEnv: 'FHIR_TOKEN' };
 * ```
 * @category CLI
 */
export interface FhirTargetOptions {
  /** FHIR base URL; omitted means the embedded server with data in `data`. */
  fhirUrl?: string | undefined;
  /** Bearer token (prefer `authEnv`: a token on the command line lands in shell history). */
  authToken?: string | undefined;
  /** Name of an environment variable holding the bearer token. */
  authEnv?: string | undefined;
  /** Data folder of the embedded server; default `.peer-fhir/data`. */
  data?: string | undefined;
}

/** The files a report command writes for `--out FILE.md`: the Markdown and a `.json` next to it. @category Reports */
export interface ReportFiles {
  markdown: string;
  json: string;
}

/** A closed range of calendar dates, `YYYY-MM-DD` both ends. @category Reports */
export interface DateRange {
  start: string;
  end: string;
}
