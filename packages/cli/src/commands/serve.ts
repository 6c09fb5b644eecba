import { parseArgs } from 'node:util';
import { startServer } from '@facepay/server';
import { UsageError, type Command } from '../command.js';
import { DATA_OPTIONS, DATA_USAGE } from '../data-options.js';

export const serve: Command = {
  name: ['serve'],
  summary: 'run the facepay server; prints its URL',
  usage: `facepay serve [--port N] [--host ADDR] [--data DIR] [--redis URL]
  --port N               port (default 8787; 0 picks a free one, the printed URL has it)
  --host ADDR            address to listen on (default 127.0.0.1)
${DATA_USAGE}
Environment: FACEPAY_ISSUER, FACEPAY_LOG_LEVEL, FACEPAY_TRUST_PROXY, FACEPAY_CLOCK_SKEW_MS,
FACEPAY_TOKEN_LIFETIME_S, FACEPAY_RATE_LIMIT_CLIENT, FACEPAY_RATE_LIMIT_MERCHANT,
FACEPAY_TEMPLATE_KEY (base64 of 32 bytes: seals face enrolments; default <data>/template.key),
FACEPAY_FIXED_CHALLENGE (tests only; refused with NODE_ENV=production). See docs/server.md.`,
  async run(args) {
    const { values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, ...DATA_OPTIONS }, strict: true });
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError(`--port must be 0 to 65535, got ${values.port}`);
    // Unset options fall back to the FACEPAY_* variables inside startServer.
    const server = await startServer({
      ...(port !== undefined && { port }),
      ...(values.host !== undefined && { host: values.host }),
      ...(values.data !== undefined && { dataDir: values.data }),
      ...(values.redis !== undefined && { redisUrl: values.redis }),
    });
    process.stdout.write(`${server.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
