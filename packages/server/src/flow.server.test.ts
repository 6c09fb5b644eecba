import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '@facepay/liveness';
import { Verdict, type Challenge, type Evidence } from '@facepay/protocol';
import { FacePayTokenError, consume, verifyFacePayToken } from '@facepay/verify';
import { ORDER, call, createSession, fetchChallenge, type TestSession } from './testing/http.js';
import { createMerchant, startServerProcess, tempDir, type ServerProcess, type TestMerchant } from './testing/processes.js';
import { synthesiseEvidence } from './testing/synthetic-face.js';

// The browser-facing flow against a real `facepay serve` with the fixed-challenge hook.

const ORIGIN = 'https://shop.example';
const FIXED = ['blink', 'turn-left'] as const;

let data: Awaited<ReturnType<typeof tempDir>>;
let server: ServerProcess;
let merchant: TestMerchant;

beforeAll(async () => {
  data = await tempDir('flow');
  merchant = await createMerchant(data.path, ORIGIN);
  server = await startServerProcess({ dataDir: data.path, env: { FACEPAY_FIXED_CHALLENGE: FIXED.join(','), FACEPAY_LOG_LEVEL: 'info' } });
});

afterAll(async () => {
  await server?.stop();
  await data?.remove();
});

const sleep = (ms: number) => new Promise((done) => setTimeout(done, Math.max(0, ms)));

/** Evidence recorded from now on, submitted once its last frame is in the past (as a browser would). */
async function record(session: TestSession, challenge: Challenge, options: { perform?: Challenge['steps']; startedAt?: number } = {}): Promise<Evidence> {
  const startedAt = options.startedAt ?? Date.now();
  const evidence = synthesiseEvidence({ challenge, sessionId: session.id, startedAt, ...(options.perform && { perform: options.perform }) });
  await sleep(startedAt + evidence.frames.at(-1)!.t + 20 - Date.now());
  return evidence;
}

