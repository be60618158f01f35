/**
 * The exit codes of every `peer-fhir` command.
 *
 * - `OK` (0): everything was done.
 * - `SOME_REJECTED` (1): the command ran, but some rows were rejected or some encounters were held.
 * - `USAGE` (2): bad arguments, a bad config file or an unreadable input; nothing was done.
 *
 * @example
 * ```ts
 * import { ExitCode, main } from '@peer-fhir/cli';
 * const code = await main(['node', 'peer-fhir', 'packs']);
 * if (code !== ExitCode.OK) process.exitCode = code;
 * ```
 * @category CLI
 */
export const ExitCode = { OK: 0, SOME_REJECTED: 1, USAGE: 2 } as const;
/**
 * One of the {@link ExitCode} values.
 * @example
 * ```ts
 * const code: ExitCode = ExitCode.SOME_REJECTED;
 * ```
 * @category CLI
 */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A usage or configuration problem that stops a command with exit code 2. The message names files, options and
 * JSON paths, never values from the data (which may be PHI) or tokens.
 *
 * @example
 * ```ts
 * throw new CliUsageError('--period must be YYYY-MM');
 * ```
 * @category CLI
 */
export class CliUsageError extends Error {
  /** Extra lines shown under the message (e.g. one per config problem). */
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'CliUsageError';
    this.details = details;
  }
}
