import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, decodeProtectedHeader } from 'jose';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { FhirUnauthorizedError } from '../src/index.js';
import { BASE, outcome, testClient, useMswServer } from './helpers.js';

const server = useMswServer();
const TOKEN_URL = 'https://auth.example.test/oauth2/token';

const okPatient = (): Response => HttpResponse.json({ resourceType: 'Patient', id: 'p1', meta: { versionId: '1' } });

/** Token endpoint issuing tok-1, tok-2, …; records each form body. */
function tokenEndpoint(expiresIn = 300): { forms: URLSearchParams[]; headers: Headers[] } {
  const forms: URLSearchParams[] = [];
  const headers: Headers[] = [];
  server.use(
    http.post(TOKEN_URL, async ({ request }) => {
      forms.push(new URLSearchParams(await request.text()));
      headers.push(request.headers);
      await new Promise((r) => setTimeout(r, 10));
      return HttpResponse.json({ access_token: `tok-${forms.length}`, token_type: 'bearer', expires_in: expiresIn });
    }),
  );
  return { forms, headers };
}

const clientCredentials = { kind: 'client_credentials', tokenUrl: TOKEN_URL, clientId: 'svc', clientSecret: 's3cr3t', scope: 'system/*.rs' } as const;

describe('static and function tokens', () => {
  it('sends a static bearer token', async () => {
    let auth: string | null = null;
    server.use(http.get(`${BASE}/Patient/p1`, ({ request }) => ((auth = request.headers.get('authorization')), okPatient())));
    const { client } = testClient({ auth: 'static-1' });
    await client.read('Patient', 'p1');
    expect(auth).toBe('Bearer static-1');
  });

  it('calls a token function per request and again after a 401', async () => {
    let issued = 0;
    const seen: (string | null)[] = [];
    server.use(http.get(`${BASE}/Patient/p1`, ({ request }) => (seen.push(request.headers.get('authorization')), seen.length === 1 ? new HttpResponse(null, { status: 401 }) : okPatient())));
    const { client } = testClient({ auth: async () => `fn-${++issued}` });
    await client.read('Patient', 'p1');
    expect(seen).toEqual(['Bearer fn-1', 'Bearer fn-2']);
  });

  it('does not loop on a static token rejected with 401', async () => {
    let n = 0;
    server.use(http.get(`${BASE}/Patient/p1`, () => (n++, new HttpResponse(null, { status: 401 }))));
    const { client } = testClient({ auth: 'static-1' });
    await expect(client.read('Patient', 'p1')).rejects.toBeInstanceOf(FhirUnauthorizedError);
    expect(n).toBe(1);
  });
});

