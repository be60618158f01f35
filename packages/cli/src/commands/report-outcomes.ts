import type { Observation, Patient } from 'fhir/r4.js';
import { PeerClient } from '@peer-fhir/client';
import {
  FhirMappingError,
  Programs,
  defaultInstruments,
  identifierSystems,
  type IdentityScope,
  participantTrend,
  programScoreChange,
  scorePointFromObservation,
  type ParticipantTrend,
  type ProgramScoreChange,
  type ScorePoint,
} from '@peer-fhir/core';
import { resolveConfig, scopeOf, type CliConfig } from '../config.js';
import { CliUsageError, ExitCode } from '../errors.js';
import { note, printJson, say, type CommandIo } from '../internal/io.js';
import { parseDateRange, type DateRange } from '../internal/period.js';
import { mdCell, reportFilesOf, writeReportFiles, type ReportFiles } from '../internal/report-output.js';
import { warnIfReadNothing } from '../internal/read-nothing.js';
import { openTarget, type FhirTargetOptions } from '../internal/target.js';
import { Option } from 'commander';
import { type CommandDefinition, examples, sharedOptions, rangeOptions } from '../internal/command.js';

/**
 * Options of {@link runOutcomesReport} (`peer-fhir report outcomes`).
 *
 * @example
 * ```ts
 * const opts: OutcomesReportOptions = { instrument: 'barc-10', program: 'substance-use', from: '2025-01-01', to: '2025-06-30' };
 * ```
 * @category Reports
 */
export interface OutcomesReportOptions extends FhirTargetOptions {
  /** Instrument id: `barc-10`, `phq-9` or one registered with core's `registerInstrument`. */
  instrument: string;
  /** Only participants with an encounter in this program (`mental-health`, `substance-use`, `co-occurring`). */
  program?: string | undefined;
  /** `YYYY-MM` or `YYYY-MM..YYYY-MM`; or `from` / `to`. Assessments and program encounters outside are ignored. */
  period?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** The agency's NPI; default the config's organization. */
  organizationNpi?: string | undefined;
  /** Config file (agency, identifier namespace); default `./peer-fhir.config.json` when present. */
  config?: string | undefined;
  configValue?: CliConfig | undefined;
  /** Markdown file to write; the JSON goes next to it (`FILE.json`). */
  out?: string | undefined;
}

/**
 * One program's line of the outcomes report: core's `ProgramScoreChange` for the participants with an encounter in
 * the program, plus how many of them have a score at all.
 *
 * @example
 * ```ts
 * const line: ProgramOutcome = report.programs[0];
 * console.log(line.program, line.shareImproved);
 * ```
 * @category Reports
 */
export interface ProgramOutcome extends ProgramScoreChange {
  /** Program code, or `all` for every participant in the report. */
  program: string;
  /** Participants in the program with at least one score. */
  scored: number;
}

/**
 * The outcomes report `report outcomes` prints and writes: the instrument, the range, one line per program (and
 * `all`), one trend per participant. Shares are fractions (0.5 = 50%).
 *
 * @example
 * ```ts
 * const { report } = await runOutcomesReport({ instrument: 'barc-10' }, io);
 * report.programs.find((p) => p.program === 'all')?.shareRose;
 * ```
 * @category Reports
 */
export interface OutcomesReport {
  instrument: { id: string; title: string; direction: 'higher-is-better' | 'lower-is-better' };
  range: Partial<DateRange>;
  /** The `--program` filter, if any. */
  program: string | undefined;
  programs: ProgramOutcome[];
  participants: ParticipantTrend[];
  /** Score Observations read, and those skipped (not readable as a score of a participant in this namespace). */
  observations: { read: number; skipped: number };
}

/**
 * Result of {@link runOutcomesReport}.
 *
 * @example
 * ```ts
 * const { report, files } = await runOutcomesReport({ instrument: 'phq-9', out: 'phq9.md' }, io);
 * ```
 * @category Reports
 */
export interface OutcomesReportResult {
  report: OutcomesReport;
  files: ReportFiles | undefined;
  exitCode: ExitCode;
}

const pct = (n: number): string => `${Math.round(n * 1000) / 10}%`;
const signed = (n: number): string => (n > 0 ? `+${Math.round(n * 100) / 100}` : String(Math.round(n * 100) / 100));
const day = (d: string | undefined): string => (d ?? '').slice(0, 10);

/** Which way a participant moved, in the instrument's sense of better. */
function movement(t: ParticipantTrend, direction: OutcomesReport['instrument']['direction']): string {
  if (t.points.length < 2) return 'single assessment';
  if (t.change === 0) return 'unchanged';
  return (t.change > 0) === (direction === 'higher-is-better') ? 'improved' : 'worsened';
}

