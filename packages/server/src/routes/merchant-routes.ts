import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '@facepay/protocol';
import { ApiError } from '../api-error.js';
import type { AppContext } from '../context.js';
import { authenticateMerchant, rateLimit } from '../guards.js';
import { SESSION_TTL_MS } from '../limits.js';
import { SessionPurpose, SessionStatus, type SessionRecord } from '../records.js';
import { hashSecret, randomId } from '../secrets.js';

const CreateSessionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['amount', 'currency', 'reference'],
  properties: {
    amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    // Three upper-case letters; the ISO 4217 list itself changes and is the merchant's to know.
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    reference: { type: 'string', minLength: 1, maxLength: 200 },
    customer: { type: 'string', minLength: 1, maxLength: 200 },
    purpose: { type: 'string', enum: Object.values(SessionPurpose) },
  },
} as const;

interface CreateSessionBody {
  amount: number;
  currency: string;
  reference: string;
  customer?: string;
  purpose?: SessionPurpose;
}

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
    const { amount, currency, reference, customer, purpose = SessionPurpose.Pay } = request.body;
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
      status: SessionStatus.Pending,
      attempts: 0,
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
    };
    await ctx.store.addSession(session);
    request.log.info({ sessionId: session.id, merchantId: merchant.id, purpose }, 'session created');
    return reply.code(201).send({
      id: session.id,
      client_secret: clientSecret,
      expires_at: new Date(session.expiresAt).toISOString(),
      status: SessionStatus.Pending,
    });
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