function verify(session: TestSession, evidence: unknown, headers?: Record<string, string>) {
  return call(server.url, `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, json: evidence, ...(headers && { headers }) });
}

describe('facepay serve', () => {
  it('warns loudly that the fixed challenge is on, and hands out exactly that sequence with a fresh nonce', async () => {
    expect(server.stderr()).toContain('FACEPAY_FIXED_CHALLENGE=blink,turn-left');
    const session = await createSession(server.url, merchant);
    const first = await fetchChallenge(server.url, session);
    const second = await fetchChallenge(server.url, session);
    expect(first.steps).toEqual(FIXED);
    expect(second.steps).toEqual(FIXED);
    expect(first.nonce).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second.nonce).not.toBe(first.nonce);
    expect(first.expires_at).toBe(session.expires_at);
  });

  it('creates sessions that expire after 3 minutes', async () => {
    const before = Date.now();
    const answer = await call(server.url, '/v1/sessions', { auth: merchant.secret_key, json: { ...ORDER, purpose: 'pay' } });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ id: expect.stringMatching(/^ses_/), client_secret: expect.stringMatching(/^cs_/), expires_at: expect.any(String), status: 'pending' });
    const expires = Date.parse(answer.body.expires_at);
    expect(expires - before).toBeGreaterThanOrEqual(180_000 - 50);
    expect(expires - Date.now()).toBeLessThanOrEqual(180_000);
  });

  it('verifies a live face once, with a token that verifies offline and is consumed once', async () => {
    const session = await createSession(server.url, merchant);
    const challenge = await fetchChallenge(server.url, session);
    const evidence = await record(session, challenge);
    const engine = evaluate(evidence, challenge);
    const answer = await verify(session, evidence);
    expect(engine.verdict, JSON.stringify(engine)).toBe(Verdict.Live);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'verified', token: expect.any(String) });
    const token: string = answer.body.token;

    const claims = await verifyFacePayToken(token, {
      jwksUrl: `${server.url}/.well-known/jwks.json`,
      issuer: server.url,
      audience: merchant.id,
      reference: ORDER.reference,
      amount: ORDER.amount,
      currency: ORDER.currency,
    });
    expect(claims).toMatchObject({
      iss: server.url,
      aud: merchant.id,
      sub: ORDER.customer,
      sid: session.id,
      ref: ORDER.reference,
      amount: { value: ORDER.amount, currency: ORDER.currency },
      liveness: { score: engine.score, checks: engine.checks, assurance: 'features' },
    });
    expect(claims.exp - claims.iat).toBe(120);

    // The session is closed: no second token from it.
    const again = await fetchChallenge(server.url, session).catch((error: Error) => error.message);
    expect(again).toContain('409');

    await expect(consume(token, { server: server.url, secretKey: merchant.secret_key })).resolves.toEqual({ consumed: true });
    const second = await consume(token, { server: server.url, secretKey: merchant.secret_key }).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(FacePayTokenError);
    expect(second).toMatchObject({ code: 'token-already-consumed', status: 409 });
  });

  it('answers a failed liveness decision with 422, its reasons and whether to retry; the fourth attempt is refused', async () => {
    const session = await createSession(server.url, merchant);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const challenge = await fetchChallenge(server.url, session);
      // A face that holds still does none of the steps.
      const evidence = await record(session, challenge, { perform: [] });
      const engine = evaluate(evidence, challenge);
      expect(engine.verdict).toBe(Verdict.Inconclusive);
      const answer = await verify(session, evidence);
      expect(answer.status).toBe(422);
      expect(answer.body).toEqual({ status: 'failed', code: 'liveness-failed', reasons: engine.reasons, retryable: attempt < 3 });
    }
    const challenge = await call(server.url, `/v1/sessions/${session.id}/challenge`, { auth: session.client_secret });
    expect(challenge.status).toBe(403);
    expect(challenge.body.error.code).toBe('attempts-exceeded');
    const fourth = await verify(session, synthesiseEvidence({ challenge: { nonce: 'x', steps: [...FIXED] }, sessionId: session.id, startedAt: Date.now() }));
    expect(fourth.status).toBe(403);
    expect(fourth.body.error.code).toBe('attempts-exceeded');
  });

  it('refuses evidence before a challenge was fetched, and a second answer to one challenge', async () => {
    const session = await createSession(server.url, merchant);
    const early = await verify(session, synthesiseEvidence({ challenge: { nonce: 'guess', steps: [...FIXED] }, sessionId: session.id, startedAt: Date.now() }));
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('challenge-missing');

    const challenge = await fetchChallenge(server.url, session);
    const evidence = await record(session, challenge, { perform: [] });
    expect((await verify(session, evidence)).status).toBe(422);
    const replay = await verify(session, evidence);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('challenge-missing');
  });

  it('never takes a verdict from the client: evidence claiming one is refused', async () => {
    const session = await createSession(server.url, merchant);
    const challenge = await fetchChallenge(server.url, session);
    const evidence = synthesiseEvidence({ challenge, sessionId: session.id, startedAt: Date.now() });
    for (const claim of [{ verdict: 'live' }, { score: 1 }, { evaluation: { verdict: 'live', score: 1, checks: [], reasons: [] } }]) {
      const answer = await verify(session, { ...evidence, ...claim });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('evidence-invalid');
    }
  });

  it('refuses evidence recorded for another session, and counts the attempt', async () => {
    const mine = await createSession(server.url, merchant);
    const other = await createSession(server.url, merchant);
    await fetchChallenge(server.url, mine);
    const otherChallenge = await fetchChallenge(server.url, other);
    // Refused before its timing is looked at: no need to wait for its frames.
    const evidence = synthesiseEvidence({ challenge: otherChallenge, sessionId: other.id, startedAt: Date.now() });
    const answer = await verify(mine, evidence);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('evidence-session-mismatch');
    // The other session's challenge is untouched; this one's was taken by the attempt.
    expect((await verify(mine, evidence)).body.error.code).toBe('challenge-missing');
  });

  it('refuses evidence for another challenge: an older nonce of this session, or other steps', async () => {
    const session = await createSession(server.url, merchant);
    const old = await fetchChallenge(server.url, session);
    const evidence = synthesiseEvidence({ challenge: old, sessionId: session.id, startedAt: Date.now() });
    await fetchChallenge(server.url, session);
    const answer = await verify(session, evidence);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('evidence-challenge-mismatch');

    const current = await fetchChallenge(server.url, session);
    const easier = synthesiseEvidence({ challenge: { nonce: current.nonce, steps: ['blink'] }, sessionId: session.id, startedAt: Date.now() });
    const steps = await verify(session, easier);
    expect(steps.status).toBe(400);
    expect(steps.body.error.code).toBe('evidence-challenge-mismatch');
  });

  it('refuses evidence timed before the challenge was issued, after its submission, or spanning longer than possible', async () => {
    const session = await createSession(server.url, merchant);
    const cases: [string, (challenge: Challenge) => Evidence][] = [
      ['before', (challenge) => synthesiseEvidence({ challenge, sessionId: session.id, startedAt: Date.now() - 60_000 })],
      ['after', (challenge) => synthesiseEvidence({ challenge, sessionId: session.id, startedAt: Date.now() + 60_000 })],
      // Eleven seconds of frames, half of them "in the future", submitted at once: every frame
      // lies within the skew of the window, but they cannot have been recorded in it.
      ['span', (challenge) => synthesiseEvidence({ challenge, sessionId: session.id, startedAt: Date.now() - 5000, perform: ['blink', 'turn-left', 'turn-right', 'nod', 'smile', 'open-mouth'] })],
    ];
    for (const [, make] of cases) {
      const challenge = await fetchChallenge(server.url, session);
      const answer = await verify(session, make(challenge));
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('evidence-stale');
    }
  });

  it('allows the merchant origin only (CORS, preflight included) on the browser endpoints', async () => {
    const session = await createSession(server.url, merchant);
    const path = `/v1/sessions/${session.id}/verify`;
    const preflight = await call(server.url, path, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(preflight.headers.get('vary')).toContain('Origin');

    for (const origin of ['https://evil.example', 'http://shop.example', 'https://shop.example.evil.example', 'null']) {
      const refused = await call(server.url, path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      const get = await call(server.url, `/v1/sessions/${session.id}/challenge`, { auth: session.client_secret, headers: { origin } });
      expect(get.status).toBe(403);
      expect(get.body.error.code).toBe('origin-not-allowed');
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
    }
    const allowed = await call(server.url, `/v1/sessions/${session.id}/challenge`, { auth: session.client_secret, headers: { origin: ORIGIN } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    // An error answer keeps the CORS header, so the page can read its code.
    const wrongSecret = await call(server.url, `/v1/sessions/${session.id}/challenge`, { auth: 'cs_wrong', headers: { origin: ORIGIN } });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    // The merchant endpoints are for servers: no CORS at all.
    const create = await call(server.url, '/v1/sessions', { auth: merchant.secret_key, json: ORDER, headers: { origin: ORIGIN } });
    expect(create.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses missing or wrong credentials with 401 unauthorized', async () => {
    const session = await createSession(server.url, merchant);
    const other = await createSession(server.url, merchant);
    const cases: [string, Parameters<typeof call>[2]][] = [
      ['/v1/sessions', { json: ORDER }],
      ['/v1/sessions', { json: ORDER, auth: 'sk_wrong' }],
      ['/v1/sessions', { json: ORDER, headers: { authorization: merchant.secret_key } }],
      ['/v1/sessions', { json: ORDER, headers: { authorization: `Basic ${merchant.secret_key}` } }],
      // A client secret is no secret key, and the other way round.
      ['/v1/sessions', { json: ORDER, auth: session.client_secret }],
      [`/v1/sessions/${session.id}/challenge`, {}],
      [`/v1/sessions/${session.id}/challenge`, { auth: merchant.secret_key }],
      [`/v1/sessions/${session.id}/challenge`, { auth: other.client_secret }],
      [`/v1/sessions/${session.id}/verify`, { json: {}, auth: other.client_secret }],
      ['/v1/tokens/consume', { json: { token: 'a.b.c' } }],
      ['/v1/tokens/consume', { json: { token: 'a.b.c' }, auth: session.client_secret }],
    ];
    for (const [path, options] of cases) {
      const answer = await call(server.url, path, options);
      expect(answer.status, `${path} ${JSON.stringify(options)}`).toBe(401);
      expect(answer.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });

  it('answers unknown sessions and routes with 404 not-found', async () => {
    for (const path of ['/v1/sessions/ses_unknown/challenge', '/v1/sessions/not-a-session-id/challenge', '/v1/nothing', '/']) {
      const answer = await call(server.url, path);
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('not-found');
    }
  });

  it('publishes its ES256 public key, and never a private part', async () => {
    const answer = await call(server.url, '/.well-known/jwks.json');
    expect(answer.status).toBe(200);
    expect(answer.body.keys).toHaveLength(1);
    const [key] = answer.body.keys;
    expect(key).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' });
  });

  it('logs no evidence: none of its numbers reach the logs', async () => {
    const session = await createSession(server.url, merchant);
    const challenge = await fetchChallenge(server.url, session);
    const evidence = await record(session, challenge, { perform: [] });
    await verify(session, evidence);
    await verify(session, { ...evidence, frames: 'broken' });
    const logs = server.stderr();
    expect(logs).toContain('liveness decided');
    expect(logs).not.toContain(JSON.stringify(evidence.frames[3]!.face!.pts.slice(0, 6)).slice(1, -1));
    expect(logs).not.toContain(evidence.camera.label);
    expect(logs).not.toContain(session.client_secret);
    expect(logs).not.toContain(merchant.secret_key);
  });
});
