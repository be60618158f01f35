import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Organization, type IdentityScope } from '@peer-fhir/core';
import { CliUsageError } from './errors.js';

/**
 * `peer-fhir.config.json`: who bills (the agency), whom (the Medicaid payer), under which rule pack, and the
 * identifier namespace of the records. Import rows carry only per-encounter data; these values apply to every row.
 *
 * @example
 * ```json
 * {
 *   "organization": { "name": "Harbor Peer Agency", "npi": "1234567893", "taxId": "123456789", "taxonomy": "251S00000X",
 *     "address": { "line": ["1 Main St"], "city": "Austin", "state": "TX", "postalCode": "787011234" } },
 *   "payer": { "id": "TXMCD", "name": "Texas Medicaid" },
 *   "pack": "tx-medicaid-peer-specialist-2019",
 *   "namespace": "https://ehr.example.org/ids",
 *   "charges": { "H0038": 18.5 }
 * }
 * ```
 * @category Configuration
 */
export const CliConfig = z.strictObject({
  /** The billing agency (Type 2 NPI). */
  organization: Organization,
  /** The Medicaid payer every participant with a `medicaid_id` is covered by. */
  payer: z.strictObject({
    id: z.string().trim().min(1).max(80),
    name: z.string().trim().min(1),
    planName: z.string().trim().min(1).optional(),
    /** Coverage start used when a row has no `coverage_start`; default `2000-01-01`. */
    coverageStart: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date YYYY-MM-DD' }).optional(),
  }),
  /** Id of the rule pack `bill` uses when `--pack` is not given (see `peer-fhir packs`). */
  pack: z.string().min(1).optional(),
  /** Identifier namespace prefix (see core's `identifierSystems`); identifiers are minted under it per agency. */
  namespace: z.string().min(1).optional(),
  /** The agency's charge per HCPCS code, for packs whose source gives no rate (837P SV102 needs a charge). */
  charges: z.record(z.string().regex(/^[A-Z]\d{4}$/, { message: 'must be a HCPCS code' }), z.number().positive()).optional(),
  /**
   * Supervisors' NUCC taxonomies: when the pack bills under the supervisor (Medicare incident-to), `bill` writes the
   * rendering supervisor's as 837P 2310B PRV*PE. A supervisor not listed gets no PRV. A list, so a problem is named by
   * position (`supervisors.0.taxonomy`), never by an NPI.
   */
  supervisors: z
    .array(
      z.strictObject({
        npi: z.string().regex(/^\d{10}$/, { message: 'must be a 10-digit NPI' }),
        taxonomy: z.string().regex(/^[0-9]{3}[0-9A-Z]{6}X$/, { message: 'must be a 10-character NUCC taxonomy code ending in X' }),
      }),
    )
    .optional(),
  /** X12 envelope ids for `bill`. */
  x12: z
    .strictObject({
      senderId: z.string().min(1).max(15),
      receiverId: z.string().min(1).max(15),
      receiverName: z.string().min(1),
      contactName: z.string().min(1),
      contactPhone: z.string().regex(/^\d{10}$/, { message: 'must be 10 digits' }).optional(),
      usage: z.enum(['T', 'P']).default('T'),
    })
    .optional(),
});
/**
 * The parsed {@link CliConfig}.
 * @example
 * ```ts
 * const config: CliConfig = await loadConfig('peer-fhir.config.json');
 * ```
 * @category Configuration
 */
export type CliConfig = z.infer<typeof CliConfig>;

/**
 * Read and validate a config file. Throws {@link CliUsageError} with one line per problem (`organization.npi: NPI
 * check digit is invalid`); values are never echoed.
 *
 * @param path - the config file (JSON)
 * @returns the validated config; a `CliUsageError` lists each problem by JSON path
 * @example
 * ```ts
 * const config = await loadConfig('peer-fhir.config.json');
 * ```
 * @category Configuration
 */
