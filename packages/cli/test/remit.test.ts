/**
 * `peer-fhir remit` against the embedded server: every claim payment of an 835 is stored (reversals too), one
 * PaymentReconciliation per payment, the report leads with matched claims and unaccounted money, exit 1 when some
 * claims match no stored Claim, and a file that does not balance is refused whole with nothing stored.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Claim, ClaimResponse, PaymentReconciliation } from 'fhir/r4.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerFhirClient } from '@peer-fhir/client';
import { identifierSystems } from '@peer-fhir/core';
import { startFhirServer, type EmbeddedFhirServer } from '@peer-fhir/testing';
import { billedClaims, interchange, PAYMENT_1, PAYMENT_2, THREE_PAYMENTS } from '../../x12/test/fixtures-835.js';
import { CliUsageError, ExitCode, runRemit } from '../src/index.js';
import type { CommandIo } from '../src/internal/io.js';

function io(json = false): CommandIo & { out: () => string } {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => ((text += chunk.toString()), cb()) });
  return { stdout: sink, stderr: sink, json, env: {}, cwd: tmpdir(), out: () => text };
}

const cents = (v: number | undefined) => Math.round((v ?? 0) * 100);

let server: EmbeddedFhirServer;
let client: PeerFhirClient;
let dir: string;

beforeAll(async () => {
  server = await startFhirServer();
  client = new PeerFhirClient({ baseUrl: server.url });
  dir = mkdtempSync(join(tmpdir(), 'peer-fhir-remit-'));
  const system = identifierSystems({ agency: '1234567893' }).claim; // the payee NPI of the 835 fixtures (N1*PE)
  const claims: Claim[] = billedClaims().map(({ id: _id, ...c }) => ({ ...c, identifier: [{ system, value: c.identifier![0]!.value! }] }));
  await client.transaction({ resourceType: 'Bundle', type: 'transaction', entry: claims.map((resource) => ({ resource, request: { method: 'POST', url: 'Claim' } })) });
}, 180_000);

afterAll(async () => {
  await server?.close();
});

async function all(type: 'ClaimResponse'): Promise<ClaimResponse[]>;
async function all(type: 'PaymentReconciliation'): Promise<PaymentReconciliation[]>;
async function all(type: 'ClaimResponse' | 'PaymentReconciliation'): Promise<(ClaimResponse | PaymentReconciliation)[]> {
  const out: (ClaimResponse | PaymentReconciliation)[] = [];
  if (type === 'ClaimResponse') for await (const r of client.searchAll('ClaimResponse', new URLSearchParams({ _count: '500' }))) out.push(r);
  else for await (const r of client.searchAll('PaymentReconciliation', new URLSearchParams({ _count: '500' }))) out.push(r);
  return out;
}

describe('peer-fhir remit', () => {
  it('refuses an 835 that does not balance, storing nothing, naming the segment and no amount', async () => {
    const file = join(dir, 'unbalanced.835');
    writeFileSync(file, interchange([PAYMENT_1.map((s) => s.replace('BPR*I*2191.84*', 'BPR*I*2200*')), PAYMENT_2]));
    const err = await runRemit(file, { fhirUrl: server.url }, io()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliUsageError);
    expect((err as Error).message).toMatch(/refused, nothing stored: 835 does not balance.*segment 4 BPR/);
    expect((err as Error).message).not.toMatch(/2200|2191/);
    expect(await all('ClaimResponse')).toHaveLength(0);
  });

  it('stores every claim payment and each payment, leads with matched claims and unaccounted money, exits 1 on an unmatched claim', async () => {
    const file = join(dir, 'three.835');
    writeFileSync(file, THREE_PAYMENTS);
    const cli = io();
    const r = await runRemit(file, { fhirUrl: server.url }, cli);
    expect(r.exitCode).toBe(ExitCode.SOME_REJECTED);
    expect([r.claimsMatched, r.claimsUnmatched]).toEqual([6, 1]);
    expect(r.claimResponsesStored).toBe(7); // the reversal and its correction both
    expect(r.paymentReconciliationsStored).toBe(3);
    const first = cli.out().split('\n')[0]!;
    expect(first).toBe('6 of 7 claim payment(s) matched a stored Claim; -$120.00 unaccounted for');
    expect(cli.out()).toContain('claims in the 835 with no stored Claim (stored, not matched): PC1006');
    expect(cli.out()).toContain('PC1001 claim : adjusted');
    expect(cli.out()).toContain('PC1004 line 1 (encounter enc-1004 on 2025-10-20)');

    // stored money = deposits, to the cent
    const responses = await all('ClaimResponse');
    const payments = await all('PaymentReconciliation');
    const deposits = payments.reduce((s, p) => s + cents(p.paymentAmount.value), 0);
    expect(deposits).toBe(2191.84 * 100 + 150 * 100 + 0);
    const plb = payments.flatMap((p) => p.detail ?? []).filter((d) => d.type.coding?.[0]?.code === 'adjustment');
    expect(responses.reduce((s, cr) => s + cents(cr.payment?.amount?.value), 0) + plb.reduce((s, d) => s + cents(d.amount?.value), 0)).toBe(deposits);

    // reading it again stores nothing new
    const again = await runRemit(file, { fhirUrl: server.url }, io(true));
    expect([again.claimResponsesStored, again.paymentReconciliationsStored]).toEqual([0, 0]);
    expect(await all('ClaimResponse')).toHaveLength(7);
  });

  it('matches an upper-cased CLP01 to a Claim stored in mixed case', async () => {
    const system = identifierSystems({ agency: '1234567893' }).claim; // the payee NPI of the 835 fixtures (N1*PE)
    const claim: Claim = { ...billedClaims()[4]!, identifier: [{ system, value: 'pc1005-Mixed' }] };
    delete claim.id;
    await client.create(claim);
    const file = join(dir, 'upper.835');
    writeFileSync(file, interchange([PAYMENT_2.map((s) => s.replace('TRN*1*CHK2002', 'TRN*1*CHK2099').replace('CLP*PC1005*', 'CLP*PC1005-MIXED*'))]));
    const r = await runRemit(file, { fhirUrl: server.url }, io(true));
    expect([r.claimsMatched, r.claimsUnmatched, r.exitCode]).toEqual([1, 0, ExitCode.OK]);
  });

  it('warns and exits 1 when the 835 holds no claim payment (an envelope without transactions): nothing reconciled, nothing stored', async () => {
    const file = join(dir, 'empty.835');
    writeFileSync(file, interchange([]));
    const before = (await all('ClaimResponse')).length;
    const cli = io();
    const r = await runRemit(file, { fhirUrl: server.url }, cli);
    expect(r).toMatchObject({ exitCode: ExitCode.SOME_REJECTED, claimsMatched: 0, claimResponsesStored: 0, paymentReconciliationsStored: 0 });
    expect(cli.out()).toMatch(/read 0 claim payments \(CLP\) in 0 payment\(s\) of empty\.835: nothing reconciled/);
    expect(await all('ClaimResponse')).toHaveLength(before);
  });
});
