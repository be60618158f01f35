import { Command, CommanderError } from 'commander';
import { ExitCode } from './errors.js';
import { defaultIo, note, type CommandIo } from './internal/io.js';
import { errorLines } from './internal/print-error.js';
import { COMMANDS } from './commands/index.js';
import { examples, type RegisteredCommand } from './internal/command.js';

/** Add one command under `parent`: its options and help, and an action that runs it and keeps its exit code. */
function register(parent: Command, def: RegisteredCommand, result: { code: ExitCode; wait?: Promise<void> }, io: (json: boolean | undefined) => CommandIo): void {
  const cmd = def.define(parent.command(def.name));
  cmd.action(async () => {
    const values: Record<string, unknown> = { ...cmd.opts() };
    (def.positional ?? []).forEach((name, i) => (values[name] = cmd.processedArgs[i]));
    const outcome = await def.runWith(values, io(values['json'] === true));
    result.code = outcome.exitCode;
    if (outcome.wait) result.wait = outcome.wait;
  });
}

/**
 * Build the `peer-fhir` commander program. Each action stores its exit code in `result.code`; nothing calls
 * `process.exit`, so the program can run in-process (tests, other tools).
 *
 * @param ioOverride - streams, working directory or environment to use instead of the process's
 * @returns the commander program and the result its actions fill in (exit code; for `serve`, what to wait for)
 * @example
 * ```ts
 * import { createProgram } from '@peer-fhir/cli';
 * const { program, result } = createProgram();
 * await program.parseAsync(['node', 'peer-fhir', 'packs', '--json']);
 * console.log(result.code);
 * ```
 * @category CLI
 */
export function createProgram(ioOverride: Partial<CommandIo> = {}): { program: Command; result: { code: ExitCode; wait?: Promise<void> } } {
  const result: { code: ExitCode; wait?: Promise<void> } = { code: ExitCode.OK };
  const io = (json: boolean | undefined): CommandIo => ({ ...defaultIo(json === true), ...ioOverride, json: json === true });
  const program = new Command('peer-fhir')
    .description('Record and bill peer support services on HL7 FHIR R4: import EHR exports, bill Medicaid (X12 837P), read remittances (835).')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (ioOverride.stdout ?? process.stdout).write(s),
      writeErr: (s) => (ioOverride.stderr ?? process.stderr).write(s),
    })
    .addHelpText('after', examples(['peer-fhir demo', 'peer-fhir init', 'peer-fhir serve --port 8080', 'peer-fhir import export.csv', 'peer-fhir bill --pack tx-medicaid-peer-specialist-2019 --period 2025-03 --out march.x12', 'peer-fhir report compliance --period 2025-03']));
  const report = program
    .command('report')
    .description('workforce compliance, outcome trends, a monthly HTML page and the accounting of disclosures from the records on a FHIR server')
    .addHelpText('after', examples(['peer-fhir report compliance --period 2025-01..2025-03 --ce ce.csv', 'peer-fhir report outcomes --instrument barc-10', 'peer-fhir report html --period 2025-03 --bill-report out/march.report.json --out out/march.html', 'peer-fhir report disclosures --participant p-001']));
  for (const def of COMMANDS) register(def.parent === 'report' ? report : program, def, result, io);
  return { program, result };
}

/**
 * Run `peer-fhir` with `argv` (as `process.argv`) and return the exit code: 0 success, 1 some rows rejected or
 * encounters held, 2 usage or configuration error. Errors print their code, message and a hint (OS errors their code,
 * operation and path), never data values or tokens; `PEER_FHIR_DEBUG=1` adds the stack.
 *
 * @param argv - the command line as `process.argv` (node, script, then the words)
 * @param ioOverride - streams, working directory or environment to use instead of the process's
 * @returns the exit code: 0 success, 1 rows rejected, items held or findings, 2 usage or configuration error
 * @example
 * ```ts
 * import { main } from '@peer-fhir/cli';
 * process.exitCode = await main(process.argv);
 * ```
 * @category CLI
 */
export async function main(argv: readonly string[], ioOverride: Partial<CommandIo> = {}): Promise<ExitCode> {
  const { program, result } = createProgram(ioOverride);
  const err = (s: string) => note({ ...defaultIo(), ...ioOverride } as CommandIo, s);
  try {
    await program.parseAsync([...argv]);
    if (result.wait) await result.wait;
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    // Every peer-fhir error prints its code, value-free message and a hint; OS errors their code, operation and path;
    // anything else its class only. PEER_FHIR_DEBUG=1 adds stack frames and the cause chain.
    for (const line of errorLines(e, Boolean(process.env['PEER_FHIR_DEBUG']))) err(line);
    return ExitCode.USAGE;
  }
}
