import { listPacks, type RulePack } from '@peer-fhir/billing';
import { ExitCode } from '../errors.js';
import { printJson, say, type CommandIo } from '../internal/io.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * One rule pack as `peer-fhir packs` lists it.
 *
 * @example
 * ```ts
 * const row: PackListing = { id: 'tx-medicaid-peer-specialist-2019', title: '…', state: 'TX', payer: 'Texas Medicaid',
 *   effective: { start: '2019-01-01' }, services: ['H0038'], sources: ['https://…'] };
 * ```
 * @category Packs
 */
export interface PackListing {
  id: string;
  version: string;
  title: string;
  state: string;
  payer: string;
  effective: { start: string; end?: string | undefined };
  services: string[];
  /** Every distinct source URL the pack cites. */
  sources: string[];
}

function sourcesOf(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => sourcesOf(v, out));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o['url'] === 'string' && typeof o['confirmed'] === 'boolean') out.add(o['url']);
    for (const v of Object.values(o)) sourcesOf(v, out);
  }
  return out;
}

function payerName(p: RulePack): string {
  const payer = p.payer as unknown;
  if (typeof payer === 'string') return payer;
  if (payer && typeof payer === 'object' && 'name' in payer) return String((payer as { name: unknown }).name);
  return '';
}

/**
 * List the built-in rule packs with their effective dates and sources (`peer-fhir packs`).
 *
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the packs listed and the exit code
 * @example
 * ```ts
 * import { runPacks } from '@peer-fhir/cli';
 * const packs = runPacks(io); // also prints them
 * ```
 * @category Commands
 */
export function runPacks(io: CommandIo): { packs: PackListing[]; exitCode: ExitCode } {
  const packs = listPacks().map((p) => ({
    id: p.id,
    version: p.version,
    title: p.title,
    state: p.state,
    payer: payerName(p),
    effective: p.effective,
    services: p.services.map((s) => s.code),
    sources: [...sourcesOf(p)],
  }));
  if (io.json) printJson(io, { packs });
  else
    for (const p of packs) {
      say(io, `${p.id}  (${p.state}, ${p.services.join(' ')}, effective ${p.effective.start}${p.effective.end ? ` to ${p.effective.end}` : ''})`);
      say(io, `  ${p.title}${p.payer ? ` — ${p.payer}` : ''}`);
      for (const s of p.sources) say(io, `  source: ${s}`);
    }
  return { packs, exitCode: ExitCode.OK };
}

/** `peer-fhir packs`: its options and help, and how it runs (docs/cli.md). */
export const packsCommand: CommandDefinition<Record<string, unknown>> = {
  name: 'packs',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('list the billing rule packs with effective dates and sources'),
      'json',
    )
      .addHelpText('after', examples(['peer-fhir packs', 'peer-fhir packs --json'])),
  run: async (_o, io) => runPacks(io),
};
