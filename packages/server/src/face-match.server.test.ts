import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MATCH_THRESHOLD } from '@facepay/face';
import { stepTimes } from '@facepay/liveness';
import { EVIDENCE_MAX_BYTES, FACE_TEMPLATE_DIMS, MATCH_MAX_CROP_CHARS, MATCH_MAX_SAMPLES, MATCH_SAMPLE_END_WITHIN_MS, MATCH_SAMPLE_MAX_POSE_DEG, MATCH_SAMPLE_STEP_LEAD_MS, MatchAssurance, encodeTemplate, type Challenge, type Evidence } from '@facepay/protocol';
import { verifyFacePayToken, type VerifyFacePayTokenOptions } from '@facepay/verify';
import { samplesBound } from './face/samples.js';
import { VERIFY_BODY_LIMIT } from './limits.js';
import { call, createSession, fetchChallenge, type TestSession } from './testing/http.js';
import { portraitShots, withSamples, type FaceShot } from './testing/face-samples.js';
import { createMerchant, startRedis, startServerProcess, tempDir, type RedisProcess, type ServerProcess, type TestMerchant } from './testing/processes.js';
import { synthesiseEvidence } from './testing/synthetic-face.js';

// Enrolment and 1:1 face match against a real `facepay serve`: real templates of the two
// test portraits (../shared/faces) from the Node embedder, bound to synthetic live evidence.

const ORIGIN = 'https://shop.example';
const FIXED = ['blink', 'turn-left'] as const;
const PAY = { amount: 1299, currency: 'EUR', reference: 'order_7' } as const;

let shots: Awaited<ReturnType<typeof portraitShots>>;
let grace: FaceShot[];
let bearded: FaceShot[];

const sleep = (ms: number) => new Promise((done) => setTimeout(done, Math.max(0, ms)));

/** A live face doing the challenge from now, submitted once its last frame is past (as a browser would). */
async function record(base: string, session: TestSession): Promise<{ challenge: Challenge & { match?: unknown }; evidence: Evidence }> {
  const challenge = await fetchChallenge(base, session);
  const startedAt = Date.now();
  const evidence = synthesiseEvidence({ challenge, sessionId: session.id, startedAt });
  await sleep(startedAt + evidence.frames.at(-1)!.t + 20 - Date.now());
  return { challenge, evidence };
}

