import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export function registerJwksRoute(app: FastifyInstance, ctx: AppContext): void {
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    // Short caching: a verifier meeting an unknown kid refetches anyway (jose does), and
    // retired keys stay published far longer than this.
    reply.header('cache-control', 'public, max-age=60');
    reply.header('access-control-allow-origin', '*');
    return { keys: await ctx.keys.publicKeys() };
  });
}
