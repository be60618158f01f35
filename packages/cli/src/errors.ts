import { PeerFhirError } from '@peer-fhir/core';

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
 * JSON paths, never values from the data (which may be PHI) or tokens. Code `cli.usage`; `problems` are extra lines
 * shown under the message (e.g. one per config problem), written by the same rule.
 *
 * @example
 * ```ts
 * throw new CliUsageError('--period must be YYYY-MM');
 * ```
 * @category CLI
 */
export class CliUsageError extends PeerFhirError {
  /** Extra lines shown under the message (e.g. one per config problem). */
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[] = [], code = 'cli.usage') {
    super(message, { code, details: { problemCount: problems.length } });
    this.problems = problems;
  }
}

/**
 * A file or network operation of the operating system failed (missing input, missing output folder, port in use,
 * permission denied). The message names the OS code, the operation and the path or port the user gave, with control
 * characters removed; the original error is the `cause`. Code `cli.os`; `details.errno` is the OS code (`ENOENT`).
 *
 * @example
 * ```ts
 * try { await main(['node', 'peer-fhir', 'serve', '--port', '80']); }
 * catch (e) { if (e instanceof CliSystemError) console.error(e.details['errno']); }
 * ```
 * @category CLI
 */
export class CliSystemError extends PeerFhirError {
  /** What to do about it, one line. */
  readonly hint: string;
  constructor(message: string, options: { errno: string; syscall?: string | undefined; hint: string; cause: unknown }, code = 'cli.os') {
    super(message, { code, details: { errno: options.errno, ...(options.syscall ? { syscall: options.syscall } : {}) }, cause: options.cause });
    this.hint = options.hint;
  }
}