export async function loadConfig(path: string): Promise<CliConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CliUsageError(`cannot read config file ${path} (create it or pass --config)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliUsageError(`config file ${path} is not valid JSON`);
  }
  return parseConfig(json, path);
}

/**
 * Validate a config object (already parsed JSON). Throws {@link CliUsageError} listing every problem with its path.
 *
 * @param json - the parsed JSON of a config
 * @param source - how problems name the config (a file name)
 * @returns the validated config; a `CliUsageError` lists each problem by JSON path
 * @example
 * ```ts
 * const config = parseConfig(JSON.parse(text), 'peer-fhir.config.json');
 * ```
 * @category Configuration
 */
export function parseConfig(json: unknown, source = 'config'): CliConfig {
  const r = CliConfig.safeParse(json);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  throw new CliUsageError(`config file ${source} has ${details.length} problem(s)`, details);
}

/** The file every command reads when no `--config` is given. @category Configuration */
export const DEFAULT_CONFIG_FILE = 'peer-fhir.config.json';

/**
 * The one way every command finds its config: the config object given by an embedding program, else `--config`,
 * else `./peer-fhir.config.json` when it exists. `required` commands throw {@link CliUsageError} when there is none.
 *
 * @example
 * ```ts
 * const config = await resolveConfig({ config: undefined }, process.cwd(), true);
 * ```
 * @category Configuration
 */
export async function resolveConfig(opts: { config?: string | undefined; configValue?: CliConfig | undefined }, cwd: string, required: true): Promise<CliConfig>;
export async function resolveConfig(opts: { config?: string | undefined; configValue?: CliConfig | undefined }, cwd: string, required?: boolean): Promise<CliConfig | undefined>;
export async function resolveConfig(opts: { config?: string | undefined; configValue?: CliConfig | undefined }, cwd: string, required = false): Promise<CliConfig | undefined> {
  if (opts.configValue) return opts.configValue;
  if (opts.config) return loadConfig(opts.config);
  const path = join(cwd, DEFAULT_CONFIG_FILE);
  if (required) return loadConfig(path);
  try {
    await access(path);
  } catch {
    return undefined;
  }
  return loadConfig(path);
}

/**
 * The config file a command reads, found as {@link resolveConfig} finds it (`--config`, else
 * `./peer-fhir.config.json`); none when an embedding program gave the config itself. Outputs are checked against it:
 * no command may write over its own config.
 *
 * @param opts - the command's `config` (a path) and `configValue` (the config itself)
 * @param cwd - the working folder the default file is looked up in
 * @returns the path, or nothing when the config was given as a value
 * @example
 * ```ts
 * const inputs = configFilesOf({ config: undefined }, process.cwd()); // ['/work/peer-fhir.config.json']
 * ```
 * @category Configuration
 */
export function configFilesOf(opts: { config?: string | undefined; configValue?: CliConfig | undefined }, cwd: string): string[] {
  if (opts.configValue) return [];
  return [opts.config ?? join(cwd, DEFAULT_CONFIG_FILE)];
}

/**
 * The identity scope (agency NPI and namespace prefix) of a command: `organizationNpi` (a flag) over the config's
 * organization. Throws {@link CliUsageError} when neither names an agency: identifiers are scoped to one.
 *
 * @example
 * ```ts
 * const scope = scopeOf(await resolveConfig({}, process.cwd()), undefined);
 * ```
 * @category Configuration
 */
export function scopeOf(config: CliConfig | undefined, organizationNpi?: string | undefined): IdentityScope & { agency: string } {
  const agency = organizationNpi ?? config?.organization.npi;
  if (agency === undefined) throw new CliUsageError(`name the agency: a ${DEFAULT_CONFIG_FILE} (or --config) with its organization, or --organization-npi`);
  return config?.namespace === undefined ? { agency } : { agency, namespace: config.namespace };
}

/**
 * The supervisors' NUCC taxonomies of a config by NPI (billing's `ClaimOptions.supervisorTaxonomies`).
 *
 * @param config - a config (its `supervisors`)
 * @returns the taxonomy of each supervisor by NPI, or `undefined` when the config names none
 * @example
 * ```ts
 * const taxonomies = supervisorTaxonomiesOf(config); // { '1003000126': '1041C0700X' }
 * ```
 * @category Configuration
 */
export function supervisorTaxonomiesOf(config: Pick<CliConfig, 'supervisors'>): Record<string, string> | undefined {
  return config.supervisors ? Object.fromEntries(config.supervisors.map((s) => [s.npi, s.taxonomy])) : undefined;
}