function verify(base: string, session: TestSession, evidence: unknown) {
  return call(base, `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, json: evidence });
}

async function verifyToken(server: ServerProcess, merchant: TestMerchant, token: string, options: Partial<VerifyFacePayTokenOptions> & Record<string, unknown>) {
  return verifyFacePayToken(token, { jwksUrl: `${server.url}/.well-known/jwks.json`, issuer: server.url, audience: merchant.id, ...options } as VerifyFacePayTokenOptions);
}

/** Enrols `customer` with these shots; resolves to the token. */
async function enrol(server: ServerProcess, merchant: TestMerchant, customer: string, with_: FaceShot[], crops = false): Promise<string> {
  const session = await createSession(server.url, merchant, { reference: `enrol_${customer}`, customer, purpose: 'enroll' });
  const { evidence } = await record(server.url, session);
  const answer = await verify(server.url, session, withSamples(evidence, with_, { crops }));
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.token;
}

beforeAll(async () => {
  shots = await portraitShots();
  ({ grace, bearded } = shots);
}, 120_000);

describe('the portraits the tests rely on', () => {
  it('are one person each by the model, and two people between them', async () => {
    const { cosineSimilarity } = await import('@facepay/face');
    for (const person of [grace, bearded]) {
      for (const a of person) for (const b of person) expect(cosineSimilarity(a.template, b.template)).toBeGreaterThan(MATCH_THRESHOLD + 0.2);
    }
    for (const a of grace) for (const b of bearded) expect(cosineSimilarity(a.template, b.template)).toBeLessThan(MATCH_THRESHOLD - 0.2);
  });
});

describe('face match, features mode (SQLite)', () => {
  let data: Awaited<ReturnType<typeof tempDir>>;
  let server: ServerProcess;
  let shop: TestMerchant;
  let other: TestMerchant;

  beforeAll(async () => {
    data = await tempDir('face');
    shop = await createMerchant(data.path, ORIGIN);
    other = await createMerchant(data.path, ORIGIN);
    server = await startServerProcess({ dataDir: data.path, env: { FACEPAY_FIXED_CHALLENGE: FIXED.join(','), FACEPAY_LOG_LEVEL: 'info' } });
  });

  afterAll(async () => {
    await server?.stop();
    await data?.remove();
  });

  it('checks what a session is for: enrolments need a customer and charge nothing, payments need an amount', async () => {
    const create = (body: Record<string, unknown>, merchant = shop) => call(server.url, '/v1/sessions', { auth: merchant.secret_key, json: body });
    const refused: Record<string, unknown>[] = [
      { reference: 'r', purpose: 'enroll' },
      { reference: 'r', purpose: 'enroll', customer: 'cus_1', amount: 100, currency: 'EUR' },
      { reference: 'r', purpose: 'enroll', customer: 'cus_1', match: 'required' },
      { reference: 'r', customer: 'cus_1' },
      { reference: 'r', amount: 0, currency: 'EUR' },
      { ...PAY, match: 'required' },
      { ...PAY, customer: 'cus 1' },
      { ...PAY, customer: 'c'.repeat(129) },
      { ...PAY, customer: 'cus_1', match: 'sometimes' },
    ];
    for (const body of refused) {
      const answer = await create(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code).toBe('invalid-request');
    }
    expect((await create({ reference: 'r', purpose: 'enroll', customer: `${'c'.repeat(120)}.@:+-_9` })).status).toBe(201);
    expect((await create({ reference: 'r', purpose: 'enroll', customer: 'cus_1', amount: 0 })).status).toBe(201);
    const required = await create({ ...PAY, customer: 'cus_nobody', match: 'required' });
    expect(required.status).toBe(409);
    expect(required.body.error.code).toBe('customer-not-enrolled');
  });

  it('asks for no samples from a customer who is not enrolled, and refuses samples sent anyway', async () => {
    const session = await createSession(server.url, shop, { ...PAY, customer: 'cus_plain' });
    const { challenge, evidence } = await record(server.url, session);
    expect(challenge).not.toHaveProperty('match');
    const unasked = await verify(server.url, session, withSamples(evidence, grace.slice(0, 3)));
    expect(unasked.status).toBe(400);
    expect(unasked.body.error.code).toBe('evidence-invalid');
    // Refused before the attempt counted: the challenge is still open.
    const answer = await verify(server.url, session, evidence);
    expect(answer.status).toBe(200);
    const claims = await verifyToken(server, shop, answer.body.token, { ...PAY, customer: 'cus_plain' });
    expect(claims.liveness.assurance).toBe('features');
    expect(claims).not.toHaveProperty('match');
    await expect(verifyToken(server, shop, answer.body.token, { ...PAY, requireMatch: true })).rejects.toMatchObject({ code: 'match-required' });
  });

  it('enrols a customer, then the same person pays with a match in the token', async () => {
    const session = await createSession(server.url, shop, { reference: 'enrol_1', customer: 'cus_grace', purpose: 'enroll' });
    const { challenge, evidence } = await record(server.url, session);
    expect(challenge.match).toEqual({ purpose: 'enroll', model: 'faceres-1', assurance: 'features', samples: 3 });
    const enrolled = await verify(server.url, session, withSamples(evidence, grace.slice(0, 3)));
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);
    const enrolment = await verifyToken(server, shop, enrolled.body.token, { reference: 'enrol_1', purpose: 'enroll', customer: 'cus_grace' });
    expect(enrolment).toMatchObject({ purpose: 'enroll', sub: 'cus_grace', amount: { value: 0, currency: 'XXX' }, liveness: { assurance: 'features' } });
    expect(enrolment).not.toHaveProperty('match');
    // An enrolment's token never passes as a payment.
    await expect(verifyToken(server, shop, enrolled.body.token, { reference: 'enrol_1', amount: 1, currency: 'XXX' })).rejects.toMatchObject({ code: 'token-purpose-mismatch' });

    const payment = await createSession(server.url, shop, { ...PAY, customer: 'cus_grace', match: 'required' });
    const paid = await record(server.url, payment);
    expect(paid.challenge.match).toEqual({ purpose: 'pay', model: 'faceres-1', assurance: 'features', samples: 3 });
    const answer = await verify(server.url, payment, withSamples(paid.evidence, [grace[3]!, grace[1]!, grace[2]!]));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const claims = await verifyToken(server, shop, answer.body.token, { ...PAY, customer: 'cus_grace', requireMatch: true });
    expect(claims).toMatchObject({ sub: 'cus_grace', liveness: { assurance: 'features' }, match: { threshold: MATCH_THRESHOLD, passed: true } });
    expect(claims.match!.score).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(claims.match!.score).toBeLessThanOrEqual(1);
    expect(claims).not.toHaveProperty('purpose');
    await expect(verifyToken(server, shop, answer.body.token, { ...PAY, customer: 'cus_other' })).rejects.toMatchObject({ code: 'customer-mismatch' });
  });

  it('refuses another person ("not you"), a swap, and missing samples, as match failures after liveness passed', async () => {
    await enrol(server, shop, 'cus_g2', grace.slice(0, 3));
    const sessions = await Promise.all([0, 1, 2, 3, 4].map(() => createSession(server.url, shop, { ...PAY, customer: 'cus_g2' })));
    const recorded = await Promise.all(sessions.map((session) => record(server.url, session)));
    // Samples spread over the session and one at its end, but none from the first step's
    // stretch (a second before its peak to its completion): whoever did it went unsampled.
    const skipping = recorded[4]!.evidence;
    const [first] = stepTimes(skipping, { nonce: skipping.nonce, steps: skipping.steps });
    const outside = skipping.frames
      .filter((frame) => frame.faces === 1 && Math.abs(frame.face!.pose[0]) <= MATCH_SAMPLE_MAX_POSE_DEG && Math.abs(frame.face!.pose[1]) <= MATCH_SAMPLE_MAX_POSE_DEG)
      .map((frame) => frame.t)
      .filter((t) => t < first!.peakT - MATCH_SAMPLE_STEP_LEAD_MS || t > first!.doneT);
    const unstepped = [outside[0]!, outside.find((t) => t > first!.doneT)!, outside.at(-1)!];
    expect(unstepped[0]).toBeLessThan(first!.peakT - MATCH_SAMPLE_STEP_LEAD_MS);
    expect(unstepped.at(-1)).toBeGreaterThan(skipping.frames.at(-1)!.t - MATCH_SAMPLE_END_WITHIN_MS);
    // Bound, spread and ending late: only the step rule refuses them.
    const asSent = unstepped.map((t, i) => ({ t, template: grace[i]!.template }));
    expect(samplesBound(asSent, skipping, MatchAssurance.Features, [])).toBe(true);
    const [impostor, swap, missing, unbound, unsampled] = await Promise.all([
      verify(server.url, sessions[0]!, withSamples(recorded[0]!.evidence, bearded.slice(0, 3))),
      verify(server.url, sessions[1]!, withSamples(recorded[1]!.evidence, [grace[0]!, grace[1]!, bearded[2]!])),
      verify(server.url, sessions[2]!, recorded[2]!.evidence),
      // Samples at times with no frame: not bound to this evidence.
      verify(server.url, sessions[3]!, { ...withSamples(recorded[3]!.evidence, grace.slice(0, 3)), match: { model: 'faceres-1', samples: grace.slice(0, 3).map((shot, i) => ({ t: 100_000 + i, template: encodeTemplate(shot.template) })) } }),
      verify(server.url, sessions[4]!, { ...skipping, match: { model: 'faceres-1', samples: unstepped.map((t, i) => ({ t, template: encodeTemplate(grace[i]!.template) })) } }),
    ]);
    expect(impostor.status).toBe(422);
    expect(impostor.body).toEqual({ status: 'failed', code: 'match-failed', reasons: ['face-mismatch'], retryable: true });
    expect(swap.body).toEqual({ status: 'failed', code: 'match-failed', reasons: ['face-inconsistent'], retryable: false });
    expect(missing.body).toEqual({ status: 'failed', code: 'match-failed', reasons: ['face-missing'], retryable: true });
    expect(unbound.body).toEqual({ status: 'failed', code: 'match-failed', reasons: ['face-missing'], retryable: true });
    expect(unsampled.body).toEqual({ status: 'failed', code: 'match-failed', reasons: ['face-missing'], retryable: true });
    // "Not you" may be retried (attempts still count); a swap ends the session.
    expect((await call(server.url, `/v1/sessions/${sessions[0]!.id}/challenge`, { auth: sessions[0]!.client_secret })).status).toBe(200);
    const closed = await call(server.url, `/v1/sessions/${sessions[1]!.id}/challenge`, { auth: sessions[1]!.client_secret });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('session-closed');
  });

  it('reports a failed liveness as not live, before any match', async () => {
    const session = await createSession(server.url, shop, { ...PAY, customer: 'cus_g2' });
    const challenge = await fetchChallenge(server.url, session);
    const startedAt = Date.now();
    // The face holds still: no step done. The samples are someone else's, which is not what is reported.
    const evidence = synthesiseEvidence({ challenge, sessionId: session.id, startedAt, perform: [] });
    await sleep(startedAt + evidence.frames.at(-1)!.t + 20 - Date.now());
    const answer = await verify(server.url, session, withSamples(evidence, bearded.slice(0, 3)));
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('liveness-failed');
    expect(answer.body.reasons).not.toContain('face-mismatch');
  });

  it('refuses malformed samples with 400 evidence-invalid before the attempt counts', async () => {
    await enrol(server, shop, 'cus_g3', grace.slice(0, 3));
    const session = await createSession(server.url, shop, { ...PAY, customer: 'cus_g3' });
    const { evidence } = await record(server.url, session);
    const good = withSamples(evidence, grace.slice(0, 3));
    const nan = new Float32Array(FACE_TEMPLATE_DIMS).fill(Number.NaN);
    const long = grace[0]!.template.map((v) => v * 3);
    const edit = (change: (samples: Record<string, unknown>[]) => unknown) => ({ ...good, match: { model: 'faceres-1', samples: change(structuredClone(good.match!.samples) as unknown as Record<string, unknown>[]) } });
    const malformed = [
      edit((samples) => samples.map((sample) => ({ ...sample, template: 'AAAA' }))),
      edit((samples) => samples.map((sample, i) => (i === 1 ? { ...sample, template: `${(sample.template as string).slice(0, -4)}!!!!` } : sample))),
      edit((samples) => samples.map((sample, i) => (i === 0 ? { ...sample, template: encodeTemplate(nan) } : sample))),
      edit((samples) => samples.map((sample, i) => (i === 2 ? { ...sample, template: encodeTemplate(long) } : sample))),
      edit((samples) => samples.map((sample) => ({ ...sample, t: samples[0]!.t }))),
      edit((samples) => samples.map((sample) => ({ ...sample, crop: grace[0]!.crop }))),
      edit((samples) => [...samples, ...samples]),
      edit(() => []),
      { ...good, match: { model: 'facenet', samples: good.match!.samples } },
    ];
    for (const body of malformed) {
      const answer = await verify(server.url, session, body);
      expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(400);
      expect(answer.body.error.code).toBe('evidence-invalid');
      expect(JSON.stringify(answer.body)).not.toContain(good.match!.samples[1]!.template.slice(0, 40));
    }
    const answer = await verify(server.url, session, good);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  });

  it('admits the largest evidence with the largest face samples over HTTP, and not a byte more', async () => {
    await enrol(server, shop, 'cus_big', grace.slice(0, 3));
    const session = await createSession(server.url, shop, { ...PAY, customer: 'cus_big' });
    const challenge = await fetchChallenge(server.url, session);
    const base = synthesiseEvidence({ challenge, sessionId: session.id, startedAt: Date.now() });
    const padded = { ...base, camera: { ...base.camera, settings: { pad: '' } } };
    padded.camera.settings.pad = 'x'.repeat(EVIDENCE_MAX_BYTES - JSON.stringify(padded).length);
    const samples = Array.from({ length: MATCH_MAX_SAMPLES }, (_, i) => ({ t: 3_599_999 - i, template: encodeTemplate(grace[0]!.template), crop: 'A'.repeat(MATCH_MAX_CROP_CHARS) }));
    const body = JSON.stringify({ ...padded, match: { model: 'faceres-1', samples } });
    expect(body.length).toBeLessThanOrEqual(VERIFY_BODY_LIMIT);
    const send = (raw: string) => call(server.url, `/v1/sessions/${session.id}/verify`, { auth: session.client_secret, raw, headers: { 'content-type': 'application/json' } });
    // Past the size checks; refused for what it is (crops in features mode), before the attempt counts.
    const admitted = await send(body);
    expect(admitted.status).toBe(400);
    expect(admitted.body.error).toMatchObject({ code: 'evidence-invalid', issues: ['match.samples.0.crop: this session asked for templates only (features mode)'] });
    const tooLarge = await send(body + ' '.repeat(VERIFY_BODY_LIMIT - body.length + 1));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('payload-too-large');
    const moreFrames = await send(JSON.stringify({ ...padded, nonce: `${padded.nonce}x`, match: { model: 'faceres-1', samples } }));
    expect(moreFrames.status).toBe(413);
    expect(moreFrames.body.error.code).toBe('evidence-too-large');
  });

  it('deletes an enrolment for its own merchant only: 204, then 404; a required match then needs a new enrolment', async () => {
    await enrol(server, shop, 'cus_del', grace.slice(0, 3));
    const path = '/v1/customers/cus_del/face';
    // Another merchant's customer of the same id is not this one.
    const foreign = await call(server.url, path, { method: 'DELETE', auth: other.secret_key });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('not-enrolled');
    expect((await call(server.url, '/v1/sessions', { auth: other.secret_key, json: { ...PAY, customer: 'cus_del', match: 'required' } })).body.error.code).toBe('customer-not-enrolled');
    expect((await call(server.url, path, { method: 'DELETE' })).status).toBe(401);
    expect((await call(server.url, '/v1/customers/cus%20del/face', { method: 'DELETE', auth: shop.secret_key })).body.error.code).toBe('invalid-request');

    // A payment created while enrolled, verified after the deletion: a coded refusal.
    const pending = await createSession(server.url, shop, { ...PAY, customer: 'cus_del' });
    const recorded = record(server.url, pending);
    const deleted = await call(server.url, path, { method: 'DELETE', auth: shop.secret_key });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    const again = await call(server.url, path, { method: 'DELETE', auth: shop.secret_key });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not-enrolled');
    const late = await verify(server.url, pending, withSamples((await recorded).evidence, grace.slice(0, 3)));
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('customer-not-enrolled');

    const required = await call(server.url, '/v1/sessions', { auth: shop.secret_key, json: { ...PAY, customer: 'cus_del', match: 'required' } });
    expect(required.status).toBe(409);
    expect(required.body.error.code).toBe('customer-not-enrolled');
    // By default the customer pays with liveness alone again, and no samples are asked for.
    const plain = await createSession(server.url, shop, { ...PAY, customer: 'cus_del' });
    expect(await fetchChallenge(server.url, plain)).not.toHaveProperty('match');
  });

  it('re-enrolment replaces the template: the new face pays, the old one no longer does', async () => {
    await enrol(server, shop, 'cus_swap', grace.slice(0, 3));
    await enrol(server, shop, 'cus_swap', bearded.slice(0, 3));
    const [now, before] = await Promise.all([0, 1].map(() => createSession(server.url, shop, { ...PAY, customer: 'cus_swap' })));
    const [a, b] = await Promise.all([record(server.url, now!), record(server.url, before!)]);
    expect((await verify(server.url, now!, withSamples(a.evidence, bearded.slice(1, 4)))).status).toBe(200);
    expect((await verify(server.url, before!, withSamples(b.evidence, grace.slice(0, 3)))).body.reasons).toEqual(['face-mismatch']);
  });

  it('keeps templates sealed at rest, and out of the logs', async () => {
    const db = new Database(join(data.path, 'facepay.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT merchant_id, customer, sealed FROM face_templates').all() as { merchant_id: string; customer: string; sealed: string }[];
      expect(rows.map((row) => row.customer)).toEqual(expect.arrayContaining(['cus_grace', 'cus_g2', 'cus_swap']));
      for (const row of rows) expect(row.sealed).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{5499}$/);
    } finally {
      db.close();
    }
    const files = await Promise.all(['facepay.sqlite', 'facepay.sqlite-wal'].map((file) => readFile(join(data.path, file)).catch(() => Buffer.alloc(0))));
    const logs = server.stderr();
    for (const shot of [...grace, ...bearded]) {
      const bytes = Buffer.from(shot.template.buffer, shot.template.byteOffset, shot.template.byteLength);
      for (const file of files) expect(file.indexOf(bytes.subarray(0, 32))).toBe(-1);
      expect(logs).not.toContain(encodeTemplate(shot.template).slice(0, 40));
    }
    expect(logs).toContain('face match decided');
    expect(logs).toContain('face enrolled');
  });
});

describe('face match, frames mode (Redis)', () => {
  let redis: RedisProcess;
  let data: Awaited<ReturnType<typeof tempDir>>;
  let server: ServerProcess;
  let shop: TestMerchant;

  beforeAll(async () => {
    redis = await startRedis();
    data = await tempDir('face-frames');
    shop = await createMerchant(data.path, ORIGIN, ['--redis', redis.url, '--face-assurance', 'frames']);
    server = await startServerProcess({
      dataDir: data.path,
      args: ['--redis', redis.url],
      env: { FACEPAY_FIXED_CHALLENGE: FIXED.join(','), FACEPAY_TEMPLATE_KEY: Buffer.alloc(32, 9).toString('base64') },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
    await data?.remove();
  });

  it('enrols and pays with honest crops, the server embedding each one itself', async () => {
    const session = await createSession(server.url, shop, { reference: 'enrol_f', customer: 'cus_f', purpose: 'enroll' });
    const { challenge, evidence } = await record(server.url, session);
    expect(challenge.match).toEqual({ purpose: 'enroll', model: 'faceres-1', assurance: 'frames', samples: 3 });
    // Frames mode takes no sample without its crop.
    const templatesOnly = await verify(server.url, session, withSamples(evidence, grace.slice(0, 3)));
    expect(templatesOnly.body).toEqual({ status: 'failed', code: 'match-failed', reasons: ['face-missing'], retryable: true });
    const retry = await record(server.url, session);
    const enrolled = await verify(server.url, session, withSamples(retry.evidence, grace.slice(0, 3), { crops: true }));
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);
    expect((await verifyToken(server, shop, enrolled.body.token, { reference: 'enrol_f', purpose: 'enroll' })).liveness.assurance).toBe('frames');

    const payment = await createSession(server.url, shop, { ...PAY, customer: 'cus_f', match: 'required' });
    const paid = await record(server.url, payment);
    const answer = await verify(server.url, payment, withSamples(paid.evidence, grace.slice(1, 4), { crops: true }));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const claims = await verifyToken(server, shop, answer.body.token, { ...PAY, customer: 'cus_f', requireMatch: true });
    expect(claims).toMatchObject({ liveness: { assurance: 'frames' }, match: { passed: true, threshold: MATCH_THRESHOLD } });
  });

  it('catches a forged template: the enrolled face\'s template sent with another face\'s crop', async () => {
    const sessions = await Promise.all([0, 1].map(() => createSession(server.url, shop, { ...PAY, customer: 'cus_f' })));
    const [a, b] = await Promise.all(sessions.map((session) => record(server.url, session)));
    const forged = grace.slice(0, 3).map((shot, i) => ({ template: shot.template, crop: bearded[i]!.crop }));
    const answer = await verify(server.url, sessions[0]!, withSamples(a!.evidence, forged, { crops: true }));
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({ status: 'failed', code: 'match-failed', reasons: ['template-mismatch'], retryable: false });
    // A crop that is no JPEG is malformed, not a mismatch.
    const broken = withSamples(b!.evidence, grace.slice(0, 3), { crops: true });
    broken.match!.samples[1]!.crop = Buffer.from('not a jpeg at all').toString('base64');
    const refused = await verify(server.url, sessions[1]!, broken);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('evidence-invalid');
  });

  it('keeps the template sealed in Redis, under the merchant and customer', async () => {
    const client = new Redis(redis.url);
    try {
      const sealed = await client.getBuffer(`facepay:face:${shop.id}:cus_f`);
      expect(sealed?.toString()).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{5499}$/);
      for (const shot of grace) expect(sealed!.indexOf(Buffer.from(shot.template.buffer).subarray(0, 32))).toBe(-1);
      // Deleting it removes the key.
      expect((await call(server.url, '/v1/customers/cus_f/face', { method: 'DELETE', auth: shop.secret_key })).status).toBe(204);
      expect(await client.exists(`facepay:face:${shop.id}:cus_f`)).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
