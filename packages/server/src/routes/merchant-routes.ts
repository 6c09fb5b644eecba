import type { FastifyInstance } from 'fastify';
import { ErrorCode, MatchAssurance } from '@facepay/protocol';
import { ApiError } from '../api-error.js';
import type { AppContext } from '../context.js';
import { authenticateMerchant, rateLimit } from '../guards.js';
import { SESSION_TTL_MS } from '../limits.js';
import { SessionPurpose, SessionStatus, type SessionFace, type SessionRecord } from '../records.js';
import { hashSecret, randomId } from '../secrets.js';

/**
 * A merchant's customer id: it becomes the token's `sub`, a storage key and a URL path
 * segment, so it is kept to characters that need no escaping anywhere.
 */
export const CUSTOMER_PATTERN = '^[A-Za-z0-9._:@+-]{1,128}$';

/** When a payment needs a 1:1 face match. */
const MatchPolicy = {
  /** The customer is matched when enrolled, and pays with liveness alone otherwise (the default). */
  IfEnrolled: 'if-enrolled',
  /** The customer must be enrolled: `409 customer-not-enrolled` otherwise. */
  Required: 'required',
} as const;
type MatchPolicy = (typeof MatchPolicy)[keyof typeof MatchPolicy];

/** The currency of enrolments, which charge nothing: ISO 4217's code for "no currency". */
const NO_CURRENCY = 'XXX';

const CreateSessionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reference'],
  properties: {
    // Positive for payments; enrolments take none (or 0). Checked per purpose below.
    amount: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    // Three upper-case letters; the ISO 4217 list itself changes and is the merchant's to know.
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    reference: { type: 'string', minLength: 1, maxLength: 200 },
    customer: { type: 'string', pattern: CUSTOMER_PATTERN },
    purpose: { type: 'string', enum: Object.values(SessionPurpose) },
    match: { type: 'string', enum: Object.values(MatchPolicy) },
  },
} as const;

interface CreateSessionBody {
  amount?: number;
  currency?: string;
  reference: string;
  customer?: string;
  purpose?: SessionPurpose;
  match?: MatchPolicy;
}

const CustomerParamsSchema = {
  type: 'object',
  required: ['customer'],
  properties: { customer: { type: 'string' } },
} as const;

const ConsumeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token: { type: 'string', minLength: 1, maxLength: 8192 } },
} as const;

/** Consumed token ids are kept this long past `exp`, beyond any clock difference. */
const CONSUMED_MARGIN_MS = 5 * 60_000;

/** The endpoints a merchant's backend calls with its secret key. */
export function registerMerchantRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: CreateSessionBody }>('/v1/sessions', { schema: { body: CreateSessionSchema } }, async (request, reply) => {
    const merchant = await authenticateMerchant(ctx, request);
    await rateLimit(ctx, `merchant:${merchant.id}`, ctx.config.merchantPerMinute);
    const { reference, customer, purpose = SessionPurpose.Pay } = request.body;
    const { amount, currency } = orderOf(request.body);
    let face: SessionFace | undefined;
    if (purpose === SessionPurpose.Enroll || customer !== undefined) {
      const enrolled = purpose === SessionPurpose.Pay && (await ctx.store.faceTemplate(merchant.id, customer!)) !== undefined;
      if (request.body.match === MatchPolicy.Required && !enrolled) throw new ApiError(ErrorCode.CustomerNotEnrolled, 'The customer has no enrolled face: create an enrolment session first');
      if (purpose === SessionPurpose.Enroll || enrolled) face = { assurance: merchant.faceAssurance ?? MatchAssurance.Features };
    }
    const now = Date.now();
    const clientSecret = randomId('cs_', 32);
    const session: SessionRecord = {
      id: randomId('ses_', 16),
      version: 1,
      merchantId: merchant.id,
      clientSecretHash: hashSecret(clientSecret),
      amount,
      currency,
      reference,
      ...(customer === undefined ? {} : { customer }),
      purpose,
      ...(face && { face }),
      status: SessionStatus.Pending,
      attempts: 0,
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
    };
    await ctx.store.addSession(session);
    request.log.info({ sessionId: session.id, merchantId: merchant.id, purpose, faceMatch: face !== undefined }, 'session created');
    return reply.code(201).send({
      id: session.id,
      client_secret: clientSecret,
      expires_at: new Date(session.expiresAt).toISOString(),
      status: SessionStatus.Pending,
    });
  });

  app.delete<{ Params: { customer: string } }>('/v1/customers/:customer/face', { schema: { params: CustomerParamsSchema } }, async (request, reply) => {
    const merchant = await authenticateMerchant(ctx, request);
    await rateLimit(ctx, `merchant:${merchant.id}`, ctx.config.merchantPerMinute);
    const { customer } = request.params;
    if (!new RegExp(CUSTOMER_PATTERN).test(customer)) throw new ApiError(ErrorCode.InvalidRequest, 'A customer id is 1 to 128 of A-Z a-z 0-9 . _ : @ + -');
    // Scoped to the caller: another merchant's customer of the same id is another row.
    if (!(await ctx.store.deleteFaceTemplate(merchant.id, customer))) throw new ApiError(ErrorCode.NotEnrolled, 'The customer has no enrolled face');
    request.log.info({ merchantId: merchant.id }, 'face enrolment deleted');
    return reply.code(204).send();
  });

  app.post<{ Body: { token: string } }>('/v1/tokens/consume', { schema: { body: ConsumeSchema } }, async (request) => {
    const merchant = await authenticateMerchant(ctx, request);
    await rateLimit(ctx, `merchant:${merchant.id}`, ctx.config.merchantPerMinute);
    const claims = await ctx.tokens.check(request.body.token, ctx.issuer);
    if (claims.aud !== merchant.id) throw new ApiError(ErrorCode.TokenInvalid, 'The token is not a valid facepay token of this server');
    if (!(await ctx.store.consumeToken(claims.jti, claims.exp * 1000 + CONSUMED_MARGIN_MS))) {
      throw new ApiError(ErrorCode.TokenConsumed, 'The token was consumed before');
    }
    request.log.info({ sessionId: claims.sid, merchantId: merchant.id, jti: claims.jti }, 'token consumed');
    return { consumed: true };
  });
}

/**
 * A payment charges a positive amount in a currency; an enrolment charges nothing (no
 * amount, or 0) and its token says `{ value: 0, currency: "XXX" }`, which no payment check
 * accepts. Anything else is `invalid-request`.
 */
function orderOf(body: CreateSessionBody): { amount: number; currency: string } {
  if ((body.purpose ?? SessionPurpose.Pay) === SessionPurpose.Pay) {
    if (body.amount === undefined || body.amount < 1 || body.currency === undefined) throw new ApiError(ErrorCode.InvalidRequest, 'A payment needs a positive amount (minor units) and a currency');
    if (body.match === MatchPolicy.Required && body.customer === undefined) throw new ApiError(ErrorCode.InvalidRequest, 'match "required" needs the customer to match');
    return { amount: body.amount, currency: body.currency };
  }
  if (body.customer === undefined) throw new ApiError(ErrorCode.InvalidRequest, 'An enrolment needs the customer whose face it enrols');
  if (body.amount !== undefined && body.amount !== 0) throw new ApiError(ErrorCode.InvalidRequest, 'An enrolment charges nothing: leave out amount');
  if (body.match !== undefined) throw new ApiError(ErrorCode.InvalidRequest, 'match applies to payments, not enrolments');
  return { amount: 0, currency: body.currency ?? NO_CURRENCY };
}
