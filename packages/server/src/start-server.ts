import { CropEmbedder } from './face/embedder.js';
import { TemplateCipher } from './face/template-cipher.js';
import { openTemplateKey } from './face/template-key.js';
import { FileKeyStore } from './keys/file-key-store.js';
import { createApp } from './app.js';
import type { AppContext } from './context.js';
import { createMerchant, type CreatedMerchant } from './merchants.js';
import { resolveConfig, type StartServerOptions } from './options.js';
import { openStore } from './store/open-store.js';
import { TokenChecker } from './tokens.js';

export interface RunningServer {
  /** Where it listens, e.g. `http://127.0.0.1:8787` (the real port when 0 was asked). */
  url: string;
  /** The tokens' `iss`. */
  issuer: string;
  /** The demo merchant, when `demoMerchant` was given. */
  merchant?: CreatedMerchant;
  /** Stops listening, finishes open requests, closes the store. */
  close(): Promise<void>;
}

/**
 * Starts the facepay server with embedded defaults: SQLite and ES256 keys in the data
 * directory (both created on first start), or Redis for shared state.
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config = resolveConfig(options);
  const env = options.env ?? process.env;
  const keys = await FileKeyStore.open(config.dataDir);
  const templates = new TemplateCipher(await openTemplateKey(config.dataDir, env));
  const store = await openStore(config);
  const embedder = new CropEmbedder();
  try {
    const demo = options.demoMerchant;
    const merchant =
      demo && (await createMerchant(store, { name: demo.name ?? 'Demo shop', origins: demo.origins, ...(demo.faceAssurance && { faceAssurance: demo.faceAssurance }) }));
    const ctx: AppContext = { config, store, keys, issuer: config.issuer ?? '', tokens: new TokenChecker(keys), templates, embedder };
    const app = createApp(ctx);
    const address = await app.listen({ port: config.port, host: config.host });
    const url = address.replace('[::1]', 'localhost');
    ctx.issuer ||= url;
    if (config.fixedChallenge) {
      app.log.warn({ steps: config.fixedChallenge }, 'FACEPAY_FIXED_CHALLENGE is set: every challenge is the same sequence. Tests and demos only, never production.');
      process.stderr.write(`\n!!! FACEPAY_FIXED_CHALLENGE=${config.fixedChallenge.join(',')}: every challenge is this fixed sequence. Liveness is weakened; never use this in production. !!!\n\n`);
    }
    if (config.redisUrl && !env.FACEPAY_TEMPLATE_KEY) {
      app.log.warn('Shared state (Redis) but no FACEPAY_TEMPLATE_KEY: face enrolments are sealed with this data directory\'s template.key, and instances with another key cannot open them. Give every instance the same FACEPAY_TEMPLATE_KEY.');
    }
    if (config.redisUrl && !config.issuer) {
      app.log.warn({ issuer: ctx.issuer }, 'Shared state (Redis) but no FACEPAY_ISSUER: tokens name this instance as issuer, and other instances will refuse them at consume. Set FACEPAY_ISSUER to the public URL on every instance.');
    }
    app.log.info({ url, issuer: ctx.issuer, store: config.redisUrl ? 'redis' : 'sqlite', dataDir: config.dataDir }, 'facepay server started');
    return {
      url,
      issuer: ctx.issuer,
      ...(merchant && { merchant }),
      async close() {
        await app.close();
        await embedder.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
