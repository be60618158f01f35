import type { AuditEvent, FhirResource, Patient } from 'fhir/r4.js';
import {
  buildDisclosureAuditEvent,
  buildDisclosureBundle,
  ConsentRequiredError,
  DisclosureAudit,
  filterDisclosable,
  patientReferencesIn,
  readDisclosureAuditEvent,
  type ConsentDirective,
  type DisclosureAccountingEntry,
} from '@peer-fhir/core';
import { PeerFhirClient } from '../client.js';
import type { RequestOptions, Retrieved } from '../types.js';
import type { PeerContext } from './context.js';
import { nowTimestamp } from './consents.js';
import type { AccountingOptions, DiscloseOptions, DisclosureResult } from './options.js';
import { findPatient, loadConsents, searchList } from './readback.js';

/**
 * The participants the resources are about, resolved on the source server: every `Patient/{id}` reference in every
 * resource (nested ones too) whose Patient carries this client's participant identifier. A reference that does not
 * resolve stays out of the map, and core denies the resource that needs it.
 */
async function resolvePatients(ctx: PeerContext, resources: readonly FhirResource[], opts: RequestOptions) {
  const refs = [...new Set(resources.flatMap((r) => patientReferencesIn(r)))];
  const found = (await ctx.cache.getAll(refs, opts)) as Retrieved<Patient>[];
  const patients: Record<string, string> = {};
  const ours: Retrieved<Patient>[] = [];
  for (const p of found) {
    const participantId = p.identifier?.find((i) => i.system === ctx.ids.participant)?.value;
    if (participantId === undefined) continue;
    patients[`Patient/${p.id}`] = participantId;
    ours.push(p);
  }
  return { patients, ours };
}

export async function disclose(ctx: PeerContext, resources: readonly FhirResource[], opts: DiscloseOptions): Promise<DisclosureResult> {
  const { recipient, purpose, at = nowTimestamp(), participantId, discloser, partial, notice, send, ...request } = opts;
  const { patients, ours } = await resolvePatients(ctx, resources, request);
  if (participantId !== undefined && !Object.values(patients).includes(participantId)) {
    // The participant named by the caller must exist here; their consents are loaded with the others.
    ours.push(await findPatient(ctx, participantId, request));
  }
  // Each resource is decided against the consents of its own patient only (core matches them by participant id).
  const loaded = await Promise.all(ours.map((p) => loadConsents(ctx, p, request)));
  const consents: ConsentDirective[] = loaded.flatMap((l) => l.domain);
  const decision = filterDisclosable(resources, {
    recipient,
    purpose,
    at,
    consents,
    patients,
    ...(participantId === undefined ? {} : { participantId }),
  });
  const firstDenied = decision.denied[0];
  if (firstDenied && !partial) throw new ConsentRequiredError(firstDenied.decision);
  if (decision.permitted.length === 0) return { bundle: undefined, denied: decision.denied, consentIds: [] };

  // 42 CFR 2.32(b): a copy of the consent goes with the disclosure.
  const permitting = new Set(decision.consentIds);
  const copies = loaded.flatMap((l) => l.fhir).filter((c) => c.identifier?.some((i) => i.system === ctx.ids.consent && permitting.has(i.value ?? '')));
  const namedDiscloser = consents.find((c) => permitting.has(c.id))?.disclosingOrganizationNpi;
  const who = discloser ?? (namedDiscloser ? { npi: namedDiscloser, kind: 'organization' as const } : undefined);
  if (!who) throw new TypeError('disclose(): pass `discloser`; no permitting consent names the disclosing organization');
  const bundle = buildDisclosureBundle(decision.permitted, {
    discloser: who,
    recipient,
    purpose,
    consentIds: decision.consentIds,
    at,
    consents: copies,
    fullUrlBase: ctx.client.baseUrl,
    ...(notice === undefined ? {} : { notice }),
  });

  // 42 CFR 2.24 / 45 CFR 164.528: the accounting entry is stored on the source server before anything leaves; when
  // that write fails, this throws and nothing is returned or sent.
  const audit = buildDisclosureAuditEvent({
    discloser: who,
    recipient,
    purpose,
    consentIds: decision.consentIds,
    at,
    resources: decision.permitted.map((r) => `${r.resourceType}/${r.id ?? ''}`),
    patients: [...new Set(decision.permitted.flatMap((r) => patientReferencesIn(r)))],
    part2: decision.requiresRedisclosureNotice,
    channel: 'fhir-bundle',
  });
  const storedAudit = await ctx.client.create(audit, request);
  const auditEvent = `AuditEvent/${storedAudit.id}`;
  if (!send) return { bundle, denied: decision.denied, consentIds: decision.consentIds, auditEvent };
  const target = 'client' in send ? send.client : new PeerFhirClient({ baseUrl: send.baseUrl, ...(send.auth === undefined ? {} : { auth: send.auth }) });
  const sent = await target.create(bundle, request);
  return { bundle, denied: decision.denied, consentIds: decision.consentIds, auditEvent, sent };
}

export async function accountingOfDisclosures(ctx: PeerContext, participantId: string, opts: AccountingOptions): Promise<DisclosureAccountingEntry[]> {
  const { since, ...request } = opts;
  const patient = await findPatient(ctx, participantId, request);
  const params = new URLSearchParams({ entity: `Patient/${patient.id}`, type: `${DisclosureAudit.type.system}|${DisclosureAudit.type.code}`, _count: '100' });
  if (since !== undefined) params.set('date', `ge${since}`);
  const events = await searchList<AuditEvent>(ctx, 'AuditEvent', params, request);
  return events
    .map(readDisclosureAuditEvent)
    .filter((e): e is DisclosureAccountingEntry => e !== undefined && e.patients.includes(`Patient/${patient.id}`))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.auditEvent ?? '').localeCompare(b.auditEvent ?? ''));
}
