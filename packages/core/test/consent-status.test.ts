import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ConsentDirective } from '../src/domain/consent.js';
import { consentStateAt } from '../src/consent/evaluate-status.js';
import { PeerFhirValidationError } from '../src/errors.js';

const consent = (over: Partial<z.input<typeof ConsentDirective>> = {}) =>
  ConsentDirective.parse({
    id: 'c-1',
    participantId: 'p-1',
    kind: 'part2-tpo',
    status: 'active',
    recipients: [],
    purposes: ['treatment', 'payment', 'operations'],
    period: { start: '2026-01-01', end: '2026-12-31' },
    signedDate: '2026-01-01',
    disclosingOrganizationNpi: '1234567893',
    ...over,
  });

describe('consentStateAt', () => {
  it('is active inside the period, on the first day and on the last day (bounds are inclusive whole UTC days)', () => {
    expect(consentStateAt(consent(), '2026-06-15')).toBe('active');
    expect(consentStateAt(consent(), '2026-01-01')).toBe('active');
    expect(consentStateAt(consent(), '2026-12-31T23:59:59Z')).toBe('active');
    expect(consentStateAt(consent(), '2026-12-31T15:59:59-08:00')).toBe('active');
  });

  it('is expired the day after the period ends', () => {
    expect(consentStateAt(consent(), '2027-01-01')).toBe('expired');
  });

  it('never expires when the period has no end', () => {
    expect(consentStateAt(consent({ period: { start: '2026-01-01' } }), '2040-01-01')).toBe('active');
  });

  it('is not yet effective before the period starts', () => {
    expect(consentStateAt(consent({ period: { start: '2026-06-01' } }), '2026-03-01')).toBe('not-yet-effective');
  });

  it('is not yet signed before its signature date', () => {
    expect(consentStateAt(consent({ signedDate: '2026-02-01' }), '2026-01-15')).toBe('not-yet-signed');
  });

  it('is revoked from the instant of revocation on', () => {
    const revoked = consent({ status: 'inactive', revokedAt: '2026-03-01T12:00:00Z' });
    expect(consentStateAt(revoked, '2026-03-01T12:00:00Z')).toBe('revoked');
    expect(consentStateAt(revoked, '2026-03-02')).toBe('revoked');
  });

  it('counts a revocation made any time on the day when asked about a date only (fails closed)', () => {
    const revoked = consent({ status: 'inactive', revokedAt: '2026-03-01T23:00:00Z' });
    expect(consentStateAt(revoked, '2026-03-01')).toBe('revoked');
  });

  it('was active before a later revocation, so a past date of service can still be billed', () => {
    const revoked = consent({ status: 'inactive', revokedAt: '2026-03-01T12:00:00Z' });
    expect(consentStateAt(revoked, '2026-03-01T11:59:59Z')).toBe('active');
    expect(consentStateAt(revoked, '2026-02-28')).toBe('active');
  });

  it.each(['draft', 'proposed', 'rejected', 'inactive', 'entered-in-error'] as const)('passes the status %s through', (status) => {
    expect(consentStateAt(consent({ status }), '2026-06-15')).toBe(status);
  });

  it('rejects a moment that is neither a date nor a timestamp with an offset, without echoing it', () => {
    try {
      consentStateAt(consent(), '2026-06-15T10:00');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PeerFhirValidationError);
      expect((err as PeerFhirValidationError).issues[0]?.path).toBe('at');
      expect((err as Error).message).not.toContain('2026-06-15T10:00');
    }
  });
});
