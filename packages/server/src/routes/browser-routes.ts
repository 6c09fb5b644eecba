import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createChallenge, evaluate, stepTimes, validateEvidence, type LivenessPolicy } from '@facepay/liveness';
import { ErrorCode, FACE_MODEL_ID, MatchAssurance, SessionPurpose, Verdict, type MatchRequest } from '@facepay/protocol';
import { ApiError } from '../api-error.js';
import type { AppContext } from '../context.js';
import { bearer, rateLimit } from '../guards.js';
import { bindingError } from '../evidence-binding.js';
import { decideMatch, matchEndsSession, prepareSamples } from '../face/face-match.js';
import { MATCH_SAMPLES } from '../face/samples.js';
import { MAX_ATTEMPTS, VERIFY_BODY_LIMIT } from '../limits.js';
import { SessionStatus, type MerchantRecord, type SessionRecord } from '../records.js';
import { hashSecret, randomId, sameHash } from '../secrets.js';
import { closeSession, openChallenge, takeChallenge } from '../session-rules.js';
import { updateSession } from '../store/update-session.js';
import { signToken, type TokenFace } from '../tokens.js';

const ParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^ses_[A-Za-z0-9_-]{1,64}$' } },
} as const;

type SessionRequest = FastifyRequest<{ Params: { id: string } }>;

/** How long browsers may cache a preflight answer (s). */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * The endpoints the shopper's browser calls with the session's client secret, cross-origin
 * from the merchant's page: CORS for the merchant's origins only, preflight included.
 */
export function registerBrowserRoutes(app: FastifyInstance, ctx: AppContext): void {
  const options = { schema: { params: ParamsSchema } };

  for (const [path, method] of [
    ['/v1/sessions/:id/challenge', 'GET'],
    ['/v1/sessions/:id/verify', 'POST'],
  ] as const) {
    app.options(path, options, async (request: SessionRequest, reply) => {
      const { merchant } = await sessionOf(ctx, request.params.id);
      allowOrigin(request, reply, merchant);
      reply.header('access-control-allow-methods', method);
      reply.header('access-control-allow-headers', 'authorization, content-type');
      reply.header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S));
      return reply.code(204).send();
    });
  }

  app.get('/v1/sessions/:id/challenge', options, async (request: SessionRequest, reply) => {
    const { session, merchant } = await authorise(ctx, request, reply);
    const nonce = randomId('', 24);
    const { pool, length } = merchant.liveness;
    const steps = ctx.config.fixedChallenge ?? createChallenge(nonce, { ...(pool && { pool }), ...(length !== undefined && { length }) });
    const now = Date.now();
    await updateSession(ctx.store, session.id, (current) => openChallenge(current, { nonce, steps, issuedAt: now }, now));
    const answer = { nonce, steps, expires_at: new Date(session.expiresAt).toISOString() };
    if (!session.face) return answer;
    const match: MatchRequest = { purpose: session.purpose, model: FACE_MODEL_ID, assurance: session.face.assurance, samples: MATCH_SAMPLES };
    return { ...answer, match };
  });

  app.post('/v1/sessions/:id/verify', { ...options, bodyLimit: VERIFY_BODY_LIMIT }, async (request: SessionRequest, reply) => {
    const { session, merchant } = await authorise(ctx, request, reply);
    const body = request.body;
    // validateEvidence would also parse a string as JSON; a JSON string body is no evidence.
    const checked = typeof body === 'object' && body !== null && !Array.isArray(body) ? validateEvidence(body) : undefined;
    if (!checked) throw new ApiError(ErrorCode.EvidenceInvalid, 'The body must be the evidence object');
    if (!checked.ok) throw new ApiError(checked.error.code, checked.error.message, checked.error.issues ? { details: { issues: checked.error.issues } } : undefined);
    const evidence = checked.evidence;
    const samples = prepareSamples(evidence, session.face);

    const receivedAt = Date.now();
    const { result: attempt } = await updateSession(ctx.store, session.id, (current) => takeChallenge(current, receivedAt));
    const log = request.log.child({ sessionId: session.id, merchantId: merchant.id, attempt: attempt.attempt });
    const mismatch = bindingError(evidence, session.id, attempt.challenge, receivedAt, ctx.config.clockSkewMs);
    if (mismatch) throw mismatch;
    // A payment that needs a match needs the enrolment it was created against.
    const enrolled = session.face && session.purpose === SessionPurpose.Pay ? await enrolment(ctx, merchant.id, session.customer!) : undefined;

    const policy: Partial<LivenessPolicy> = merchant.liveness.minScore === undefined ? {} : { minLiveScore: merchant.liveness.minScore };
    const challenge = { nonce: attempt.challenge.nonce, steps: attempt.challenge.steps };
    const evaluation = evaluate(evidence, challenge, policy);
    // The decision and its reasons are logged; the evidence never is.
    log.info({ verdict: evaluation.verdict, score: evaluation.score, reasons: evaluation.reasons, frames: evidence.frames.length }, 'liveness decided');

    if (evaluation.verdict !== Verdict.Live) {
      // A spoof ends the session; an inconclusive capture may be retried while attempts last.
      if (evaluation.verdict === Verdict.Spoof) await updateSession(ctx.store, session.id, (current) => closeSession(current, SessionStatus.Failed));
      return reply.code(422).send({
        status: SessionStatus.Failed,
        code: ErrorCode.LivenessFailed,
        reasons: evaluation.reasons,
        retryable: evaluation.verdict === Verdict.Inconclusive && attempt.attempt < MAX_ATTEMPTS,
      });
    }

    const face: TokenFace = { assurance: MatchAssurance.Features };
    if (session.face) {
      face.assurance = session.face.assurance;
      const decision = await decideMatch(samples, evidence, stepTimes(evidence, challenge, policy), session.face, enrolled, ctx.embedder);
      // Scores and reasons only: never a template.
      log.info(
        { purpose: session.purpose, assurance: session.face.assurance, passed: decision.passed, ...(!decision.passed && { reason: decision.reason }), score: decision.score, samples: samples.length, embedMs: Math.round(decision.embedMs) },
        'face match decided',
      );
      if (!decision.passed) {
        const ends = matchEndsSession(decision.reason);
        if (ends) await updateSession(ctx.store, session.id, (current) => closeSession(current, SessionStatus.Failed));
        return reply.code(422).send({
          status: SessionStatus.Failed,
          code: ErrorCode.MatchFailed,
          reasons: [decision.reason],
          retryable: !ends && attempt.attempt < MAX_ATTEMPTS,
        });
      }
      if (session.purpose === SessionPurpose.Enroll) {
        await ctx.store.putFaceTemplate(merchant.id, session.customer!, ctx.templates.seal(merchant.id, session.customer!, decision.mean));
        log.info('face enrolled');
      } else {
        face.match = { score: decision.score!, threshold: decision.threshold, passed: true };
      }
    }

    const { token, claims } = await signToken(ctx.keys, { issuer: ctx.issuer, lifetimeS: ctx.config.tokenLifetimeS }, session, evaluation, face, Date.now());
    await updateSession(ctx.store, session.id, (current) => closeSession(current, SessionStatus.Verified, claims.jti));
    log.info({ jti: claims.jti }, 'token issued');
    return { status: SessionStatus.Verified, token };
  });
}

