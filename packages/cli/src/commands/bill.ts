import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AuditEvent, Bundle, BundleEntry, Claim } from 'fhir/r4.js';
import { PeerClient, type PeerFhirClient } from '@peer-fhir/client';
import { PeerFhirValidationError, identifierSystems, toFhir, type IdentityScope, type PeerEncounter } from '@peer-fhir/core';
import { activePriorClaims, billingRolesOf, buildClaimBundle, claimDisclosureAudits, evaluateByParticipant, getPack, loadPack, mergeBillingResults, RulePackError, type BilledUnits, type BillingContext, type BillingResult, type PriorClaim, type RulePack } from '@peer-fhir/billing';
import { resolveX12ClaimInput, write837PStream, X12InputError, type X12ClaimInput } from '@peer-fhir/x12';
import { configFilesOf, resolveConfig, scopeOf, supervisorTaxonomiesOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { loadPeriodRecords } from '../internal/billing-context.js';
import { eligibilityContext } from '../internal/eligibility-checks.js';
import { loadBillingInputs } from './bill/inputs.js';
import { assertNotAnInput, createPrivateWriteStream, note, printJson, say, writePrivateFile, type CommandIo } from '../internal/io.js';
import { mdCell } from '../internal/report-output.js';
import { openTarget, type FhirTargetOptions } from '../internal/target.js';
import { correctionClaims, loadPriorClaims, type BillCorrectionSummary } from './bill/corrections.js';
import { type CommandDefinition, examples, sharedOptions } from '../internal/command.js';

/**
 * Options of {@link runBill} (`peer-fhir bill`).
 *
 * @example
 * ```ts
 * const opts: BillOptions = { pack: 'tx-medicaid-peer-specialist-2019', period: '2025-03', out: 'march.x12' };
 * ```
 * @category Bill
 */
export interface BillOptions extends FhirTargetOptions {
  /** Rule pack id (`peer-fhir packs`) or a path to a pack file ending in `.json` (validated); default the config's `pack`. */
  pack?: string | undefined;
  /** Billing month, `YYYY-MM`. */
  period: string;
  /** The 837P file to write. Claims (NDJSON) and the report (Markdown, JSON) are written next to it. */
  out: string;
  config?: string | undefined;
  configValue?: CliConfig | undefined;
  /** `Claim.created` and the 837P date (default now), for reproducible output. */
  date?: Date | undefined;
}

/**
 * The billing report `bill` writes as JSON (and as Markdown for people).
 *
 * @example
 * ```ts
 * const r: BillReport = (await runBill(opts, io)).report;
 * console.log(r.totals.charge, r.held.length);
 * ```
 * @category Bill
 */
export interface BillReport {
  pack: { id: string; version: string };
  period: string;
  encounters: number;
  totals: BillingResult['totals'];
  claims: number;
  lines: number;
  /** Billed charge and units by HCPCS code (with modifiers). */
  byCode: Record<string, { lines: number; units: number; charge: number }>;
  /** Billed charge and units by program. */
  byProgram: Record<string, { lines: number; units: number; charge: number }>;
  /** Counts of hold reasons by edit code. */
  holdsByCode: Record<string, number>;
  /** Every held or partly held encounter × participant with its reasons. */
  held: { encounterId: string; participantId: string; dateOfService: string; status: string; reasons: { code: string; reason: string }[] }[];
  files: { x12: string; claims: string; reportMarkdown: string; reportJson: string };
  /** Disclosure AuditEvents stored on the server before the 837P was written: one per claim carrying Part 2 data. */
  disclosuresRecorded?: number;
  /** Claims sent before: already billed (not billed again), replacements and voids sent, corrections awaiting the payer's claim number. */
  corrections?: BillCorrectionSummary;
  /**
   * Billing inputs read from the server for the period's participants: service orders, prior authorizations, service
   * lines of earlier claims counted against caps, and orders/authorizations that could not be read.
   */
  loaded?: { serviceOrders: number; priorAuthorizations: number; billedLines: number; unreadable: number };
}

/**
 * Result of {@link runBill}.
 *
 * @example
 * ```ts
 * const { report, exitCode } = await runBill(opts, io);
 * ```
 * @category Bill
 */
export interface BillResult {
  report: BillReport;
  /** The FHIR Claims written (also in the NDJSON file). */
  claims: Claim[];
  /** The claims as the 837P writer read them (for tools that build an 835 or resubmit). */
  inputs: X12ClaimInput[];
  exitCode: ExitCode;
}

/**
 * A pack by id (`peer-fhir packs`) or, when it names a `.json` file, loaded from that file and validated (problems by
 * JSON path, never values).
 */
async function packOf(idOrFile: string, cwd: string): Promise<RulePack> {
  if (!/\.json$/i.test(idOrFile)) {
    try {
      return getPack(idOrFile);
    } catch {
      throw new CliUsageError(`unknown rule pack ${idOrFile} (see peer-fhir packs), or give a pack file ending in .json`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(isAbsolute(idOrFile) ? idOrFile : join(cwd, idOrFile), 'utf8'));
  } catch {
    throw new CliUsageError(`cannot read ${idOrFile} as JSON`);
  }
  try {
    return loadPack(json);
  } catch (err) {
    if (err instanceof RulePackError) throw new CliUsageError(`${idOrFile} is not a valid rule pack`, err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`));
    throw err;
  }
}

/** The pack with the agency's charges for codes whose source gives no rate (837P SV102 needs a charge). */
function priced(pack: RulePack, charges: Record<string, number> | undefined): RulePack {
  if (!charges || pack.rates.every((r) => r.amount !== null)) return pack;
  return loadPack({
    ...pack,
    rates: pack.rates.map((r) => (r.amount !== null || charges[r.code] === undefined ? r : { ...r, amount: charges[r.code]! })),
  });
}

function monthRange(period: string): { from: string; to: string } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!m) throw new CliUsageError('--period must be a month YYYY-MM');
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` };
}

const add = (t: Record<string, { lines: number; units: number; charge: number }>, k: string, units: number, charge: number) => {
  const x = (t[k] ??= { lines: 0, units: 0, charge: 0 });
  x.lines++;
  x.units += units;
  x.charge = Math.round((x.charge + charge) * 100) / 100;
};

/**
 * Store the disclosure AuditEvents (42 CFR 2.24) on the server, each patient entity resolved from its identifier to
 * the server's `Patient/{id}` so the accounting can find it. Any failure throws: then no 837P is written.
 */
async function storeDisclosureAudits(client: PeerFhirClient, audits: readonly AuditEvent[]): Promise<void> {
  for (const audit of audits) {
    const entity = await Promise.all(
      (audit.entity ?? []).map(async (e) => {
        // A claim bundle points to its Patient entry by `urn:uuid:` (only meaningful inside that bundle); the stored
        // AuditEvent needs the server's `Patient/{id}`, so both a missing and a bundle-local reference are resolved.
        const local = e.what?.reference === undefined || e.what.reference.startsWith('urn:');
        const id = e.what?.type === 'Patient' && local ? e.what.identifier : undefined;
        if (id?.system === undefined || id.value === undefined) return e;
        const found = await client.search('Patient', { identifier: `${id.system}|${id.value}` });
        const patient = found.entry?.[0]?.resource;
        if (patient?.id === undefined) {
          const { reference: _bundleLocal, ...what } = e.what ?? {};
          return { ...e, what };
        }
        return { ...e, what: { ...e.what, reference: `Patient/${patient.id}` } };
      }),
    );
    await client.create({ ...audit, entity });
  }
}

/** Claims plus the records they reference as one transaction of conditional creates (billing again stores nothing new). */
function claimTransaction(claims: readonly Claim[], records: Parameters<typeof toFhir>[0], scope: IdentityScope): Bundle {
  const mapped = toFhir(records, { agency: scope.agency, namespace: scope.namespace });
  const claimSystem = identifierSystems(scope).claim;
  const claimEntries: BundleEntry[] = claims.map((c) => {
    const id = c.identifier?.find((i) => i.system === claimSystem) ?? c.identifier?.[0];
    return {
      resource: c,
      request: { method: 'POST', url: 'Claim', ...(id ? { ifNoneExist: `identifier=${encodeURIComponent(id.system ?? '')}|${encodeURIComponent(id.value ?? '')}` } : {}) },
    };
  });
  return { resourceType: 'Bundle', type: 'transaction', entry: [...(mapped.entry ?? []), ...claimEntries] };
}

/** Units on the period's standing prior claims, as billed-units history (one entry per line). */
function billedInPeriod(priorClaims: readonly PriorClaim[]): BilledUnits[] {
  return activePriorClaims(priorClaims).flatMap((c) => c.items.map((i) => ({ participantId: i.participantId, date: i.dateOfService, code: i.code, units: i.units, priorAuthUnits: 0 })));
}

/** Held only because it is already on a standing claim: not a problem, its own group in the report. */
function onlyDuplicate(d: BillingResult['decisions'][number]): boolean {
  return d.holds.length > 0 && d.holds.every((h) => h.code === 'PB-DUPLICATE');
}

function printCorrections(io: CommandIo, c: BillCorrectionSummary): void {
  if (c.priorClaims === 0) return;
  say(io, `claims sent before: ${c.priorClaims}; already billed (not billed again) ${c.alreadyBilled}, unchanged claims ${c.unchanged}`);
  say(io, `corrections: ${c.replacements} replacement(s) (frequency 7), ${c.voids} void(s) (frequency 8), ${c.awaitingPayerClaimNumber.length} awaiting payer claim number`);
}

function correctionsMarkdown(c: BillCorrectionSummary | undefined): string[] {
  if (!c || c.priorClaims === 0) return [];
  return [
    '## Claims sent before',
    '',
    `- already billed, not billed again (PB-DUPLICATE): ${c.alreadyBilled}`,
    `- claims unchanged: ${c.unchanged}; replacements sent (frequency 7): ${c.replacements}; voids sent (frequency 8): ${c.voids}`,
    `- awaiting payer claim number: ${c.awaitingPayerClaimNumber.length}`,
    ...c.awaitingPayerClaimNumber.map((a) => `  - ${mdCell(a.claimId)}: ${a.kind} (${a.reason}), encounters ${a.encounterIds.map(mdCell).join(', ')}`),
    '',
  ];
}

export function renderBillMarkdown(r: BillReport): string {
  const money = (n: number) => `$${n.toFixed(2)}`;
  const out = [
    `# Billing report ${r.period} — ${r.pack.id} ${r.pack.version}`,
    '',
    `- encounters in the period: ${r.encounters}`,
    `- encounter × participant items: ${r.totals.items} (billed ${r.totals.billed}, partly billed ${r.totals.partial}, held ${r.totals.held})`,
    `- claims: ${r.claims}, service lines: ${r.lines}, units billed: ${r.totals.billedUnits}, charge: ${money(r.totals.charge)}`,
    '',
    '## Totals by code',
    '',
    '| code | lines | units | charge |',
    '|---|---:|---:|---:|',
    ...Object.entries(r.byCode).map(([k, v]) => `| ${mdCell(k)} | ${v.lines} | ${v.units} | ${money(v.charge)} |`),
    '',
    '## Totals by program',
    '',
    '| program | lines | units | charge |',
    '|---|---:|---:|---:|',
    ...Object.entries(r.byProgram).map(([k, v]) => `| ${mdCell(k)} | ${v.lines} | ${v.units} | ${money(v.charge)} |`),
    '',
    '## Held (fix and bill again)',
    '',
    '| reason | count |',
    '|---|---:|',
    ...Object.entries(r.holdsByCode).map(([k, v]) => `| ${mdCell(k)} | ${v} |`),
    '',
    '| encounter | participant | date | status | reasons |',
    '|---|---|---|---|---|',
    ...r.held.map((h) => `| ${mdCell(h.encounterId)} | ${mdCell(h.participantId)} | ${mdCell(h.dateOfService)} | ${mdCell(h.status)} | ${mdCell(h.reasons.map((x) => `${x.code}: ${x.reason}`).join('; '))} |`),
    '',
    ...correctionsMarkdown(r.corrections),
    `Files: 837P ${mdCell(r.files.x12)}, FHIR Claims ${mdCell(r.files.claims)}.`,
    '',
  ];
  return out.join('\n');
}

/**
 * Bill one month: read the period's encounters (and the participants, specialists, plans and consents they need)
 * from the FHIR server, apply the rule pack, write the X12 837P, the FHIR Claims (NDJSON next to the 837P, and stored
 * on the server), and a report of what was billed and what was held with reasons (Markdown and JSON).
 *
 * @param opts - the options of `peer-fhir bill` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the bill report, the claim inputs, the files written and the exit code
 * @example
 * ```ts
 * import { runBill } from '@peer-fhir/cli';
 * const { report } = await runBill({ pack: 'tx-medicaid-peer-specialist-2019', period: '2025-03', out: 'out/march.x12' }, io);
 * ```
 * @category Commands
 */
export async function runBill(opts: BillOptions, io: CommandIo): Promise<BillResult> {
  const { from, to } = monthRange(opts.period);
  if (!opts.out) throw new CliUsageError('--out FILE.x12 is required');
  const config = await resolveConfig(opts, io.cwd, true);
  const scope = scopeOf(config);
  const packId = opts.pack ?? config.pack;
  if (!packId) throw new CliUsageError('name a rule pack with --pack (see peer-fhir packs) or "pack" in the config');
  const pack = priced(await packOf(packId, io.cwd), config.charges);
  const date = opts.date ?? new Date();
  const base = join(dirname(opts.out), basename(opts.out, extname(opts.out)));
  const files = { x12: opts.out, claims: `${base}.claims.ndjson`, reportMarkdown: `${base}.report.md`, reportJson: `${base}.report.json` };
  assertNotAnInput(Object.values(files).map((f) => ['--out', f] as const), configFilesOf(opts, io.cwd));
  // The output folder exists before anything is disclosed: a missing folder must not leave a recorded disclosure
  // (AuditEvent) for an 837P that was never written.
  await mkdir(dirname(opts.out), { recursive: true, mode: 0o700 });

  const target = await openTarget(opts, io);
  try {
    const peer = new PeerClient(target.client, scope);
    const records = await loadPeriodRecords(peer, { from, to, scope });
    const priorClaims = await loadPriorClaims(target.client, scope, { from, to });
    const stored = await loadBillingInputs(target.client, { scope, patients: Object.values(records.patients), pack, from, to });
    if (stored.unreadable > 0) note(io, `${stored.unreadable} stored service order(s) or prior authorization(s) could not be read and authorize nothing`);
    const billingContext: BillingContext = {
      pack,
      encounters: records.encounters,
      participants: records.participants,
      specialists: records.specialists,
      plans: records.plans,
      consents: records.consents,
      serviceOrders: stored.serviceOrders,
      priorAuthorizations: stored.priorAuthorizations,
      // The month's own standing claims count against caps too: their encounters are not billed again.
      history: [...stored.history, ...billedInPeriod(priorClaims)],
      priorClaims,
      // The billing run is the disclosure to the payer: Part 2 consent is decided at it and on the date of service.
      billedAt: date.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(config.namespace ? { namespace: config.namespace } : {}),
      // 271 answers stored by `peer-fhir eligibility --read` (PB-ELIGIBILITY, PB-ELIGIBILITY-STALE).
      ...(await eligibilityContext(target.client, scope)),
    };
    // Evaluated in bounded chunks of participants (every pack rule is per participant or per session): the same
    // decisions as one evaluation, with caps counted over one chunk's usage instead of the whole month's.
    const result = mergeBillingResults([...evaluateByParticipant(billingContext)], billingContext);
    let disclosuresRecorded = 0;
    const organizations = [config.organization, ...records.organizations.filter((o) => o.npi !== config.organization.npi)];
    const alreadyBilled = result.decisions.filter(onlyDuplicate).length;
    const corrections = correctionClaims(billingContext, { organizations, specialists: records.specialists, participants: records.participants }, { pack, created: date.toISOString().slice(0, 10), scope, alreadyBilled, supervisorTaxonomies: supervisorTaxonomiesOf(config) });
    let claims: Claim[] = [];
    let inputs: X12ClaimInput[] = [];
    if (result.lines.length > 0 || corrections.claims.length > 0) {
      const created = date.toISOString().slice(0, 10);
      let bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [] };
      try {
        const claimIdsInUse = new Set(priorClaims.map((c) => c.claimId));
        if (result.lines.length > 0) bundle = buildClaimBundle(result.lines, { organizations, specialists: records.specialists, participants: records.participants }, { pack, created, claimIdsInUse, supervisorTaxonomies: supervisorTaxonomiesOf(config), ...(config.namespace ? { namespace: config.namespace } : {}) });
      } catch (err) {
        if (err instanceof PeerFhirValidationError) throw new CliUsageError('cannot build claims from the records on the server', err.issues.map((i) => `${i.path}: ${i.message}`));
        throw err;
      }
      claims = (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Claim' ? [e.resource as Claim] : []));
      // SBR09 is the pack's rule (MC Medicaid, MB Medicare Part B, ...), not a property of the FHIR Claim
      const claimFilingIndicator = billingRolesOf(pack).claimFilingIndicator;
      inputs = claims.map((c) => ({ ...resolveX12ClaimInput(c, bundle), claimFilingIndicator }));
      // Replacements (7) and voids (8) of claims sent before go in the same file, after the originals.
      claims = [...claims, ...corrections.claims];
      inputs = [...inputs, ...corrections.inputs.map((i) => ({ ...i, claimFilingIndicator }))];
      const x12 = config.x12 ?? { senderId: config.organization.taxId, receiverId: config.payer.id.slice(0, 15), receiverName: config.payer.name, contactName: 'Billing Office', usage: 'T' as const };
      const control = Math.floor(date.getTime() / 1000) % 1_000_000_000;
      // 42 CFR 2.24: each claim carrying Part 2 data is a disclosure to the payer, recorded before the 837P exists.
      const audits = claimDisclosureAudits(claims, [...result.lines, ...corrections.lines], billingContext, { discloser: { npi: config.organization.npi, kind: 'organization' }, channel: 'x12-837p' });
      await storeDisclosureAudits(target.client, audits);
      disclosuresRecorded = audits.length;
      try {
        await pipeline(
          write837PStream(inputs, {
            sender: { id: x12.senderId },
            receiver: { id: x12.receiverId, name: x12.receiverName },
            submitter: { name: config.organization.name, contact: { name: x12.contactName, ...(x12.contactPhone ?? config.organization.phone ? { phone: x12.contactPhone ?? config.organization.phone } : {}) } },
            controlNumbers: { isa: control, gs: control, st: 1 },
            usage: x12.usage ?? 'T',
            date,
          }),
          createPrivateWriteStream(files.x12),
        );
      } catch (err) {
        if (err instanceof X12InputError) throw new CliUsageError('the claims cannot be written as an 837P', err.issues.map((i) => `${i.path}: ${i.message}`));
        throw err;
      }
      await writePrivateFile(files.claims, claims.map((c) => JSON.stringify(c)).join('\n') + '\n');
      const allParticipants = records.participants.filter((p) => result.lines.some((l) => l.participantId === p.id));
      await target.client.transaction(
        claimTransaction(claims, { organizations, specialists: records.specialists, participants: allParticipants }, scope),
      );
    } else {
      await writePrivateFile(files.claims, '');
    }

    const program = new Map<string, PeerEncounter['program']>(records.encounters.map((e) => [e.id, e.program]));
    const report: BillReport = {
      pack: { id: pack.id, version: pack.version },
      period: opts.period,
      encounters: records.encounters.length,
      totals: result.totals,
      claims: claims.length,
      lines: result.lines.length,
      byCode: {},
      byProgram: {},
      holdsByCode: {},
      held: [],
      files,
      disclosuresRecorded,
      corrections: corrections.summary,
      loaded: { serviceOrders: stored.serviceOrders.length, priorAuthorizations: stored.priorAuthorizations.length, billedLines: stored.history.length, unreadable: stored.unreadable },
    };
    for (const l of result.lines) {
      add(report.byCode, [l.code, ...l.modifiers].join(':'), l.units, l.charge ?? 0);
      add(report.byProgram, program.get(l.encounterId) ?? 'unknown', l.units, l.charge ?? 0);
    }
    // Already billed is its own group (report.corrections.alreadyBilled), not a hold to fix.
    for (const d of result.decisions.filter((x) => !onlyDuplicate(x))) {
      for (const h of d.holds) report.holdsByCode[h.code] = (report.holdsByCode[h.code] ?? 0) + 1;
      if (d.status !== 'billed')
        report.held.push({ encounterId: d.encounterId, participantId: d.participantId, dateOfService: d.dateOfService, status: d.status, reasons: d.holds.map((h) => ({ code: h.code, reason: h.reason })) });
    }
    await writePrivateFile(files.reportJson, `${JSON.stringify(report, null, 2)}\n`);
    await writePrivateFile(files.reportMarkdown, renderBillMarkdown(report));
    // Already billed is not a problem to fix; a correction awaiting the payer's claim number, or reading nothing, is.
    const held = result.decisions.filter((d) => d.status !== 'billed' && !onlyDuplicate(d)).length;
    const readNothing = records.encounters.length === 0;
    const exitCode = held > 0 || corrections.summary.awaitingPayerClaimNumber.length > 0 || readNothing ? ExitCode.SOME_REJECTED : ExitCode.OK;
    if (io.json) printJson(io, { ...report, held: report.held.length, exitCode });
    else {
      say(io, `${pack.id} ${opts.period}: ${records.encounters.length} encounters, ${result.totals.items} items`);
      say(io, `billed ${result.totals.billed}, partly billed ${result.totals.partial}, held ${result.totals.held}`);
      say(io, `${claims.length} claims, ${result.lines.length} lines, ${result.totals.billedUnits} units, $${result.totals.charge.toFixed(2)}`);
      for (const [k, v] of Object.entries(report.holdsByCode)) say(io, `  held ${k}: ${v}`);
      printCorrections(io, corrections.summary);
      say(io, `837P:    ${files.x12}`);
      say(io, `claims:  ${files.claims} (also stored on ${target.url})`);
      say(io, `report:  ${files.reportMarkdown}, ${files.reportJson}`);
      if (held > 0) note(io, `${held} item(s) held; see the report`);
    }
    if (readNothing) note(io, `read 0 encounters of agency ${scope.agency} for ${opts.period} from ${target.url}: nothing to bill (wrong period, namespace or server?)`);
    if (corrections.summary.awaitingPayerClaimNumber.length > 0) note(io, `${corrections.summary.awaitingPayerClaimNumber.length} correction(s) await the payer's claim number (run remit with the 835 first)`);
    return { report, claims, inputs, exitCode };
  } finally {
    await target.close();
  }
}

/** `peer-fhir bill`: its options and help, and how it runs (docs/cli.md). */
export const billCommand: CommandDefinition<BillOptions> = {
  name: 'bill',
  define: (cmd) =>
    sharedOptions(
      cmd
        .description('bill a month: pull encounters from the FHIR server, apply a rule pack, write the 837P, FHIR Claims and a report')
        .option('--pack <id|file.json>', 'rule pack id (see peer-fhir packs) or a pack file, validated (default: "pack" in the config)')
        .requiredOption('--period <YYYY-MM>', 'billing month')
        .requiredOption('--out <file.x12>', '837P file to write; claims and reports are written next to it'),
      'config', 'json', 'fhir',
    )
      .addHelpText('after', examples([
        'peer-fhir bill --pack tx-medicaid-peer-specialist-2019 --period 2025-03 --out out/march.x12',
        'peer-fhir bill --period 2025-03 --out march.x12 --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN --json',
      ])),
  run: (o, io) => runBill(o, io),
};
