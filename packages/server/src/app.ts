import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { ErrorCode } from '@facepay/protocol';
import { ApiError } from './api-error.js';
import type { AppContext } from './context.js';
import { BODY_LIMIT } from './limits.js';
import { registerBrowserRoutes } from './routes/browser-routes.js';
import { registerJwksRoute } from './routes/jwks-route.js';
import { registerMerchantRoutes } from './routes/merchant-routes.js';

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

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
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