/** The customer's enrolled template; `customer-not-enrolled` when it was deleted since the session was created. */
async function enrolment(ctx: AppContext, merchantId: string, customer: string): Promise<Float32Array> {
  const sealed = await ctx.store.faceTemplate(merchantId, customer);
  if (sealed === undefined) throw new ApiError(ErrorCode.CustomerNotEnrolled, 'The customer\'s face enrolment was deleted after this session was created');
  return ctx.templates.open(merchantId, customer, sealed);
}

async function sessionOf(ctx: AppContext, id: string): Promise<{ session: SessionRecord; merchant: MerchantRecord }> {
  const session = await ctx.store.session(id);
  const merchant = session && (await ctx.store.merchant(session.merchantId));
  if (!session || !merchant) throw new ApiError(ErrorCode.NotFound, 'No such session');
  return { session, merchant };
}

/**
 * Requests without `Origin` come from no browser page (a native app, a test) and are
 * judged by the client secret alone; a page's origin must be the merchant's.
 */
function allowOrigin(request: FastifyRequest, reply: FastifyReply, merchant: MerchantRecord): void {
  reply.header('vary', 'Origin');
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (!merchant.origins.includes(origin)) throw new ApiError(ErrorCode.OriginNotAllowed, 'This origin may not use the session');
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-expose-headers', 'retry-after');
}

/** Session, origin, rate limits and client secret, in the order that keeps CORS on every answer. */
async function authorise(ctx: AppContext, request: SessionRequest, reply: FastifyReply): Promise<{ session: SessionRecord; merchant: MerchantRecord }> {
  const found = await sessionOf(ctx, request.params.id);
  allowOrigin(request, reply, found.merchant);
  await rateLimit(ctx, `client:${request.ip}`, ctx.config.clientPerMinute);
  if (!sameHash(hashSecret(bearer(request)), found.session.clientSecretHash)) throw new ApiError(ErrorCode.Unauthorized, 'Wrong client secret');
  await rateLimit(ctx, `merchant:${found.merchant.id}`, ctx.config.merchantPerMinute);
  return found;
}
