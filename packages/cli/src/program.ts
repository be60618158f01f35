import { Command, CommanderError, Option } from 'commander';
import { CliUsageError, ExitCode } from './errors.js';
import { defaultIo, note, type CommandIo } from './internal/io.js';
import { runAck } from './commands/ack.js';
import { errorLines } from './internal/print-error.js';
import { runBill } from './commands/bill.js';
import { runDemo } from './commands/demo.js';
import { runEligibility } from './commands/eligibility.js';
import { runStatus } from './commands/status.js';
import { runImport } from './commands/import.js';
import { runInit } from './commands/init.js';
import { runHtmlReport } from './commands/report-html.js';
import { runPacks } from './commands/packs.js';
import { runRemit } from './commands/remit.js';
import { runComplianceReport } from './commands/report-compliance.js';
import { runOutcomesReport } from './commands/report-outcomes.js';
import { runDisclosuresReport } from './commands/report-disclosures.js';
import { runServe } from './commands/serve.js';
import { runExport } from './commands/export.js';
import { runSync } from './commands/sync.js';
import { runValidate } from './commands/validate.js';
import { runValidateProfiles } from './commands/validate-profiles.js';
import { IMPORT_KINDS } from './import/kinds.js';

const int = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v)) throw new CliUsageError(`${name} must be a whole number`);
  return Number(v);
};

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

function fhirOptions(cmd: Command): Command {
  return cmd
    .option('--fhir-url <url>', 'FHIR R4 base URL (default: the embedded server, data in --data)')
    .addOption(new Option('--auth-token <token>', 'bearer token (prefer --auth-env: the command line is visible to other users)').conflicts('authEnv'))
    .option('--auth-env <var>', 'environment variable holding a bearer token')
    .option('--data <dir>', 'data folder of the embedded server', '.peer-fhir/data');
}

