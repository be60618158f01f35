/**
 * The units an agency already billed, read from its stored FHIR Claims, so caps count across billing runs (a rolling
 * six-month cap does not reset each month).
 * @module
 */
import { Extensions, FhirMappingError, identifierSystems, Systems, type IdentityScope } from '@peer-fhir/core';
import type { Claim, ClaimItem } from 'fhir/r4.js';
import { BilledUnits } from '../context.js';
import { usedInWindow, type Usage } from '../internal/caps.js';
import type { RulePack } from '../pack/schema.js';
import { parsed } from './service-order.js';

/**
 * Options of {@link billedUnitsFromClaims}.
 *
 * @example
 * ```ts
 * const opts: BilledUnitsOptions = { agency: '1234567893', pack: getPack('tx-medicaid-peer-specialist-2019'), exclude: { from: '2025-03-01', to: '2025-03-31' } };
 * ```
 * @category Records
 */
export interface BilledUnitsOptions extends IdentityScope {
  /** The pack being billed: its `prior-auth` caps decide which billed units were drawn from an authorization. */
  pack: RulePack;
  /** Dates of service to leave out (the period being billed now, whose units the evaluation counts itself). */
  exclude?: { from: string; to: string } | undefined;
}

/** One service line of a stored claim, before the authorization draw is known. */
interface BilledLine {
  entry: BilledUnits;
  preAuthRef: string | undefined;
}

/** A claim the agency billed and that still stands: its own identifier, `use` `claim`, `status` `active`. */
function isBilledClaim(claim: Claim, claimSystem: string): boolean {
  return claim.use === 'claim' && claim.status === 'active' && (claim.identifier ?? []).some((i) => i.system === claimSystem);
}

/** A frequency-8 claim (837P CLM05-3 = 8) voids the claim it names: neither bills any unit. */
function isVoid(claim: Claim): boolean {
  return (claim.extension ?? []).some((e) => e.url === Extensions.ClaimFrequency && e.valueCode === '8');
}

/** Our identifiers of the claims a replacement (7) or void (8) names in `related.claim`: their units no longer stand. */
function supersededClaimIds(claims: readonly Claim[], claimSystem: string): Set<string> {
  const out = new Set<string>();
  for (const c of claims) {
    for (const r of c.related ?? []) {
      const id = r.claim?.identifier;
      if (id?.system === claimSystem && id.value !== undefined) out.add(id.value);
    }
  }
  return out;
}

function lineOf(item: ClaimItem, index: number, participantId: string | undefined): BilledUnits {
  return parsed(
    BilledUnits,
    {
      participantId,
      date: (item.servicedDate ?? item.servicedPeriod?.start)?.slice(0, 10),
      code: item.productOrService.coding?.find((c) => c.system === Systems.HCPCS)?.code,
      units: item.quantity?.value,
    },
    `Claim.item[${index}]`,
  );
}

function linesOf(claim: Claim, scope: IdentityScope): BilledLine[] {
  const ids = identifierSystems(scope);
  const participantId = claim.patient.identifier?.system === ids.participant ? claim.patient.identifier.value : undefined;
  if (participantId === undefined) throw new FhirMappingError('Claim', [{ path: 'patient.identifier', code: 'required', message: "names no participant under the agency's system" }]);
  const preAuthRef = claim.insurance?.find((i) => i.focal)?.preAuthRef?.[0];
  return (claim.item ?? []).map((item, i) => ({ entry: lineOf(item, i, participantId), preAuthRef }));
}

/**
 * Which of a line's units were drawn from its claim's authorization: the units beyond the pack's `prior-auth` cap
 * room on that date, given every earlier billed line (the order `evaluate` consumed them in).
 */
function drawAuthorizations(lines: BilledLine[], pack: RulePack): BilledUnits[] {
  const ctx = { pack, encounters: [], participants: [], specialists: [] };
  // A cap counts one participant's units: each line is checked against its own participant's earlier lines only, so
  // a year of an agency's claims is not scanned once per line.
  const usage = new Map<string, Usage[]>();
  const ordered = [...lines].sort((a, b) => a.entry.date.localeCompare(b.entry.date));
  return ordered.map(({ entry, preAuthRef }) => {
    const own = usage.get(entry.participantId) ?? [];
    usage.set(entry.participantId, own);
    const soft = preAuthRef === undefined ? [] : pack.caps.filter((c) => c.beyond === 'prior-auth' && (c.codes === undefined || c.codes.includes(entry.code)));
    const room = Math.min(Infinity, ...soft.map((c) => Math.max(0, c.maxUnits - usedInWindow(c, own, entry.participantId, entry.date, ctx))));
    const drawn = preAuthRef === undefined ? 0 : Math.max(0, entry.units - room);
    own.push({ ...entry, priorAuthUnits: drawn });
    return { ...entry, priorAuthUnits: drawn, ...(drawn > 0 ? { priorAuthReference: preAuthRef } : {}) };
  });
}

/**
 * The units an agency already billed, one entry per service line of its stored Claims (`use` `claim`, `status`
 * `active`, identified under the agency's `claim` system; anything else is skipped), for `BillingContext.history`.
 * A replacement (frequency 7) stands instead of the claim it names in `related.claim`; a void (8) and the claim it
 * names count nothing.
 * Units beyond a `prior-auth` cap on a claim carrying an authorization number name that authorization, so they count
 * against it. Throws core's `FhirMappingError` (paths only) for a claim of the agency that cannot be read: a cap must
 * never be counted short.
 *
 * @param claims - the agency's stored Claims
 * @param options - the pack whose codes count, and the claims to leave out
 * @returns one usage entry per service line that stands billed
 * @see https://github.com/peer-fhir/peer-fhir/blob/main/docs/rule-packs.md#caps
 * @example
 * ```ts
 * const history = billedUnitsFromClaims(storedClaims, { agency: '1234567893', pack, exclude: { from: '2025-03-01', to: '2025-03-31' } });
 * const result = evaluate({ ...ctx, history });
 * ```
 * @throws FhirMappingError
 * @category Records
 */
export function billedUnitsFromClaims(claims: readonly Claim[], options: BilledUnitsOptions): BilledUnits[] {
  const claimSystem = identifierSystems(options).claim;
  const outside = (d: string) => options.exclude === undefined || d < options.exclude.from || d > options.exclude.to;
  const standing = claims.filter((c) => isBilledClaim(c, claimSystem));
  const superseded = supersededClaimIds(standing, claimSystem);
  const lines = standing
    .filter((c) => !isVoid(c) && !(c.identifier ?? []).some((i) => i.system === claimSystem && i.value !== undefined && superseded.has(i.value)))
    .flatMap((c) => linesOf(c, options));
  return drawAuthorizations(lines, options.pack).filter((e) => outside(e.date));
}
