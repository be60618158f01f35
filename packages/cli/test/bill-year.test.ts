/**
 * `peer-fhir bill`, month after month on one server, reads only the claims its decisions need (each chunk of
 * participants' own claims, issue 18) and still bills a year the way one evaluation of the whole span would: the TX
 * pack's rolling six-month cap (beyond it a prior authorization) counts the units billed in earlier months,
 * and billing a month again sends nothing new (every item is already on a standing claim).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Claim } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { evaluate, getPack, loadPack } from '@peer-fhir/billing';
import { PeerClient, PeerFhirClient } from '@peer-fhir/client';
import { billableAgency, generateAgency } from '@peer-fhir/testing';
import { parseConfig } from '../src/config.js';
import { runBill } from '../src/index.js';
import { configFor, parseX12, quietIo, useEmbeddedServer } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'peer-fhir-bill-year-'));
const embedded = useEmbeddedServer();
const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04'];
// TX: units in a rolling six-month period, beyond them a prior authorization (pack caps[0]); lowered from 104 to 8
// so four months of a small agency reach it.
const CAP = 8;
const tx = getPack('tx-medicaid-peer-specialist-2019');
const pack = loadPack({ ...tx, id: 'tx-low-cap', caps: tx.caps.map((c) => ({ ...c, maxUnits: CAP })) });
const packFile = join(dir, 'tx-low-cap.json');
writeFileSync(packFile, JSON.stringify(pack));

/** participant|date|code|units of each claim line: what a month billed, comparable across runs. */
const linesOf = (claims: readonly Claim[]): string[] =>
  claims.flatMap((c) => (c.item ?? []).map((i) => `${c.patient.identifier?.value ?? ''}|${i.servicedDate ?? ''}|${i.productOrService.coding?.[0]?.code ?? ''}|${i.quantity?.value ?? 0}`)).sort();

/** Units of one participant's lines dated in the six months ending on `date` (from the day after the same date six months earlier). */
function unitsInWindow(lines: readonly string[], participantId: string, date: string): number {
  const end = new Date(`${date}T00:00:00Z`);
  const start = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 6, end.getUTCDate() + 1)).toISOString().slice(0, 10);
  return lines.map((l) => l.split('|')).filter(([p, d]) => p === participantId && (d ?? '') >= start && (d ?? '') <= date).reduce((s, [, , , u]) => s + Number(u), 0);
}

/** Stores a heavy-use TX agency (caps reached within the four months), then bills each month twice. */
async function billYear(seed: number): Promise<{ agency: ReturnType<typeof generateAgency>; monthly: string[][]; again: { claims: number; clm: number }[]; priorAuthHolds: number }> {
  const server = embedded.server;
  server.reset();
  const agency = billableAgency(generateAgency({ seed, months: MONTHS.length, participants: 4, state: 'TX', start: '2025-01-01', encountersPerParticipantPerMonth: 6 }));
  const peer = new PeerClient(new PeerFhirClient({ baseUrl: server.url }), { agency: agency.organization.npi });
  await peer.recordEncounters(agency.encounters, { participants: agency.participants, specialists: agency.specialists, organizations: [agency.organization] });
  for (const c of agency.consents) await peer.grantConsent(c);
  const configValue = parseConfig(configFor(agency));
  const monthly: string[][] = [];
  const again: { claims: number; clm: number }[] = [];
  let priorAuthHolds = 0;
  for (const period of MONTHS) {
    const bill = (out: string) => runBill({ pack: packFile, period, out: join(dir, `${seed}-${out}.x12`), configValue, fhirUrl: server.url, date: new Date('2025-06-02T12:00:00Z') }, quietIo(dir));
    const first = await bill(`${period}-1`);
    monthly.push(linesOf(first.claims));
    priorAuthHolds += first.report.holdsByCode['PB-PRIOR-AUTH'] ?? 0;
    const second = await bill(`${period}-2`);
    // Nothing to bill writes no 837P at all (an empty Claims file only).
    const file = join(dir, `${seed}-${period}-2.x12`);
    const x12 = existsSync(file) ? await parseX12(readFileSync(file, 'utf8')) : [];
    again.push({ claims: second.claims.length, clm: x12.filter((s) => s.name === 'CLM').length });
  }
  return { agency, monthly, again, priorAuthHolds };
}

describe('bill, month by month over a year', () => {
  it('bills what one evaluation of the whole span bills, keeps the rolling cap across months, and bills nothing twice (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 10_000 }), async (seed) => {
        const { agency, monthly, again, priorAuthHolds } = await billYear(seed);
        // Only agencies whose units reach the cap within the span say anything about it (some seeds hold most items).
        fc.pre(priorAuthHolds > 0);
        const billed = monthly.flat().sort();
        // Caps count the earlier months' claims: never more than CAP units in any rolling six months.
        for (const line of billed) {
          const [participantId = '', date = ''] = line.split('|');
          expect(unitsInWindow(billed, participantId, date), line).toBeLessThanOrEqual(CAP);
        }
        // The same decisions as one evaluation of the four months with no history.
        const once = evaluate({ ...agency, pack, billedAt: '2025-06-02T12:00:00Z' });
        const expected = once.lines.map((l) => `${l.participantId}|${l.dateOfService}|${l.code}|${l.units}`).sort();
        expect(billed).toEqual(expected);
        // A second run of a month: nothing new, no claim in its 837P.
        expect(again).toEqual(MONTHS.map(() => ({ claims: 0, clm: 0 })));
      }),
      { numRuns: 3, endOnFailure: true },
    );
  }, 240_000);
});