/**
 * Build the `peer-fhir` commander program. Each action stores its exit code in `result.code`; nothing calls
 * `process.exit`, so the program can run in-process (tests, other tools).
 *
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

  program
    .command('init')
    .description('write a validated peer-fhir.config.json for your agency (asks when run in a terminal, or takes flags)')
    .option('--name <name>', 'agency legal name')
    .option('--npi <npi>', 'agency Type 2 NPI (10 digits, check digit verified)')
    .option('--tax-id <ein>', 'employer identification number (9 digits)')
    .option('--taxonomy <code>', 'agency NUCC taxonomy (default 251S00000X)')
    .option('--address <street>', 'street line of the agency address')
    .option('--city <city>', 'city')
    .option('--state <XX>', 'two-letter state code')
    .option('--zip <zip+4>', 'ZIP+4, nine digits')
    .option('--phone <digits>', 'billing office phone, 10 digits (the 837P submitter contact)')
    .option('--payer-id <id>', "Medicaid payer id (from the payer's companion guide)")
    .option('--payer-name <name>', "payer name (default: the pack's payer)")
    .option('--pack <id>', 'rule pack id for your state (see peer-fhir packs)')
    .option('--namespace <uri>', "identifier namespace of your source system (optional)")
    .option('--charge <CODE=AMOUNT...>', 'your charge per unit for codes the pack publishes no rate for')
    .option('--out <file>', 'config file to write', 'peer-fhir.config.json')
    .option('--force', 'replace an existing config file')
    .option('--templates <dir>', 'folder for the import templates, one CSV per record kind (default: templates next to the config)')
    .option('--no-templates', 'write no import templates')
    .option('--no-input', 'never ask; missing options are errors (default when stdin is not a terminal)')
    .option('--json', 'print the written config as JSON')
    .addHelpText('after', examples([
      'peer-fhir init                                               # asks for each value',
      'peer-fhir init --name "Harbor Peer Agency" --npi 1234567893 --tax-id 123456789 --address "1 Main St" --city Austin --state TX --zip 787011234 --phone 5125550100 --payer-id TXMCD --pack tx-medicaid-peer-specialist-2019 --charge H0038=18.50',
    ]))
    .action(async (o) => {
      // Asks only on a terminal; --no-input or --json never ask. Errors (cli.init.*) print like every usage error.
      result.code = (await runInit({ ...o, interactive: o.input !== false && process.stdin.isTTY === true && o.json !== true }, io(o.json))).exitCode;
    });

  fhirOptions(
    program
      .command('import')
      .description('import EHR export rows (encounters, consents, plans, outcomes, supervision; CSV or NDJSON) into a FHIR server, idempotently; rejected rows go to a rejects file')
      .argument('<files...>', 'CSV or NDJSON files (docs/import-format.md)')
      .addOption(new Option('--format <format>', 'input format (default: from the extension)').choices(['csv', 'ndjson']))
      .addOption(new Option('--kind <kind>', 'record kind of every file (default: from each header)').choices([...IMPORT_KINDS]))
      .option('--config <file>', 'config file (organization, payer, pack, namespace)', 'peer-fhir.config.json')
      .option('--rejects <file>', 'where rejected rows go (default: <input>.rejects.<ext>)')
      .option('--bundle-size <n>', 'encounters per transaction bundle (at most 1,000 entries)', int('--bundle-size'), 100)
      .option('--concurrency <n>', 'transactions in flight', int('--concurrency'), 4)
      .option('--no-update', 'report rows that changed since the last import as conflicts (exit 1) instead of amending the stored records')
      .option('--json', 'print the summary as JSON'),
  )
    .addHelpText('after', examples([
      'peer-fhir import export.csv                                  # embedded server, data in .peer-fhir/data',
      'peer-fhir import export.csv --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN',
      'peer-fhir import export.rejects.csv                          # after fixing the rejected rows',
      'peer-fhir import a.ndjson b.ndjson --rejects rejects.ndjson --json',
      'peer-fhir import consents.csv plans.csv outcomes.csv supervision.csv   # kinds told by their headers',
    ]))
    .action(async (files: string[], o) => {
      result.code = (await runImport(files, o, io(o.json))).exitCode;
    });

  fhirOptions(
    program
      .command('bill')
      .description('bill a month: pull encounters from the FHIR server, apply a rule pack, write the 837P, FHIR Claims and a report')
      .option('--pack <id|file.json>', 'rule pack id (see peer-fhir packs) or a pack file, validated (default: "pack" in the config)')
      .requiredOption('--period <YYYY-MM>', 'billing month')
      .requiredOption('--out <file.x12>', '837P file to write; claims and reports are written next to it')
      .option('--config <file>', 'config file', 'peer-fhir.config.json')
      .option('--json', 'print the report as JSON'),
  )
    .addHelpText('after', examples([
      'peer-fhir bill --pack tx-medicaid-peer-specialist-2019 --period 2025-03 --out out/march.x12',
      'peer-fhir bill --period 2025-03 --out march.x12 --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN --json',
    ]))
    .action(async (o) => {
      result.code = (await runBill(o, io(o.json))).exitCode;
    });

  fhirOptions(
    program
      .command('remit')
      .description('read an X12 835, store ClaimResponses and explain what was paid, adjusted and denied')
      .argument('<file>', 'the 835 file')
      .option('--config <file>', 'config file (agency, identifier namespace; default ./peer-fhir.config.json)')
      .option('--json', 'print the reconciliation as JSON'),
  )
    .addHelpText('after', examples(['peer-fhir remit out/march.835', 'peer-fhir remit era.835 --fhir-url https://fhir.example.org/r4 --json']))
    .action(async (file: string, o) => {
      result.code = (await runRemit(file, o, io(o.json))).exitCode;
    });

  fhirOptions(
    program
      .command('ack')
      .description('read a 999 or 277CA acknowledgment: which claims were accepted or rejected, and why')
      .argument('<file>', 'the 999 or 277 file')
      .option('--claims <file>', 'the 837 a 999 answers (names the claims of each transaction set)')
      .option('--config <file>', 'config file (the agency, the identifier namespace)')
      .option('--organization-npi <npi>', "the agency whose claims a 277CA answers (default: the config's organization)")
      .option('--json', 'print the result as JSON'),
  )
    .addHelpText('after', examples(['peer-fhir ack out/march.999 --claims out/march.837', 'peer-fhir ack out/march.277 --fhir-url https://fhir.example.org/r4']))
    .action(async (file: string, o) => {
      result.code = (await runAck(file, o, io(o.json))).exitCode;
    });

  fhirOptions(
    program
      .command('eligibility')
      .description('ask Medicaid who is covered: write an X12 270 for the roster or some participants, or read the 271 answer into the FHIR server')
      .option('--roster', 'ask about every participant with an active Coverage')
      .option('--participant <ids...>', 'ask about these participants (source-system ids)')
      .option('--out <file.270>', 'the 270 file to write')
      .option('--read <file.271>', 'read a 271: store CoverageEligibilityResponses and update Coverages')
      .option('--date <YYYY-MM-DD>', 'date of service to ask about (default today)')
      .option('--config <file>', 'config file (the agency, the identifier namespace)', 'peer-fhir.config.json')
      .option('--json', 'print the summary as JSON'),
  )
    .addHelpText('after', examples([
      'peer-fhir eligibility --roster --date 2025-03-03 --out roster.270',
      'peer-fhir eligibility --participant P-0001 P-0002 --out two.270',
      'peer-fhir eligibility --read roster.271 --json',
    ]))
    .action(async (o) => {
      result.code = (await runEligibility(o, io(o.json))).exitCode;
    });

  fhirOptions(
    program
      .command('status')
      .description('chase unanswered claims: write an X12 276 for active Claims older than N days without a final ClaimResponse, or read the 277 answer')
      .option('--older-than <days>', 'age of the claims to ask about, e.g. 30d')
      .option('--out <file.276>', 'the 276 file to write')
      .option('--read <file.277>', 'read a 277 claim status response: store ClaimResponses and report each claim')
      .option('--as-of <YYYY-MM-DD>', 'count the age from this day (default today)')
      .option('--config <file>', 'config file (the agency, the payer)', 'peer-fhir.config.json')
      .option('--json', 'print the summary as JSON'),
  )
    .addHelpText('after', examples(['peer-fhir status --older-than 30d --out aged.276', 'peer-fhir status --older-than 45d --out aged.276 --json', 'peer-fhir status --read aged.277']))
    .action(async (o) => {
      result.code = (await runStatus(o, io(o.json))).exitCode;
    });

  const report = program
    .command('report')
    .description('workforce compliance, outcome trends, a monthly HTML page and the accounting of disclosures from the records on a FHIR server')
    .addHelpText('after', examples(['peer-fhir report compliance --period 2025-01..2025-03 --ce ce.csv', 'peer-fhir report outcomes --instrument barc-10', 'peer-fhir report html --period 2025-03 --bill-report out/march.report.json --out out/march.html', 'peer-fhir report disclosures --participant p-1']));

  fhirOptions(
    report
      .command('compliance')
      .description('credentials, services without a valid credential, supervision, continuing education and caseload of the agency\'s peers over a period')
      .option('--period <YYYY-MM[..YYYY-MM]>', 'a month or a range of months')
      .option('--from <date>', 'first day YYYY-MM-DD (instead of --period)')
      .option('--to <date>', 'last day YYYY-MM-DD (instead of --period)')
      .option('--as-of <date>', 'day credentials are judged on (default: the last day of the period)')
      .option('--requirements <file.json>', 'requirements laid over the defaults (docs/cli.md)')
      .option('--ce <file>', 'continuing-education records, CSV or NDJSON (docs/cli.md)')
      .option('--organization-npi <npi>', 'the agency (default: the config\'s organization)')
      .option('--config <file>', 'config file (agency, identifier namespace; default ./peer-fhir.config.json when present)')
      .option('--out <file.md>', 'write the report as Markdown and, next to it, JSON')
      .option('--json', 'print the report as JSON'),
  )
    .addHelpText('after', examples([
      'peer-fhir report compliance --period 2025-03',
      'peer-fhir report compliance --period 2025-01..2025-06 --ce ce.csv --requirements nc.json --out out/h1-compliance.md',
      'peer-fhir report compliance --from 2025-01-01 --to 2025-03-31 --organization-npi 1234567893 --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN --json',
    ]))
    .action(async (o) => {
      result.code = (await runComplianceReport(o, io(o.json))).exitCode;
    });

  fhirOptions(
    report
      .command('outcomes')
      .description('per participant score trends and, per program, the share whose score rose and the share who improved')
      .addOption(new Option('--instrument <id>', 'outcome instrument').choices(['barc-10', 'phq-9']).makeOptionMandatory())
      .addOption(new Option('--program <program>', 'only participants with an encounter in this program').choices(['mental-health', 'substance-use', 'co-occurring']))
      .option('--period <YYYY-MM[..YYYY-MM]>', 'a month or a range of months (default: all dates)')
      .option('--from <date>', 'first day YYYY-MM-DD')
      .option('--to <date>', 'last day YYYY-MM-DD')
      .option('--organization-npi <npi>', "the agency (default: the config's organization)")
      .option('--config <file>', 'config file (agency, identifier namespace; default ./peer-fhir.config.json when present)')
      .option('--out <file.md>', 'write the report as Markdown and, next to it, JSON')
      .option('--json', 'print the report as JSON'),
  )
    .addHelpText('after', examples([
      'peer-fhir report outcomes --instrument barc-10',
      'peer-fhir report outcomes --instrument phq-9 --program co-occurring --from 2025-01-01 --to 2025-06-30 --out out/phq9.md',
      'peer-fhir report outcomes --instrument barc-10 --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN --json',
    ]))
    .action(async (o) => {
      result.code = (await runOutcomesReport(o, io(o.json))).exitCode;
    });

  fhirOptions(
    report
      .command('html')
      .description('one self-contained HTML page for a month: billed and held, money, units by specialist, compliance, outcomes (aggregates unless --include-phi)')
      .requiredOption('--period <YYYY-MM>', 'the month')
      .option('--bill-report <file.json...>', 'the .report.json files peer-fhir bill wrote for the month (one per pack)')
      .option('--include-phi', 'add participant-level tables (PHI); default: aggregates only')
      .option('--config <file>', 'config file (agency, identifier namespace; default: peer-fhir.config.json when present)')
      .option('--out <file.html>', 'the HTML file to write')
      .option('--json', 'print the figures of the page as JSON'),
  )
    .addHelpText('after', examples([
      'peer-fhir report html --period 2025-03 --bill-report out/march.report.json --out out/march.html',
      'peer-fhir report html --period 2025-03 --bill-report out/march.report.json --json',
      'peer-fhir report html --period 2025-03 --include-phi --out /secure/march-phi.html',
    ]))
    .action(async (o) => {
      result.code = (await runHtmlReport(o, io(o.json))).exitCode;
    });

  fhirOptions(
    report
      .command('disclosures')
      .description('who received a participant\'s records: every disclosure recorded as an AuditEvent (42 CFR 2.24, 45 CFR 164.528)')
      .requiredOption('--participant <id>', 'the participant (domain id)')
      .option('--since <date>', 'only disclosures on or after this day YYYY-MM-DD')
      .option('--config <file>', 'config file (the agency, the identifier namespace)')
      .option('--organization-npi <npi>', "the agency (default: the config's organization)")
      .option('--out <file.md>', 'write the report as Markdown and, next to it, JSON')
      .option('--json', 'print the report as JSON'),
  )
    .addHelpText('after', examples([
      'peer-fhir report disclosures --participant p-1',
      'peer-fhir report disclosures --participant p-1 --since 2026-01-01 --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN --json',
    ]))
    .action(async (o) => {
      result.code = (await runDisclosuresReport(o, io(o.json))).exitCode;
    });

  program
    .command('validate')
    .description('check import rows exactly as import does (nothing written), or FHIR resources (JSON / NDJSON); explain each problem')
    .argument('<files...>', 'CSV / NDJSON rows, or FHIR JSON / NDJSON')
    .addOption(new Option('--format <format>', 'input format of rows').choices(['csv', 'ndjson']))
    .addOption(new Option('--kind <kind>', 'record kind of the row files, as import --kind (default: from each header)').choices([...IMPORT_KINDS]))
    .option('--config <file>', 'config file (default: ./peer-fhir.config.json when present, else a placeholder agency)')
    .option('--profiles', 'check FHIR JSON / NDJSON files or folders against the profiles each resource names (US Core 6.1.0, peer-fhir)')
    .option('--fhir-package <file.tgz>', 'with --profiles: also validate against this FHIR package (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--json', 'print the problems as JSON')
    .addHelpText('after', examples(['peer-fhir validate export.csv', 'peer-fhir validate claims.ndjson bundle.json --json', 'peer-fhir validate --profiles out/']))
    .action(async (files: string[], o) => {
      if (o.fhirPackage.length && !o.profiles) throw new CliUsageError('--fhir-package needs --profiles');
      result.code = (o.profiles ? await runValidateProfiles(files, o, io(o.json)) : await runValidate(files, o, io(o.json))).exitCode;
    });

  program
    .command('packs')
    .description('list the billing rule packs with effective dates and sources')
    .option('--json', 'print the packs as JSON')
    .addHelpText('after', examples(['peer-fhir packs', 'peer-fhir packs --json']))
    .action((o) => {
      result.code = runPacks(io(o.json)).exitCode;
    });

  program
    .command('serve')
    .description('run the embedded FHIR R4 server; data is kept in a SQLite database in a folder, one server per folder')
    .option('--port <n>', 'TCP port', int('--port'), 8080)
    .option('--host <host>', 'interface to listen on (not loopback: needs a bearer token)', '127.0.0.1')
    .option('--data <dir>', 'data folder (SQLite database, committed on every write)', '.peer-fhir/data')
    .option('--auth-token <token>', 'bearer token every request must carry (prefer --auth-env)')
    .option('--auth-env <name>', 'environment variable holding the bearer token')
    .option('--max-body-mb <n>', 'largest request body in MiB (default 16)', Number)
    .option('--allow-origin <origin...>', 'browser origins allowed to call the server')
    .option('--allow-host <host...>', 'extra Host header values to accept (name:port)')
    .option('--json', 'print the server URL as JSON')
    .addHelpText('after', examples(['peer-fhir serve', 'peer-fhir serve --port 9090 --data ./fhir-data', 'PEER_FHIR_TOKEN=... peer-fhir serve --host 0.0.0.0 --auth-env PEER_FHIR_TOKEN']))
    .action(async (o) => {
      // The handlers are installed before the server starts (and prints its URL): a SIGTERM that arrives while it
      // is starting, or right after it printed, still stops it cleanly instead of killing the process.
      let running: Awaited<ReturnType<typeof runServe>> | undefined;
      let stopRequested = false;
      let done: () => void = () => undefined;
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        if (running) void running.stop().then(done, done);
        else stopRequested = true;
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        running = await runServe(o, io(o.json));
      } catch (err) {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        throw err;
      }
      const started = running;
      result.wait = new Promise<void>((resolve) => {
        done = resolve;
        if (stopRequested) void started.stop().then(resolve, resolve);
      });
    });

  program
    .command('export')
    .description("write every resource of the embedded server's data folder as NDJSON")
    .option('--data <dir>', 'data folder of the embedded server', '.peer-fhir/data')
    .option('--out <file>', 'NDJSON file to write (default: stdout)')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', examples(['peer-fhir export --out backup.ndjson', 'peer-fhir export --data ./fhir-data > all.ndjson']))
    .action(async (o) => {
      await runExport(o, io(o.json));
    });

  program
    .command('sync')
    .description('incremental sync with FHIR Bulk Data: export changes since the checkpoint stored in the target, write them, move the checkpoint')
    .requiredOption('--from <url>', 'FHIR base URL to export from ($export)')
    .option('--to <url>', 'FHIR base URL to write to (default: the embedded server, data in --data)')
    .option('--since <auto|all|instant>', 'auto: since the last complete sync (checkpoint in the target); all: everything', 'auto')
    .option('--types <list>', 'comma-separated resource types (_type)')
    .option('--from-auth-env <var>', 'environment variable holding the source bearer token')
    .option('--to-auth-env <var>', 'environment variable holding the target bearer token')
    .option('--data <dir>', 'data folder of the embedded server', '.peer-fhir/data')
    .option('--batch-size <n>', 'resources per write batch', '100')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', examples(['peer-fhir sync --from https://ehr.example/fhir --from-auth-env EHR_TOKEN', 'peer-fhir sync --from http://127.0.0.1:8081/fhir --to http://127.0.0.1:8080/fhir --since all --json']))
    .action(async (o) => {
      result.code = (await runSync(o, io(o.json))).exitCode;
    });

  program
    .command('demo')
    .description('the whole flow on synthetic data: embedded server, import, bill (837P), remit (835), summary')
    .option('--out <dir>', 'output folder', '.peer-fhir/demo')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples(['peer-fhir demo', 'peer-fhir demo --out /tmp/demo --json']))
    .action(async (o) => {
      result.code = (await runDemo(o, io(o.json))).exitCode;
    });

  return { program, result };
}

/**
 * Run `peer-fhir` with `argv` (as `process.argv`) and return the exit code: 0 success, 1 some rows rejected or
 * encounters held, 2 usage or configuration error. Errors print their code, message and a hint (OS errors their code,
 * operation and path), never data values or tokens; `PEER_FHIR_DEBUG=1` adds the stack.
 *
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