describe('client_credentials', () => {
  it('posts grant_type=client_credentials with HTTP Basic client auth and caches the token', async () => {
    const { forms, headers } = tokenEndpoint();
    const seen: (string | null)[] = [];
    server.use(http.get(`${BASE}/Patient/p1`, ({ request }) => (seen.push(request.headers.get('authorization')), okPatient())));
    const { client } = testClient({ auth: clientCredentials });
    await client.read('Patient', 'p1');
    await client.read('Patient', 'p1');
    expect(forms).toHaveLength(1);
    expect(forms[0]?.get('grant_type')).toBe('client_credentials');
    expect(forms[0]?.get('scope')).toBe('system/*.rs');
    expect(forms[0]?.get('client_secret')).toBeNull();
    expect(headers[0]?.get('authorization')).toBe(`Basic ${btoa('svc:s3cr3t')}`);
    expect(seen).toEqual(['Bearer tok-1', 'Bearer tok-1']);
  });

  it('shares one token request between 10 concurrent requests (single flight)', async () => {
    const { forms } = tokenEndpoint();
    server.use(http.get(`${BASE}/Patient/p1`, okPatient));
    const { client } = testClient({ auth: clientCredentials });
    await Promise.all(Array.from({ length: 10 }, () => client.read('Patient', 'p1')));
    expect(forms).toHaveLength(1);
  });

  it('refreshes once on a 401 and retries successfully', async () => {
    const { forms } = tokenEndpoint();
    const seen: (string | null)[] = [];
    server.use(http.get(`${BASE}/Patient/p1`, ({ request }) => {
      const a = request.headers.get('authorization');
      seen.push(a);
      return a === 'Bearer tok-1' ? HttpResponse.json(outcome('login'), { status: 401 }) : okPatient();
    }));
    const { client } = testClient({ auth: clientCredentials, maxRetries: 0 });
    expect((await client.read('Patient', 'p1')).id).toBe('p1');
    expect(seen).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(forms).toHaveLength(2);
  });

  it('surfaces FhirUnauthorizedError when the refreshed token is rejected too', async () => {
    const { forms } = tokenEndpoint();
    let n = 0;
    server.use(http.get(`${BASE}/Patient/p1`, () => (n++, HttpResponse.json(outcome('login'), { status: 401 }))));
    const { client } = testClient({ auth: clientCredentials });
    await expect(client.read('Patient', 'p1')).rejects.toBeInstanceOf(FhirUnauthorizedError);
    expect(n).toBe(2);
    expect(forms).toHaveLength(2);
  });

  it('refreshes a token when expires_in minus the buffer has passed', async () => {
    const { forms } = tokenEndpoint(0.05); // 50 ms lifetime: buffer shrinks to half
    server.use(http.get(`${BASE}/Patient/p1`, okPatient));
    const { client } = testClient({ auth: clientCredentials });
    await client.read('Patient', 'p1');
    await new Promise((r) => setTimeout(r, 60));
    await client.read('Patient', 'p1');
    expect(forms).toHaveLength(2);
  });

  it('surfaces a token endpoint failure as a typed error', async () => {
    server.use(http.post(TOKEN_URL, () => HttpResponse.json({ error: 'invalid_client' }, { status: 401 })));
    const { client } = testClient({ auth: clientCredentials });
    await expect(client.read('Patient', 'p1')).rejects.toBeInstanceOf(FhirUnauthorizedError);
  });
});

describe('SMART backend services', () => {
  it.each(['RS384', 'ES384'] as const)('posts a %s client_assertion JWT that verifies against the public JWK', async (alg) => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg };
    const { forms } = tokenEndpoint();
    server.use(http.get(`${BASE}/Patient/p1`, okPatient));
    const { client } = testClient({ auth: { kind: 'smart-backend', tokenUrl: TOKEN_URL, clientId: 'peer-app', privateKey: privateJwk, alg, kid: 'key-1', scope: 'system/Encounter.cruds' } });
    await client.read('Patient', 'p1');
    await client.read('Patient', 'p1');
    expect(forms).toHaveLength(1);
    const form = forms[0]!;
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe('system/Encounter.cruds');
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const jwt = form.get('client_assertion')!;
    const header = decodeProtectedHeader(jwt);
    expect(header).toMatchObject({ alg, kid: 'key-1', typ: 'JWT' });
    const { payload } = await jwtVerify(jwt, createLocalJWKSet({ keys: [publicJwk] }), { issuer: 'peer-app', subject: 'peer-app', audience: TOKEN_URL, algorithms: [alg] });
    expect(typeof payload.jti).toBe('string');
    expect(payload.jti!.length).toBeGreaterThan(10);
    const now = Math.floor(Date.now() / 1000);
    expect(payload.exp! - now).toBeLessThanOrEqual(300);
    expect(payload.exp! - now).toBeGreaterThan(0);
  });

  it('uses a fresh jti for every assertion', async () => {
    const { privateKey } = await generateKeyPair('ES384');
    const { forms } = tokenEndpoint();
    let n = 0;
    server.use(http.get(`${BASE}/Patient/p1`, () => (++n === 1 ? new HttpResponse(null, { status: 401 }) : okPatient())));
    const { client } = testClient({ auth: { kind: 'smart-backend', tokenUrl: TOKEN_URL, clientId: 'peer-app', privateKey, alg: 'ES384', kid: 'k', scope: 'system/*.rs' } });
    await client.read('Patient', 'p1');
    const jtis = forms.map((f) => JSON.parse(atob(f.get('client_assertion')!.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).jti);
    expect(jtis).toHaveLength(2);
    expect(jtis[0]).not.toBe(jtis[1]);
  });
});
