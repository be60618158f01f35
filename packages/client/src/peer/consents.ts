import type { Consent } from 'fhir/r4.js';
import { ConsentDirective, parseOrThrow, PeerFhirValidationError, type DomainRecords } from '@peer-fhir/core';
import type { RequestOptions } from '../types.js';
import { keyString } from '../internal/peer-lookup.js';
import { mapResolved } from '../internal/peer-mapping.js';
import { upsertBundle } from '../internal/peer-upsert.js';
import type { PeerContext } from './context.js';
import { PeerRecordNotFoundError } from './errors.js';
import type { GrantConsentOptions, RevokeConsentOptions, StoredConsent } from './options.js';
import { findOrThrow, findPatient, loadConsents, toDomain, withReferenced } from './readback.js';

const CONSENT: ReadonlySet<string> = new Set(['Consent']);

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function stored(ctx: PeerContext, consentId: string, changed: boolean, opts: RequestOptions): Promise<StoredConsent> {
  const key = ctx.keys.consent(consentId);
  const consent = await findOrThrow<Consent>(ctx, key, opts, 'consent');
  const domain = toDomain(ctx, await withReferenced(ctx, [consent], opts)).consents[0];
  if (!domain) throw new PeerRecordNotFoundError('Consent', key.system, 'consent');
  return { consent: domain, reference: `Consent/${consent.id}`, versionId: consent.meta.versionId, changed };
}

export async function grantConsent(ctx: PeerContext, consent: ConsentDirective, opts: GrantConsentOptions): Promise<StoredConsent> {
  const { participant, ...request } = opts;
  const records: DomainRecords = { consents: [consent], participants: participant ? [participant] : [] };
  const bundle = await mapResolved(records, ctx.scope, ctx.lookup, request);
  // Create-if-absent: an existing consent with this id is left as it is (change it with revokeConsent).
  const { changed } = await upsertBundle(ctx.client, ctx.lookup, bundle, new Set(), new Map(), request);
  return stored(ctx, consent.id, changed.some((r) => r.startsWith('Consent/')), request);
}

export async function revokeConsent(ctx: PeerContext, consentId: string, opts: RevokeConsentOptions): Promise<StoredConsent> {
  const { at, ifMatch, ...request } = opts;
  // A revocation is honoured from its instant. One in the future would store status `inactive` while the consent
  // still permits until then: the record would say two things at once. Refuse it; revoke when the time comes.
  if (at !== undefined && Date.parse(at) > Date.now()) {
    throw new PeerFhirValidationError('RevokeConsent', [{ path: 'at', code: 'in_future', message: 'a revocation cannot be dated in the future' }], 'client.revocation-in-future');
  }
  // Revocation is one event: revoking again keeps the first moment (42 CFR 2.31(a)(6)).
  const current = await stored(ctx, consentId, false, request);
  const revoked = parseOrThrow(ConsentDirective, { ...current.consent, status: 'inactive', revokedAt: current.consent.revokedAt ?? at ?? nowTimestamp() }, 'ConsentDirective');
  const bundle = await mapResolved({ consents: [revoked] }, ctx.scope, ctx.lookup, request);
  const pin = (ifMatch ?? current.versionId).replace(/^W\//, '').replace(/"/g, '');
  const { changed } = await upsertBundle(ctx.client, ctx.lookup, bundle, CONSENT, new Map([[keyString(ctx.keys.consent(consentId)), pin]]), request);
  return stored(ctx, consentId, changed.includes(current.reference), request);
}

export async function getConsents(ctx: PeerContext, participantId: string, opts: RequestOptions): Promise<ConsentDirective[]> {
  const patient = await findPatient(ctx, participantId, opts);
  return (await loadConsents(ctx, patient, opts)).domain;
}
