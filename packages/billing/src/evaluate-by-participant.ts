/**
 * Streamed pre-bill evaluation: {@link evaluate} run over bounded chunks of participants, with the same decisions,
 * lines and totals as one evaluation of the whole context.
 * @module
 */
import type { PeerEncounter } from '@peer-fhir/core';
import type { BillingContext } from './context.js';
import type { BillingDecision, BillingResult, BillingTotals } from './decision.js';
import { evaluate } from './evaluate.js';

/**
 * Options of {@link evaluateByParticipant}.
 *
 * @example
 * ```ts
 * const options: ParticipantChunkOptions = { chunkSize: 200 };
 * ```
 * @category Evaluation
 */
export interface ParticipantChunkOptions {
  /** Participants evaluated together (default 200). Memory of one evaluation grows with this, not with the month. */
  chunkSize?: number;
  /**
   * Decide only these participants' items (default: every attendee of the context's encounters). For a context read
   * for some participants only: a group session brings its other attendees along, who count for the session's size
   * but are decided with their own records, elsewhere.
   */
  participants?: Iterable<string>;
}

/** `list` narrowed to the participants in `ids`; an absent list stays absent (an empty one means "none on record"). */
function mine<T extends { participantId: string }>(ids: ReadonlySet<string>, list: readonly T[] | undefined): T[] | undefined {
  return list?.filter((x) => ids.has(x.participantId));
}

/** The part of `context` one chunk of participants reads: every participant-keyed input narrowed to the chunk. */
function chunkContext(context: BillingContext, ids: ReadonlySet<string>, encounters: readonly PeerEncounter[]): BillingContext {
  const narrowed: BillingContext = { ...context, encounters, participants: context.participants.filter((p) => ids.has(p.id)) };
  const lists = {
    plans: mine(ids, context.plans),
    consents: mine(ids, context.consents),
    serviceOrders: mine(ids, context.serviceOrders),
    priorAuthorizations: mine(ids, context.priorAuthorizations),
    history: mine(ids, context.history),
    episodes: mine(ids, context.episodes),
    otherServices: mine(ids, context.otherServices),
    eligibility: mine(ids, context.eligibility),
    priorClaims: context.priorClaims?.filter((c) => c.items.some((i) => ids.has(i.participantId))),
  };
  for (const [k, v] of Object.entries(lists)) if (v !== undefined) Object.assign(narrowed, { [k]: v });
  return narrowed;
}

/** Attendees' participant ids (those in `only`, when given), sorted, cut into chunks of `size`. */
function participantChunks(encounters: readonly PeerEncounter[], size: number, only: ReadonlySet<string> | undefined): string[][] {
  const ids = [...new Set(encounters.flatMap((e) => e.attendees.map((a) => a.participantId)))].filter((id) => only === undefined || only.has(id)).sort();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
  return chunks;
}

/**
 * {@link evaluate} per chunk of participants: yields one {@link BillingResult} per chunk, each holding exactly the
 * decisions of the chunk's participants. Every rule a pack can state is decided per participant (caps and prior
 * authorizations count one participant's units, overlaps compare one participant's services, consents, plans and
 * eligibility are the participant's own) or per session from the encounter itself (group size counts the encounter's
 * attendees, which a chunk keeps whole), so the union of the chunks equals one evaluation of the whole context
 * ({@link mergeBillingResults}), while each evaluation holds only its chunk's items, usage and lines.
 *
 * @param context - the rule pack, encounters, participants, specialists and billing history
 * @param options - the participants per chunk (`chunkSize`) and which participants to decide (`participants`)
 * @returns a generator of one BillingResult per chunk
 * @example
 * ```ts
 * for (const part of evaluateByParticipant(context, { chunkSize: 200 })) console.log(part.totals.items);
 * ```
 * @category Evaluation
 */
export function* evaluateByParticipant(context: BillingContext, options: ParticipantChunkOptions = {}): Generator<BillingResult> {
  const size = Math.max(1, Math.floor(options.chunkSize ?? 200));
  const only = options.participants === undefined ? undefined : new Set(options.participants);
  for (const chunk of participantChunks(context.encounters, size, only)) {
    const ids = new Set(chunk);
    const encounters = context.encounters.filter((e) => e.attendees.some((a) => ids.has(a.participantId)));
    const result = evaluate(chunkContext(context, ids, encounters));
    // A group encounter brings attendees of other chunks along (its size is the session's): their items are decided
    // in their own chunk, so they are dropped here.
    yield resultOf(result, result.decisions.filter((d) => ids.has(d.participantId)));
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function totalsOf(decisions: readonly BillingDecision[]): BillingTotals {
  const lines = decisions.flatMap((d) => d.lines);
  const count = (status: BillingDecision['status']) => decisions.filter((d) => d.status === status).length;
  const sum = (f: (d: BillingDecision) => number) => decisions.reduce((s, d) => s + f(d), 0);
  return {
    items: decisions.length,
    billed: count('billed'),
    partial: count('partial'),
    held: count('held'),
    requestedUnits: sum((d) => d.requestedUnits),
    billedUnits: sum((d) => d.billedUnits),
    heldUnits: sum((d) => d.heldUnits),
    charge: round2(lines.reduce((s, l) => s + (l.charge ?? 0), 0)),
    linesWithoutRate: lines.filter((l) => l.rate === null).length,
  };
}

function resultOf(like: Pick<BillingResult, 'packId' | 'packVersion'>, decisions: BillingDecision[]): BillingResult {
  return { packId: like.packId, packVersion: like.packVersion, decisions, lines: decisions.flatMap((d) => d.lines), totals: totalsOf(decisions) };
}

/**
 * One {@link BillingResult} from the chunks {@link evaluateByParticipant} yielded for `context`, in
 * {@link evaluate}'s order (encounter start, encounter id, participant id): equal to `evaluate(context)`.
 *
 * @param parts - the results `evaluateByParticipant` yielded
 * @param context - the pack and encounters of the run
 * @returns one result, decisions in evaluation order and totals summed
 * @example
 * ```ts
 * const result = mergeBillingResults([...evaluateByParticipant(context)], context);
 * ```
 * @category Evaluation
 */
export function mergeBillingResults(parts: readonly BillingResult[], context: Pick<BillingContext, 'pack' | 'encounters'>): BillingResult {
  const start = new Map(context.encounters.map((e) => [e.id, Date.parse(e.start)]));
  const at = (d: BillingDecision) => start.get(d.encounterId) ?? 0;
  const decisions = parts
    .flatMap((p) => p.decisions)
    .sort((a, b) => at(a) - at(b) || a.encounterId.localeCompare(b.encounterId) || a.participantId.localeCompare(b.participantId));
  return resultOf({ packId: context.pack.id, packVersion: context.pack.version }, decisions);
}
