import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { listPacks, type RulePack } from '@peer-fhir/billing';
import { CliConfig, loadConfig, parseConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { printJson, say, type CommandIo } from '../internal/io.js';
import { exists, writeTemplates, type TemplatesWritten } from '../import/write-templates.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runInit} (`peer-fhir init`). Every value not given is asked for when `interactive` is true;
 * otherwise a missing required value is an {@link InitOptionError}.
 *
 * @example
 * ```ts
 * const opts: InitOptions = {
 *   name: 'Harbor Peer Agency', npi: '1234567893', taxId: '123456789', address: '1 Main St', city: 'Austin',
 *   state: 'TX', zip: '787011234', phone: '5125550100', payerId: 'TXMCD', pack: 'tx-medicaid-peer-specialist-2019', charge: ['H0038=18.50'],
 * };
 * ```
 * @category Init
 */
export interface InitOptions {
  /** The agency's legal name (837P 2010AA NM103). */
  name?: string | undefined;
  /** The agency's Type 2 NPI: 10 digits with a Luhn check digit. */
  npi?: string | undefined;
  /** Employer identification number, nine digits. */
  taxId?: string | undefined;
  /** NUCC taxonomy of the agency; default `251S00000X` (Community/Behavioral Health). */
  taxonomy?: string | undefined;
  /** Street line of the agency's address. */
  address?: string | undefined;
  city?: string | undefined;
  /** Two-letter state code; rule packs are chosen by it. */
  state?: string | undefined;
  /** ZIP+4, nine digits (837P 2010AA N403 needs all nine). */
  zip?: string | undefined;
  /** Ten-digit phone of the billing office (837P 1000A PER04 needs a submitter contact number). */
  phone?: string | undefined;
  /** The Medicaid payer's id (837P 2010BB NM109). */
  payerId?: string | undefined;
  /** The payer's name; default the pack's payer. */
  payerName?: string | undefined;
  /** Rule pack id (`peer-fhir packs`); it must be for the agency's state (or nationwide). */
  pack?: string | undefined;
  /** Identifier namespace of the agency's source system; optional. */
  namespace?: string | undefined;
  /** `CODE=AMOUNT` charges for the pack's codes that have no published rate (837P SV102 needs a charge). */
  charge?: readonly string[] | undefined;
  /** Config file to write; default `peer-fhir.config.json` in the working directory. */
  out?: string | undefined;
  /** Replace an existing config file. */
  force?: boolean | undefined;
  /**
   * Folder for one CSV template per import kind (encounters, consents, plans, outcomes, supervision,
   * continuing-education); default
   * `templates` next to the config; `false` writes none. Existing files there are kept.
   */
  templates?: string | false | undefined;
  /** Ask for missing values (the CLI sets it when stdin is a terminal and `--no-input` is not given). */
  interactive?: boolean | undefined;
  /** Where interactive answers come from; default terminal prompts. Tests and embedding tools pass their own. */
  prompter?: InitPrompter | undefined;
}

/**
 * Asks the person running `init` for one value. `validate` returns `true` or a message (never echoing the value).
 *
 * @example
 * ```ts
 * const scripted: InitPrompter = {
 *   text: async ({ message }) => (message.includes('NPI') ? '1234567893' : 'x'),
 *   choose: async ({ choices }) => choices[0]!.value,
 * };
 * ```
 * @category Init
 */
export interface InitPrompter {
  text(question: { message: string; default?: string | undefined; validate: (value: string) => true | string }): Promise<string>;
  choose(question: { message: string; choices: readonly { value: string; name: string }[] }): Promise<string>;
}

/**
 * What {@link runInit} wrote: the file, the validated config, and the commands to run next.
 *
 * @example
 * ```ts
 * const { file, next } = await runInit(opts, io);
 * ```
 * @category Init
 */
export interface InitResult {
  file: string;
  /** The import templates written (and those kept because a file by that name was there). */
  templates: TemplatesWritten | undefined;
  config: CliConfig;
  next: string[];
  exitCode: ExitCode;
}

/** One bad or missing option: its name and what is wrong, never its value. @category Init */
export interface InitProblem {
  option: string;
  problem: string;
}

/**
 * `peer-fhir init` was given a bad or missing option: a {@link CliUsageError} (exit 2) with code
 * `cli.init.option-invalid`, one `problems` line per option (`--npi: NPI check digit is invalid`) and the same as data in
 * `invalid`. Neither the message nor the lines hold the value given.
 *
 * @example
 * ```ts
 * try { await runInit({ npi: '1234567890' }, io); }
 * catch (e) { if (e instanceof InitOptionError) console.error(e.invalid.map((p) => p.option)); }
 * ```
 * @category Init
 */
export class InitOptionError extends CliUsageError {
  /** Each bad or missing option and what is wrong with it. */
  readonly invalid: readonly InitProblem[];
  constructor(invalid: readonly InitProblem[]) {
    super(
      `init: ${invalid.length} option(s) missing or invalid: ${[...new Set(invalid.map((p) => p.option))].join(', ')}`,
      invalid.map((p) => `${p.option}: ${p.problem}`),
      'cli.init.option-invalid',
    );
    this.invalid = invalid;
  }
}

/**
 * `peer-fhir init` would overwrite a config file and `--force` was not given: a {@link CliUsageError} with code
 * `cli.init.file-exists`. Nothing was written.
 *
 * @example
 * ```ts
 * try { await runInit(opts, io); } catch (e) { if (e instanceof InitFileExistsError) console.error(e.code); }
 * ```
 * @category Init
 */
export class InitFileExistsError extends CliUsageError {
  constructor(file: string) {
    super(`${file} exists; pass --force to replace it`, [], 'cli.init.file-exists');
  }
}

const DEFAULT_TAXONOMY = '251S00000X';
const org = CliConfig.shape.organization.shape;
const payer = CliConfig.shape.payer.shape;

/** A field's check with the config schema's own zod type: `true` or the schema's value-free message. */
function check(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: readonly { message: string; code: string }[] } } }, extra?: (v: string) => true | string) {
  return (value: string): true | string => {
    const r = schema.safeParse(value);
    if (!r.success) {
      const issue = r.error?.issues[0];
      // Regex and refine messages in core are written without values; zod's own wording is replaced.
      return issue && (issue.code === 'invalid_format' || issue.code === 'custom') ? issue.message : 'is invalid';
    }
    return extra ? extra(value) : true;
  };
}

