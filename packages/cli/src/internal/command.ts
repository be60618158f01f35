import { type Command, Option } from 'commander';
import { CliUsageError, type ExitCode } from '../errors.js';
import type { CommandIo } from './io.js';
import { IMPORT_KINDS } from '../import/kinds.js';

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

/**
 * The options several commands offer, each declared once: its flags, help text, default and choices cannot drift
 * between commands (`packages/cli/test/cli-options.test.ts` checks every repeated flag). A command adds them with
 * {@link sharedOptions}; what a command reads from the config or prints as JSON is said in docs/cli.md.
 */
const SHARED_OPTIONS = {
  /** Every command finds its config the same way (`resolveConfig`): `--config`, else `./peer-fhir.config.json`. */
  config: () => new Option('--config <file>', 'config file: the agency, payer, pack, identifier namespace (default: ./peer-fhir.config.json)'),
  json: () => new Option('--json', 'print the result as JSON'),
  organizationNpi: () => new Option('--organization-npi <npi>', "the agency (default: the config's organization)"),
  data: () => new Option('--data <dir>', 'data folder of the embedded server (SQLite, committed on every write)').default('.peer-fhir/data'),
  /** `validate` checks rows exactly as `import` reads them: the same format and kind options. */
  format: () => new Option('--format <format>', 'input format of the rows (default: from each extension)').choices(['csv', 'ndjson']),
  kind: () => new Option('--kind <kind>', 'record kind of every row file (default: from each header)').choices([...IMPORT_KINDS]),
} as const satisfies Record<string, () => Option>;

/**
 * The FHIR target options every command that talks to a server shares: URL, auth, the embedded server's data folder.
 * A token on the command line is visible to other users of the machine: `--auth-env` names a variable instead.
 */
function addFhirTarget(cmd: Command): void {
  cmd
    .option('--fhir-url <url>', 'FHIR R4 base URL (default: the embedded server, data in --data)')
    .addOption(new Option('--auth-token <token>', 'bearer token (prefer --auth-env: the command line is visible to other users)').conflicts('authEnv'))
    .option('--auth-env <var>', 'environment variable holding a bearer token')
    .addOption(SHARED_OPTIONS.data());
}

/** The name of a shared option (`config`, `json`, …), or `fhir` for the FHIR target options (URL, auth, data). */
export type SharedOptionName = keyof typeof SHARED_OPTIONS | 'fhir';

/** Add shared options to a command, in the order given: one definition each, whichever command offers it. */
export function sharedOptions(cmd: Command, ...names: readonly SharedOptionName[]): Command {
  for (const name of names) {
    if (name === 'fhir') addFhirTarget(cmd);
    else cmd.addOption(SHARED_OPTIONS[name]());
  }
  return cmd;
}

/** The `--period`, `--from` and `--to` options of the reports over a range of days. */
export function rangeOptions(cmd: Command, period: string): Command {
  return cmd
    .option('--period <YYYY-MM[..YYYY-MM]>', period)
    .option('--from <date>', 'first day YYYY-MM-DD (instead of --period)')
    .option('--to <date>', 'last day YYYY-MM-DD (instead of --period)');
}