/**
 * The outcomes report as Markdown: a table of programs (share rose, share improved) and a table of participants.
 *
 * @param r - an outcomes report
 * @returns the report as Markdown, every cell escaped
 * @example
 * ```ts
 * await writeFile('outcomes.md', outcomesReportToMarkdown(report));
 * ```
 * @category Reports
 */
export function outcomesReportToMarkdown(r: OutcomesReport): string {
  const range = r.range.start || r.range.end ? `${r.range.start ?? 'the first assessment'} to ${r.range.end ?? 'the latest'}` : 'all dates';
  const lines = [
    `# Outcomes: ${r.instrument.title} (${r.instrument.id})`,
    '',
    `Assessments from ${range}${r.program ? `; program ${r.program}` : ''}. ${r.instrument.direction === 'higher-is-better' ? 'Higher' : 'Lower'} scores are better; "improved" follows that direction.`,
    '',
    '| Program | Scored | Assessed twice+ | Rose | Fell | Unchanged | Share rose | Share improved | Mean change |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.programs.map((p) => `| ${mdCell(p.program)} | ${p.scored} | ${p.assessed} | ${p.rose} | ${p.fell} | ${p.unchanged} | ${pct(p.shareRose)} | ${pct(p.shareImproved)} | ${signed(p.meanChange)} |`),
    '',
    '| Participant | Assessments | First | Latest | Change | Trend |',
    '|---|---:|---|---|---:|---|',
    ...r.participants.map((t) => `| ${mdCell(t.participantId)} | ${t.points.length} | ${t.first?.total ?? ''} (${day(t.first?.date)}) | ${t.latest?.total ?? ''} (${day(t.latest?.date)}) | ${signed(t.change)} | ${movement(t, r.instrument.direction)} |`),
    '',
  ];
  if (r.participants.length === 0) lines.push('No scores found.', '');
  if (r.observations.skipped > 0) lines.push(`${r.observations.skipped} score Observation(s) skipped: not readable as a participant's score in this identifier namespace.`, '');
  return lines.join('\n');
}

/** Score points from the server's survey Observations with the instrument's score code, within the range. */
async function loadScorePoints(peer: PeerClient, code: { system?: string | undefined; code?: string | undefined }, range: Partial<DateRange> | undefined, scope: IdentityScope) {
  const params = new URLSearchParams({ category: 'survey', code: `${code.system ?? ''}|${code.code ?? ''}`, _count: '500' });
  if (range?.start) params.append('date', `ge${range.start}`);
  if (range?.end) params.append('date', `le${range.end}`);
  const participantSystem = identifierSystems(scope).participant;
  const patients = new Map<string, string | undefined>();
  const points: ScorePoint[] = [];
  let read = 0;
  let skipped = 0;
  for await (const obs of peer.client.searchAll('Observation', params)) {
    read++;
    if (!['final', 'amended', 'corrected'].includes(obs.status)) {
      skipped++;
      continue;
    }
    // A literal subject (`Patient/123`, written by another tool) is resolved to the participant identifier.
    let participantId: string | undefined;
    const ref = obs.subject?.reference;
    if (ref?.startsWith('Patient/') && !obs.subject?.identifier) {
      if (!patients.has(ref)) {
        const p = (await peer.client.read('Patient', ref.slice('Patient/'.length)).catch(() => undefined)) as Patient | undefined;
        patients.set(ref, p?.identifier?.find((i) => i.system === participantSystem)?.value);
      }
      participantId = patients.get(ref);
    }
    try {
      const point = scorePointFromObservation(obs as Observation, { agency: scope.agency, namespace: scope.namespace, ...(participantId ? { participantId } : {}) });
      const d = point.date.slice(0, 10);
      if ((range?.start && d < range.start) || (range?.end && d > range.end)) continue;
      points.push(point);
    } catch (e) {
      if (!(e instanceof FhirMappingError)) throw e;
      skipped++;
    }
  }
  return { points, read, skipped };
}

/**
 * Outcome trends of one instrument: reads the score Observations (`category=survey`, the instrument's score code)
 * and the encounters that place participants in programs, then reports each participant's first, latest and change
 * (`participantTrend`) and, per program, the share whose score rose and the share who improved in the instrument's
 * direction (`programScoreChange`). Exit code 0.
 *
 * @param opts - the options of `peer-fhir report outcomes` (docs/cli.md)
 * @param io - where the command writes (stdout, stderr, `--json`), its working directory and environment
 * @returns the outcomes report, the files written and the exit code
 * @see https://hl7.org/fhir/R4/observation.html
 * @example
 * ```ts
 * import { runOutcomesReport } from '@peer-fhir/cli';
 * const { report } = await runOutcomesReport({ instrument: 'barc-10', fhirUrl: 'http://127.0.0.1:8080/fhir' }, io);
 * ```
 * @category Commands
 */
