import type { FhirResource, Patient } from 'fhir/r4.js';
import { buildDisclosureBundle, ConsentRequiredError, filterDisclosable, type ConsentDirective } from '@peer-fhir/core';
import { PeerFhirClient } from '../client.js';
import type { Retrieved } from '../types.js';
import { typeIdOf } from '../internal/peer-lookup.js';
import type { PeerContext } from './context.js';
import { nowTimestamp } from './consents.js';
import type { DiscloseOptions, DisclosureResult } from './options.js';
import { findPatient, loadConsents } from './readback.js';

/** Patients the resources are about: the Patients themselves and `subject`/`patient`/`beneficiary` references. */
function patientRefs(resources: readonly FhirResource[]): string[] {
  const refs = new Set<string>();
  for (const r of resources) {
    if (r.resourceType === 'Patient' && r.id) refs.add(`Patient/${r.id}`);
    const about = r as { subject?: { reference?: string }; patient?: { reference?: string }; beneficiary?: { reference?: string } };
    for (const ref of [about.subject, about.patient, about.beneficiary]) {
      const t = typeIdOf(ref?.reference);
      if (t?.startsWith('Patient/')) refs.add(t);
    }
  }
  return [...refs];
}

export async function disclose(ctx: PeerContext, resources: readonly FhirResource[], opts: DiscloseOptions): Promise<DisclosureResult> {
  const { recipient, purpose, at = nowTimestamp(), participantId, discloser, partial, notice, send, ...request } = opts;
  const patients =
    participantId !== undefined
      ? [await findPatient(ctx, participantId, request)]
      : ((await ctx.cache.getAll(patientRefs(resources), request)) as Retrieved<Patient>[]);
  const loaded = await Promise.all(patients.map((p) => loadConsents(ctx, p, request)));
  const consents: ConsentDirective[] = loaded.flatMap((l) => l.domain);
  const decision = filterDisclosable(resources, { recipient, purpose, at, consents, ...(participantId === undefined ? {} : { participantId }) });
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
  if (!send) return { bundle, denied: decision.denied, consentIds: decision.consentIds };
  const target = 'client' in send ? send.client : new PeerFhirClient({ baseUrl: send.baseUrl, ...(send.auth === undefined ? {} : { auth: send.auth }) });
  const sent = await target.create(bundle, request);
  return { bundle, denied: decision.denied, consentIds: decision.consentIds, sent };
}
