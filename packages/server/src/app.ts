import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ErrorCode } from '@facepay/protocol';
import { ApiError } from './api-error.js';
import type { KeyStore } from './keys/key-store.js';
import { BODY_LIMIT } from './limits.js';
import type { ServerConfig } from './options.js';
import type { MerchantRecord } from './records.js';
import { registerBrowserRoutes } from './routes/browser-routes.js';
import { registerJwksRoute } from './routes/jwks-route.js';
import { registerMerchantRoutes } from './routes/merchant-routes.js';
import { hashSecret } from './secrets.js';
import type { Store } from './store/store.js';
import type { TokenChecker } from './tokens.js';

export interface AppContext {
  config: ServerConfig;
  store: Store;
  keys: KeyStore;
  /** The tokens' `iss`; set once the server listens (its URL, unless configured). */
  issuer: string;
  tokens: TokenChecker;
}

/** Fastify with the facepay routes, coded errors and logs without bodies. */
export function createApp(ctx: AppContext): FastifyInstance {
  const app = Fastify({
    // Structured JSON logs on stderr, so stdout carries only what the CLI prints. Fastify
    // logs method, URL, status and timing per request: never bodies, never headers.
    logger: { level: ctx.config.logLevel, stream: process.stderr },
    trustProxy: ctx.config.trustProxy,
    bodyLimit: BODY_LIMIT,
    requestTimeout: 30_000,
    // Strict schemas: no coercion of "12" into 12, no silent removal of unknown fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = toApiError(error);
    if (answer.status >= 500) request.log.error({ err: error }, 'request failed');
    // Only the code: messages of evidence errors quote the evidence's values.
    else request.log.info({ code: answer.code }, 'request refused');
    return sendError(reply, answer);
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, new ApiError(ErrorCode.NotFound, 'No such route')));
  registerMerchantRoutes(app, ctx);
  registerBrowserRoutes(app, ctx);
  registerJwksRoute(app, ctx);
  return app;
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.headers) reply.headers(error.headers);
  return reply.code(error.status).send(error.body());
}

/** Fastify's own errors (body parsing, schemas) as coded answers; anything else is a 500. */
function toApiError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  const status = error.statusCode ?? 500;
  if (status === 413) return new ApiError(ErrorCode.PayloadTooLarge, error.message);
  if (error.validation) {
    if (error.validationContext === 'params') return new ApiError(ErrorCode.NotFound, 'No such session');
    return new ApiError(ErrorCode.InvalidRequest, error.message);
  }
  if (status >= 400 && status < 500) return new ApiError(ErrorCode.InvalidRequest, error.message, { status });
  return new ApiError(ErrorCode.InternalError, 'Internal error');
}

/** The credential of `Authorization: Bearer <credential>`. */
export function bearer(request: FastifyRequest): string {
  const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(request.headers.authorization ?? '');
  if (!match) throw new ApiError(ErrorCode.Unauthorized, 'Send Authorization: Bearer <key>');
  return match[1]!;
}

/** The merchant whose secret key the request carries. */
export async function authenticateMerchant(ctx: AppContext, request: FastifyRequest): Promise<MerchantRecord> {
  const merchant = await ctx.store.merchantBySecretKeyHash(hashSecret(bearer(request)));
  if (!merchant) throw new ApiError(ErrorCode.Unauthorized, 'Unknown secret key');
  return merchant;
}

/** Counts the request against a fixed one-minute window; over `perMinute` it is refused. */
export async function rateLimit(ctx: AppContext, key: string, perMinute: number): Promise<void> {
  const now = Date.now();
  const count = await ctx.store.hit(key, 60_000, now);
  if (count > perMinute) {
    const retryAfter = String(Math.ceil((60_000 - (now % 60_000)) / 1000));
    throw new ApiError(ErrorCode.RateLimited, 'Too many requests; retry later', { headers: { 'retry-after': retryAfter } });
  }
}