const nonEmpty = (v: string): true | string => (v.trim() === '' ? 'is required' : true);

interface Field {
  key: keyof InitOptions & string;
  option: string;
  message: string;
  required: boolean;
  default?: (o: InitOptions) => string | undefined;
  validate: (value: string) => true | string;
}

/** The questions in the order they are asked, each with the option that answers it and the schema that checks it. */
const FIELDS: readonly Field[] = [
  { key: 'name', option: '--name', message: 'Agency legal name', required: true, validate: check(org.name) },
  { key: 'npi', option: '--npi', message: 'Agency NPI (Type 2, 10 digits)', required: true, validate: check(org.npi) },
  { key: 'taxId', option: '--tax-id', message: 'Tax id (EIN, 9 digits)', required: true, validate: check(org.taxId) },
  { key: 'taxonomy', option: '--taxonomy', message: 'Agency taxonomy (NUCC)', required: false, default: () => DEFAULT_TAXONOMY, validate: check(org.taxonomy) },
  { key: 'address', option: '--address', message: 'Street address', required: true, validate: nonEmpty },
  { key: 'city', option: '--city', message: 'City', required: true, validate: nonEmpty },
  { key: 'state', option: '--state', message: 'State (two letters)', required: true, validate: check(org.address.shape.state) },
  {
    key: 'zip',
    option: '--zip',
    message: 'ZIP+4 (9 digits)',
    required: true,
    // 837P 2010AA N403: the billing provider's ZIP code must be the full nine digits.
    validate: check(org.address.shape.postalCode, (v) => (/^\d{5}-?\d{4}$/.test(v) ? true : 'must be ZIP+4, nine digits (837P 2010AA N403)')),
  },
  // 837P 1000A PER04: the submitter contact needs a phone (or email); bill uses the agency's phone.
  { key: 'phone', option: '--phone', message: 'Billing office phone (10 digits)', required: true, validate: check(org.phone.unwrap()) },
  { key: 'payerId', option: '--payer-id', message: 'Medicaid payer id (from the payer\'s 837P companion guide)', required: true, validate: check(payer.id) },
];

