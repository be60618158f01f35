import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../src/index.js';
import { BASE, outcome, patient, testClient, useMswServer } from './helpers.js';

const server = useMswServer();
const TOKEN = 'tok-SUPER-SECRET-4242';

function captureLogger(): { logger: Logger; lines: () => string } {
  const lines: string[] = [];
  const push = (level: string) => (msg: string, fields?: Record<string, unknown>) => lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`);
  return { logger: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') }, lines: () => lines.join('\n') };
}

describe('logging', () => {
  it('logs method, path template, status, duration and retries but never the token, bodies, ids or query values', async () => {
    let n = 0;
    server.use(
      http.post(`${BASE}/Patient`, () => (++n === 1 ? HttpResponse.json(outcome('transient'), { status: 503 }) : HttpResponse.json({ ...patient(), id: 'p1', meta: { versionId: '1' } }, { status: 201 }))),
      http.get(`${BASE}/Patient`, () => HttpResponse.json(outcome('invalid', 'Zyxwvut not allowed'), { status: 400 })),
    );
    const { logger, lines } = captureLogger();
    const { client } = testClient({ auth: TOKEN, logger });
    await client.create(patient(), { ifNoneExist: 'identifier=urn:mrn|SSN-123456' });
    await client.search('Patient', { name: 'Zyxwvut' }).catch(() => undefined);
    const log = lines();
    expect(log).toContain('"method":"POST"');
    expect(log).toContain('"path":"Patient"');
    expect(log).toContain('"status":503');
    expect(log).toContain('fhir request retry');
    expect(log).toContain('"path":"Patient?…"');
    expect(log).toMatch(/"durationMs":\d+/);
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('Zyxwvut');
    expect(log).not.toContain('Synthia');
    expect(log).not.toContain('SSN-123456');
  });

  it('is silent without a logger', async () => {
    server.use(http.get(`${BASE}/Patient/p1`, () => HttpResponse.json({ resourceType: 'Patient', id: 'p1', meta: { versionId: '1' } })));
    const { client } = testClient();
    await expect(client.read('Patient', 'p1')).resolves.toBeDefined();
  });
});
