import type { CarePlan, Goal } from 'fhir/r4.js';
import { GoalProgressNote, parseOrThrow, type DomainRecords, type RecoveryPlan } from '@peer-fhir/core';
import type { RequestOptions } from '../types.js';
import { keyString } from '../internal/peer-lookup.js';
import { mapResolved } from '../internal/peer-mapping.js';
import { upsertBundle } from '../internal/peer-upsert.js';
import type { PeerContext } from './context.js';
import { PeerRecordNotFoundError } from './errors.js';
import type { GoalProgressInput, GoalProgressResult, UpsertRecoveryPlanOptions, UpsertRecoveryPlanResult } from './options.js';
import { currentPlanOf } from './participant-summary.js';
import { findOrThrow, loadPlan, searchList } from './readback.js';

const PLAN_TYPES: ReadonlySet<string> = new Set(['CarePlan', 'Goal', 'CareTeam']);

async function writePlan(
  ctx: PeerContext,
  records: DomainRecords,
  plan: RecoveryPlan,
  pins: ReadonlyMap<string, string>,
  request: RequestOptions,
): Promise<UpsertRecoveryPlanResult> {
  const bundle = await mapResolved(records, ctx.scope, ctx.lookup, request);
  const planKey = ctx.keys.plan(plan.id);
  const planEntry = bundle.entry?.find((e) => e.resource?.resourceType === 'CarePlan');
  const { located, changed } = await upsertBundle(ctx.client, ctx.lookup, bundle, PLAN_TYPES, pins, request);
  const ref = (planEntry?.fullUrl ? located.get(planEntry.fullUrl) : undefined) ?? ctx.lookup.known(planKey);
  if (!ref) throw new PeerRecordNotFoundError('CarePlan', planKey.system, 'recovery plan');
  const carePlan = await ctx.client.read('CarePlan', ref.slice('CarePlan/'.length), request);
  return { carePlan, versionId: carePlan.meta.versionId, created: false, changed };
}

export async function upsertRecoveryPlan(ctx: PeerContext, plan: RecoveryPlan, opts: UpsertRecoveryPlanOptions): Promise<UpsertRecoveryPlanResult> {
  const { ifMatch, participant, specialist, ...request } = opts;
  const existed = (await ctx.lookup.find<CarePlan>(ctx.keys.plan(plan.id), request)) !== undefined;
  const pins = new Map<string, string>();
  if (ifMatch !== undefined) pins.set(keyString(ctx.keys.plan(plan.id)), ifMatch.replace(/^W\//, '').replace(/"/g, ''));
  const records: DomainRecords = { plans: [plan], participants: participant ? [participant] : [], specialists: specialist ? [specialist] : [] };
  const result = await writePlan(ctx, records, plan, pins, request);
  return { ...result, created: !existed && result.changed.length > 0 };
}

export async function addGoalProgress(ctx: PeerContext, goalId: string, note: GoalProgressInput, opts: RequestOptions): Promise<GoalProgressResult> {
  const parsed = parseOrThrow(GoalProgressNote, note, 'GoalProgressNote');
  const goalKey = ctx.keys.goal(goalId);
  const goal = await findOrThrow<Goal>(ctx, goalKey, opts, 'goal');
  const plans = await searchList<CarePlan>(ctx, 'CarePlan', new URLSearchParams({ goal: `Goal/${goal.id}` }), opts);
  // Every version of the plan (a plan and its reviews) names the goal: the note goes through the current one, so an
  // earlier version, read back with the goal as it is now, is not rewritten (docs/mapping.md, "Plan versions").
  const carePlan = currentPlanOf(ctx, plans);
  if (!carePlan) throw new PeerRecordNotFoundError('CarePlan', ctx.ids.plan, 'recovery plan of the goal');
  const { domain } = await loadPlan(ctx, carePlan, opts);
  const plan = domain.plans[0];
  if (!plan) throw new PeerRecordNotFoundError('CarePlan', ctx.ids.plan, 'recovery plan of the goal');
  // The goal is replaced only if it is still the version read above (If-Match), so a concurrent note is not lost.
  const goals = plan.goals.map((g) => (g.id === goalId ? { ...g, progressNotes: [...g.progressNotes, parsed] } : g));
  const pins = new Map([[keyString(goalKey), goal.meta.versionId]]);
  const records: DomainRecords = { plans: [{ ...plan, goals }], specialists: domain.specialists };
  await writePlan(ctx, records, plan, pins, opts);
  const updated = await ctx.client.read('Goal', goal.id, opts);
  const domainGoal = goals.find((g) => g.id === goalId);
  if (!domainGoal) throw new PeerRecordNotFoundError('Goal', goalKey.system, 'goal in its plan');
  return { goal: domainGoal, versionId: updated.meta.versionId };
}