/** Packs an agency in `state` can bill under: the state's own and the nationwide ones. */
function packsFor(state: string | undefined): RulePack[] {
  return listPacks().filter((p) => state === undefined || p.state === state || p.state === 'US');
}

function payerNameOf(p: RulePack): string {
  const v = p.payer as unknown;
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'name' in v && typeof (v as { name: unknown }).name === 'string') return (v as { name: string }).name;
  return '';
}

/** The pack's codes without a published rate: the agency's own charge is needed for each (837P SV102). */
function unpricedCodes(p: RulePack): string[] {
  return [...new Set(p.rates.filter((r) => r.amount === null).map((r) => r.code))].sort();
}

function parseCharges(list: readonly string[], problems: InitProblem[]): Record<string, number> {
  const out: Record<string, number> = {};
  list.forEach((item, i) => {
    const [, code, amount] = /^([A-Z]\d{4})=(\d{1,6}(?:\.\d{1,2})?)$/.exec(item.trim()) ?? [];
    if (code === undefined || Number(amount) <= 0) problems.push({ option: '--charge', problem: `item ${i + 1} must be CODE=AMOUNT, a HCPCS code and a positive dollar amount (e.g. H0038=18.50)` });
    else out[code] = Number(amount);
  });
  return out;
}


/** Terminal prompts (@inquirer/prompts), loaded only when `init` asks. */
async function terminalPrompter(io: CommandIo): Promise<InitPrompter> {
  const { input, select } = await import('@inquirer/prompts');
  const context = { output: io.stderr };
  return {
    text: (q) => input({ message: q.message, ...(q.default !== undefined ? { default: q.default } : {}), validate: q.validate }, context),
    choose: (q) => select({ message: q.message, choices: q.choices.map((c) => ({ value: c.value, name: c.name })) }, context),
  };
}

/**
 * Write a validated `peer-fhir.config.json` for an agency: its name, NPI (Luhn-checked), tax id, address, state,
 * the Medicaid payer, the rule pack and the charges the pack needs. Values come from options, and the missing ones
 * from prompts when `interactive`. The config is checked with {@link parseConfig} (the schema every command
 * reads), written, and read back with {@link loadConfig}. An existing file is replaced only with `force`.
 *
 * @param opts - the options of `peer-fhir init` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the config written, the templates written and the exit code
 * @throws {@link InitOptionError} a missing or invalid option (named, value never echoed)
 * @throws {@link InitFileExistsError} the file exists and `force` is not set
 * @example
 * ```ts
 * import { runInit } from '@peer-fhir/cli';
 * const { file, next } = await runInit({
 *   name: 'Harbor Peer Agency', npi: '1234567893', taxId: '123456789', address: '1 Main St', city: 'Austin',
 *   state: 'TX', zip: '787011234', phone: '5125550100', payerId: 'TXMCD', pack: 'tx-medicaid-peer-specialist-2019', charge: ['H0038=18.50'],
 * }, io);
 * ```
 * @category Commands
 */
export async function runInit(opts: InitOptions, io: CommandIo): Promise<InitResult> {
  const file = opts.out === undefined ? join(io.cwd, 'peer-fhir.config.json') : isAbsolute(opts.out) ? opts.out : join(io.cwd, opts.out);
  const shown = relative(io.cwd, file) || file;
  // Refuse before asking anything: an agency's working config is not replaced by accident.
  if (!opts.force && (await exists(file))) throw new InitFileExistsError(shown);
  const prompter = opts.interactive ? (opts.prompter ?? (await terminalPrompter(io))) : undefined;

  const problems: InitProblem[] = [];
  const values = await fieldValues(opts, prompter, problems);
  const pack = await choosePack(opts, values.state, prompter, problems);
  const payerName = await payerNameFor(opts, pack, prompter, problems);
  const charges = await chargesFor(opts, pack, prompter, problems);
  if (opts.namespace !== undefined && check(CliConfig.shape.namespace.unwrap())(opts.namespace) !== true) problems.push({ option: '--namespace', problem: 'must not be empty' });
  // No pack chosen is one of the problems (choosePack says why).
  if (problems.length > 0 || pack === undefined) throw new InitOptionError(problems);

  // The schema every command reads: what passes here is what `import` and `bill` accept.
  const config = parseConfig(configCandidate(opts, values, payerName, pack, charges), shown);
  await writeConfigFile(file, shown, config);
  const templates = await writeInitTemplates(opts, file, io.cwd);
  const tdir = templates ? relative(io.cwd, templates.dir) || '.' : 'docs/templates';
  const next = [
    `peer-fhir import ${tdir}/encounters-template.csv        # then consents, plans, outcomes, supervision, continuing-education (docs/import-format.md)`,
    `peer-fhir bill --period YYYY-MM --out claims.x12         # bill a month under ${config.pack}`,
    'peer-fhir remit era.835                                 # read the payer\'s answer',
    'peer-fhir report html --period YYYY-MM --bill-report claims.report.json --out report.html',
  ];
  printInit(io, { shown, config, templates, tdir, next });
  return { file, config, templates, next, exitCode: ExitCode.OK };
}

