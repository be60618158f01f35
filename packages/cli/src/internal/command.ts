import { type Command, Option } from 'commander';
import { CliUsageError, type ExitCode } from '../errors.js';
import type { CommandIo } from './io.js';

/** How a command ended: its exit code, and for a command that keeps running (`serve`) what to wait for. */
export interface CommandOutcome {
  exitCode: ExitCode;
  wait?: Promise<void> | undefined;
}

/**
 * One `peer-fhir` command: its name (under `report` for the reports), the names its positional arguments take in the
 * options, its options and help (`define`), and `run(options, io)` — the one signature every command has.
 * `program.ts` only registers these, in the order `commands/index.ts` lists them.
 */
export interface CommandDefinition<O> {
  readonly name: string;
  readonly parent?: 'report' | undefined;
  /** Option keys of the positional arguments, in order (`['files']`: `peer-fhir import a.csv b.csv`). */
  readonly positional?: readonly string[] | undefined;
  define(cmd: Command): Command;
  run(options: O, io: CommandIo): Promise<CommandOutcome>;
}

/** A command ready to register: its definition with a `run` that takes the option values commander parsed. */
export interface RegisteredCommand {
  readonly name: string;
  readonly parent?: 'report' | undefined;
  readonly positional?: readonly string[] | undefined;
  define(cmd: Command): Command;
  runWith(values: unknown, io: CommandIo): Promise<CommandOutcome>;
}

/** A definition as the program registers it (commander's option values are untyped: the definition names their type). */
export function registered<O>(def: CommandDefinition<O>): RegisteredCommand {
  return { name: def.name, parent: def.parent, positional: def.positional, define: (cmd) => def.define(cmd), runWith: (values, io) => def.run(values as O, io) };
}

/** A whole-number option value, or a usage error naming the option. */
export const int = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v)) throw new CliUsageError(`${name} must be a whole number`);
  return Number(v);
};

/** The `Examples:` section of a command's help. */
export const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

/** The FHIR target options every command that talks to a server shares: URL, auth, embedded data folder. */
export function fhirOptions(cmd: Command): Command {
  return cmd
    .option('--fhir-url <url>', 'FHIR R4 base URL (default: the embedded server, data in --data)')
    .addOption(new Option('--auth-token <token>', 'bearer token (prefer --auth-env: the command line is visible to other users)').conflicts('authEnv'))
    .option('--auth-env <var>', 'environment variable holding a bearer token')
    .option('--data <dir>', 'data folder of the embedded server', '.peer-fhir/data');
}

/** The `--period`, `--from` and `--to` options of the reports over a range of days. */
export function rangeOptions(cmd: Command, period: string): Command {
  return cmd
    .option('--period <YYYY-MM[..YYYY-MM]>', period)
    .option('--from <date>', 'first day YYYY-MM-DD (instead of --period)')
    .option('--to <date>', 'last day YYYY-MM-DD (instead of --period)');
}