export async function runOutcomesReport(opts: OutcomesReportOptions, io: CommandIo): Promise<OutcomesReportResult> {
  if (!defaultInstruments.has(opts.instrument)) {
    throw new CliUsageError(`unknown instrument ${opts.instrument} (known: ${defaultInstruments.list().map((d) => d.id).join(', ')})`);
  }
  const def = defaultInstruments.get(opts.instrument);
  if (opts.program !== undefined && !(opts.program in Programs)) throw new CliUsageError(`--program must be one of ${Object.keys(Programs).join(', ')}`);
  const range = parseDateRange(opts, false);
  const config = await resolveConfig(opts, io.cwd);
  const scope = scopeOf(config, opts.organizationNpi);
  const files = opts.out ? reportFilesOf(opts.out, [opts.config]) : undefined;

  const target = await openTarget(opts, io);
  try {
    const peer = new PeerClient(target.client, scope);
    const { points, read, skipped } = await loadScorePoints(peer, def.scoreCode, range, scope);
    // Program membership: a participant belongs to every program they had an encounter in, within the range.
    const members = new Map<string, Set<string>>();
    const scoredIds = new Set(points.map((p) => p.participantId));
    if (scoredIds.size > 0) {
      const query = { ...(range?.start ? { from: range.start } : {}), ...(range?.end ? { to: range.end } : {}), ...(opts.program ? { program: opts.program as keyof typeof Programs } : {}) };
      for await (const e of peer.findEncounters(query, { pageSize: 200 })) {
        const set = members.get(e.program) ?? new Set<string>();
        members.set(e.program, set);
        for (const a of e.attendees) set.add(a.participantId);
      }
    }
    const inReport = opts.program ? [...(members.get(opts.program) ?? [])].filter((id) => scoredIds.has(id)) : [...scoredIds];
    inReport.sort();
    const line = (program: string, ids: readonly string[]): ProgramOutcome => ({
      program,
      scored: ids.filter((id) => scoredIds.has(id)).length,
      ...programScoreChange(points, def.id, { participantIds: ids }),
    });
    const programs = (opts.program ? [opts.program] : Object.keys(Programs)).filter((p) => (members.get(p)?.size ?? 0) > 0 || p === opts.program).map((p) => line(p, [...(members.get(p) ?? [])]));
    if (!opts.program) programs.push(line('all', inReport));
    const report: OutcomesReport = {
      instrument: { id: def.id, title: def.title, direction: def.direction },
      range: range ?? {},
      program: opts.program,
      programs,
      participants: inReport.map((id) => participantTrend(points, id, def.id)),
      observations: { read, skipped },
    };
    const markdown = outcomesReportToMarkdown(report);
    if (files) await writeReportFiles(files, markdown, report);
    if (io.json) printJson(io, { ...report, ...(files ? { files } : {}) });
    else {
      io.stdout.write(markdown);
      if (files) say(io, `report: ${files.markdown}, ${files.json}`);
      if (skipped > 0) note(io, `${skipped} score Observation(s) skipped`);
    }
    const empty = warnIfReadNothing(io, { 'score Observations': read }, scope, target.url);
    return { report, files, exitCode: empty ? ExitCode.SOME_REJECTED : ExitCode.OK };
  } finally {
    await target.close();
  }
}

/** `peer-fhir report outcomes`: its options and help, and how it runs (docs/cli.md). */
export const outcomesReportCommand: CommandDefinition<OutcomesReportOptions> = {
  name: 'outcomes',
  parent: 'report',
  define: (cmd) =>
    sharedOptions(
      rangeOptions(cmd.description('per participant score trends and, per program, the share whose score rose and the share who improved'), 'a month or a range of months (default: all dates)')
        .addOption(new Option('--instrument <id>', 'outcome instrument').choices(['barc-10', 'phq-9']).makeOptionMandatory())
        .addOption(new Option('--program <program>', 'only participants with an encounter in this program').choices(['mental-health', 'substance-use', 'co-occurring']))
        .option('--out <file.md>', 'write the report as Markdown and, next to it, JSON'),
      'config', 'organizationNpi', 'json', 'fhir',
    )
      .addHelpText('after', examples([
        'peer-fhir report outcomes --instrument barc-10',
        'peer-fhir report outcomes --instrument phq-9 --program co-occurring --from 2025-01-01 --to 2025-06-30 --out out/phq9.md',
        'peer-fhir report outcomes --instrument barc-10 --fhir-url https://fhir.example.org/r4 --auth-env FHIR_TOKEN --json',
      ])),
  run: (o, io) => runOutcomesReport(o, io),
};