type Prompter = NonNullable<InitOptions['prompter']>;
type FieldValues = Partial<Record<Field['key'], string>>;

/** Each agency field from its option, else asked (on a terminal), else its default; problems by option. */
async function fieldValues(opts: InitOptions, prompter: Prompter | undefined, problems: InitProblem[]): Promise<FieldValues> {
  const values: FieldValues = {};
  for (const f of FIELDS) {
    let v = opts[f.key] as string | undefined;
    if (v === undefined && prompter) {
      const dflt = f.default?.(opts);
      v = await prompter.text({ message: f.message, default: dflt, validate: (x) => (x === '' && !f.required ? true : f.validate(x)) });
      if (v === '' && !f.required) v = undefined;
    }
    v ??= f.default?.(opts);
    if (v === undefined) {
      if (f.required) problems.push({ option: f.option, problem: 'is required' });
      continue;
    }
    const ok = f.validate(v);
    if (ok !== true) problems.push({ option: f.option, problem: ok });
    else values[f.key] = v.trim();
  }
  return values;
}

/** The rule pack: one of the state's own or a nationwide one (asked on a terminal when not given). */
async function choosePack(opts: InitOptions, state: string | undefined, prompter: Prompter | undefined, problems: InitProblem[]): Promise<RulePack | undefined> {
  const candidates = packsFor(state);
  let packId = opts.pack;
  if (packId === undefined && prompter && candidates.length > 0) {
    packId = await prompter.choose({ message: 'Rule pack', choices: candidates.map((p) => ({ value: p.id, name: `${p.id} — ${p.title}` })) });
  }
  let pack: RulePack | undefined;
  if (packId === undefined) problems.push({ option: '--pack', problem: 'is required (see peer-fhir packs)' });
  else {
    pack = listPacks().find((p) => p.id === packId);
    if (!pack) problems.push({ option: '--pack', problem: 'names no known rule pack (see peer-fhir packs)' });
    else if (state !== undefined && pack.state !== state && pack.state !== 'US') {
      problems.push({ option: '--pack', problem: 'is for another state than --state' });
    }
  }

  return pack;
}

/** The payer's name: the option, else the pack's payer (asked on a terminal). */
async function payerNameFor(opts: InitOptions, pack: RulePack | undefined, prompter: Prompter | undefined, problems: InitProblem[]): Promise<string | undefined> {
  let payerName = opts.payerName ?? (pack ? payerNameOf(pack) || undefined : undefined);
  if (opts.payerName === undefined && prompter) {
    payerName = await prompter.text({ message: 'Payer name', default: payerName, validate: check(payer.name) });
  }
  if (payerName === undefined) {
    if (pack) problems.push({ option: '--payer-name', problem: 'is required (the pack names no payer)' });
  } else if (check(payer.name)(payerName) !== true) problems.push({ option: '--payer-name', problem: 'must not be empty' });

  return payerName;
}

