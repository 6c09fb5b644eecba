import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '@facepay/protocol';
import { ApiError } from './api-error.js';
import type { AppContext } from './context.js';
import type { MerchantRecord } from './records.js';
import { hashSecret } from './secrets.js';

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
