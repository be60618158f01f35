#!/usr/bin/env node
// Remittance: the payer's X12 835 for a month of claims -> FHIR ClaimResponses -> a line-by-line reconciliation report
// (paid / adjusted / denied, reasons in words). The claims come from the billing-run example's billMonth(); the 835 is
// built with @peer-fhir/x12's build835ForTest (a stand-in for the payer), or read from a file: node run.mjs some.835
// Uses only the public API of @peer-fhir/x12 (and, through ../billing-run/bill.mjs, @peer-fhir/billing and @peer-fhir/testing).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { read835, reconcile, remittanceToClaimResponses, toPaymentReconciliation } from '@peer-fhir/x12';
import { build835ForTest } from '@peer-fhir/x12/testing';
import { billMonth, X12_OPTIONS } from '../billing-run/bill.mjs';

const line = (label, value) => console.log(`  ${label.padEnd(30)} ${value}`);
const money = (n) => `$${n.toFixed(2)}`;

/** The stand-in payer: cycles through paid, fee-schedule reduction, units reduced, denied (no authorization). */
function payer() {
  let n = 0;
  return (input, item) => {
    const charge = Math.round((item.net?.value ?? 0) * 100);
    switch (n++ % 6) {
      case 0:
        return { kind: 'denied', reason: input.claim.insurance[0]?.preAuthRef ? '119' : '197' };
      case 1:
        return { kind: 'partial', paid: Math.floor(charge * 0.8) / 100 }; // CO-45 fee schedule
      case 2: {
        const paid = Math.floor(charge / 2);
        return { kind: 'partial', paid: paid / 100, adjustments: [{ group: 'CO', reason: '151', amount: (charge - paid) / 100 }] };
      }
      default:
        return { kind: 'paid' };
    }
  };
}

try {
  const started = performance.now();
  const { claims, inputs, pack } = billMonth({ packId: process.env.PACK ?? 'nc-alliance-peer-support-2019' });
  const file = process.argv[2];
  const text835 = file
    ? await readFile(file, 'utf8')
    : build835ForTest(inputs, payer(), {
        sender: { id: X12_OPTIONS.receiver.id },
        receiver: { id: X12_OPTIONS.sender.id },
        traceNumber: 'EFT20250301',
        payer: { name: 'Synthetic Medicaid', tin: '999999999', id: 'SYNMEDICAID' },
        date: new Date('2025-03-01T12:00:00Z'),
        controlNumbers: { isa: 501, gs: 9, st: 1 },
      });

  // Refused whole (X12UnbalancedError / X12AmountError / X12VersionError) unless every dollar balances.
  const remittances = read835(text835);
  const responses = remittances.flatMap((r) => remittanceToClaimResponses(r, claims));
  const payments = remittances.map((r) => toPaymentReconciliation(r, { claims }));
  const rec = reconcile(claims, remittances);
  // Every dollar lands on a claim or a PLB line: the payments' details sum to their BPR02, to the cent.
  const cents = (v) => Math.round((v ?? 0) * 100);
  for (const p of payments) {
    if ((p.detail ?? []).reduce((s, d) => s + cents(d.amount?.value), 0) !== cents(p.paymentAmount.value)) throw new Error('a payment does not balance');
  }
  const counts = {};
  for (const l of rec.lines) counts[l.outcome] = (counts[l.outcome] ?? 0) + 1;
  const unbalanced = rec.lines.filter((l) => !l.balanced).length;

  const md = [
    `# Reconciliation — ${pack.id}, remittance ${remittances.map((r) => r.trace.number).join(', ') || '(835)'}`,
    '',
    `${rec.claimsMatched} claim payment(s) matched a billed claim; ${money(rec.totals.unaccounted)} unaccounted for.`,
    '',
    '| payment | billed | paid | adjusted | patient responsibility | provider adjustments (PLB) | lines | claims without remittance |',
    '|---|---|---|---|---|---|---|---|',
    `| ${money(rec.totals.payment)} | ${money(rec.totals.billed)} | ${money(rec.totals.paid)} | ${money(rec.totals.adjusted)} | ${money(rec.totals.patientResponsibility)} | ${money(rec.totals.providerAdjustments)} | ${rec.lines.length} | ${rec.claimsWithoutRemittance.length} |`,
    '',
    '| claim (CLM01) | line | encounter | date of service | code | outcome | billed | paid | explanation |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rec.lines.map((l) => `| ${l.patientControlNumber} | ${l.level === 'claim' ? 'claim' : (l.itemSequence ?? '')} | ${l.encounters.join(', ')} | ${l.serviceDate ?? ''} | ${l.procedure ?? ''} | ${l.outcome} | ${money(l.billed)} | ${money(l.paid)} | ${l.explanation.replace(/\|/g, '/')} |`),
    '',
  ].join('\n');
  await mkdir(new URL('./out/', import.meta.url), { recursive: true });
  await writeFile(new URL('./out/remittance.835', import.meta.url), text835);
  await writeFile(new URL('./out/claim-responses.json', import.meta.url), JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [...responses, ...payments].map((resource) => ({ resource })) }, null, 2));
  await writeFile(new URL('./out/reconciliation.md', import.meta.url), md);

  console.log(`\npeer-fhir remittance — ${file ? `835 from ${file}` : '835 from the stand-in payer'} for ${claims.length} claims (${pack.id})\n`);
  line('remittances (ST..SE)', remittances.length);
  line('ClaimResponses', `${responses.length} (${responses.map((r) => r.outcome).filter((o) => o === 'complete').length} complete)`);
  line('PaymentReconciliations', `${payments.length} (${payments.map((p) => money(p.paymentAmount.value)).join(', ')})`);
  line('claims matched / unaccounted', `${rec.claimsMatched} / ${money(rec.totals.unaccounted)}`);
  line('lines reconciled', rec.lines.length);
  line('outcomes', Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', '));
  line('billed / paid / adjusted', `${money(rec.totals.billed)} / ${money(rec.totals.paid)} / ${money(rec.totals.adjusted)}`);
  line('claims without remittance', rec.claimsWithoutRemittance.length);
  line('unbalanced lines', unbalanced);
  const example = rec.lines.find((l) => l.outcome === 'denied') ?? rec.lines[0];
  if (example) line('e.g.', example.explanation);
  console.log('\nWrote out/remittance.835, out/claim-responses.json, out/reconciliation.md');
  if (unbalanced > 0 || responses.length === 0) throw new Error('the remittance does not balance');
  console.log(`\nRemittance OK: ${responses.length} ClaimResponses, ${rec.lines.length} lines reconciled, in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
} catch (err) {
  console.error(`remittance failed: ${err instanceof Error ? err.stack : err}`);
  process.exitCode = 1;
}