/** The agency's charge per unit: `--charge`, and for each code the pack publishes no rate for, asked or required. */
async function chargesFor(opts: InitOptions, pack: RulePack | undefined, prompter: Prompter | undefined, problems: InitProblem[]): Promise<Record<string, number>> {
  const charges = parseCharges(opts.charge ?? [], problems);
  for (const code of pack ? unpricedCodes(pack) : []) {
    if (charges[code] !== undefined) continue;
    if (prompter) {
      const answer = await prompter.text({
        message: `Your charge per unit of ${code} in dollars (the pack publishes no rate; 837P SV102 needs one)`,
        validate: (x) => (/^\d{1,6}(\.\d{1,2})?$/.test(x.trim()) && Number(x) > 0 ? true : 'must be a positive dollar amount'),
      });
      charges[code] = Number(answer.trim());
    } else problems.push({ option: '--charge', problem: `${code} needs a charge: the pack publishes no rate (give --charge ${code}=AMOUNT)` });
  }

  return charges;
}

/** The config as the answers give it, before the schema every command reads checks it. */
function configCandidate(opts: InitOptions, values: FieldValues, payerName: string | undefined, pack: RulePack, charges: Record<string, number>): unknown {
  const candidate = {
    organization: {
      name: values.name,
      npi: values.npi,
      taxId: values.taxId,
      taxonomy: values.taxonomy,
      address: { line: [values.address], city: values.city, state: values.state, postalCode: values.zip?.replace('-', '') },
      ...(values.phone !== undefined ? { phone: values.phone } : {}),
    },
    payer: { id: values.payerId, name: payerName },
    pack: pack.id,
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    ...(Object.keys(charges).length > 0 ? { charges } : {}),
  };
  return candidate;
}

/** Write the config and read it back with the loader every command uses. */
async function writeConfigFile(file: string, shown: string, config: CliConfig): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  } catch {
    throw new CliUsageError(`cannot write ${shown}`);
  }
  await loadConfig(file);
}

/** What `init` wrote and what to do next. */
function printInit(io: CommandIo, r: { shown: string; config: CliConfig; templates: TemplatesWritten | undefined; tdir: string; next: string[] }): void {
  const { shown, config, templates, tdir, next } = r;
  if (io.json) {
    printJson(io, { file: shown, config, templates, next, exitCode: ExitCode.OK });
    return;
  }
  say(io, `wrote ${shown}: agency in ${config.organization.address.state}, payer ${config.payer.id}, pack ${config.pack}`);
  if (templates?.written.length) say(io, `wrote import templates to ${tdir}/: ${templates.written.join(', ')}`);
  if (templates?.kept.length) say(io, `kept existing ${templates.kept.join(', ')} in ${tdir}/`);
  say(io, '');
  say(io, 'Next:');
  for (const n of next) say(io, `  ${n}`);
}

/** The templates `init` writes: into `--templates DIR`, `templates/` next to the config by default, none for `false`. */
async function writeInitTemplates(opts: InitOptions, configFile: string, cwd: string): Promise<TemplatesWritten | undefined> {
  if (opts.templates === false) return undefined;
  const dir = opts.templates === undefined ? join(dirname(configFile), 'templates') : isAbsolute(opts.templates) ? opts.templates : join(cwd, opts.templates);
  try {
    return await writeTemplates(dir);
  } catch {
    throw new CliUsageError(`cannot write the import templates to ${relative(cwd, dir) || dir}`);
  }
}

/** `peer-fhir init`: its options and help, and how it runs (docs/cli.md). */
export const initCommand: CommandDefinition<InitOptions & { input?: boolean; json?: boolean }> = {
  name: 'init',
  define: (cmd) =>
    sharedOptions(
      cmd
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
        .option('--no-input', 'never ask; missing options are errors (default when stdin is not a terminal)'),
      'json',
    )
      .addHelpText('after', examples([
        'peer-fhir init                                               # asks for each value',
        'peer-fhir init --name "Harbor Peer Agency" --npi 1234567893 --tax-id 123456789 --address "1 Main St" --city Austin --state TX --zip 787011234 --phone 5125550100 --payer-id TXMCD --pack tx-medicaid-peer-specialist-2019 --charge H0038=18.50',
      ])),
  run: async (o, io) => {
    // Asks only on a terminal; --no-input or --json never ask. Errors (cli.init.*) print like every usage error.
    return runInit({ ...o, interactive: o.input !== false && process.stdin.isTTY === true && o.json !== true }, io);
  },
};
