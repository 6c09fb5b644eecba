import { Redis, type ChainableCommander } from 'ioredis';
import { ErrorCode, FacePayError } from '@facepay/protocol';
import { SESSION_RETENTION_MS } from '../limits.js';
import type { MerchantRecord, SessionRecord } from '../records.js';
import type { Store } from './store.js';

// Compare-and-set of a session hash { v, doc }: Redis runs a script atomically, so two
// instances replacing the same version cannot both win.
const REPLACE_SESSION = `
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'doc', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
return 1
`;

type ScriptedRedis = Redis & {
  facepayReplaceSession(key: string, expected: string, version: string, doc: string, expireAt: string): Promise<number>;
};

export interface RedisStoreOptions {
  /** Prefix of every key (default `facepay:`), to share a Redis with other applications. */
  prefix?: string;
}

/**
 * The store for several instances behind a load balancer: all share one Redis. Token
 * consumption is `SET NX`, session changes a compare-and-set script, rate counters
 * `INCR`; every record expires by itself, except merchants and face enrolments (sealed
 * templates, `face:<merchant>:<customer>`), which stay until deleted.
 */
export class RedisStore implements Store {
  readonly #redis: ScriptedRedis;
  readonly #prefix: string;

  private constructor(redis: ScriptedRedis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** Connects and checks the connection; rejects when Redis cannot be reached. */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const redis = new Redis(url, {
      lazyConnect: true,
      // A request fails fast with a 500 rather than waiting for Redis indefinitely.
      maxRetriesPerRequest: 2,
      connectTimeout: 5000,
    }) as ScriptedRedis;
    redis.defineCommand('facepayReplaceSession', { numberOfKeys: 1, lua: REPLACE_SESSION });
    // While Redis is away, ioredis reports every reconnect attempt here; requests meanwhile
    // fail with their own errors (500s, logged), so these need no second report.
    let lastError: Error | undefined;
    redis.on('error', (error: Error) => (lastError = error));
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      const reason = (lastError ?? (error as Error)).message;
      throw new FacePayError(ErrorCode.ConfigInvalid, `Redis at ${redactUrl(url)} could not be reached: ${reason}`, { cause: error });
    }
    return new RedisStore(redis, options.prefix ?? 'facepay:');
  }

  async addMerchant(merchant: MerchantRecord, secretKeyHash: string): Promise<void> {
    await exec(
      this.#redis
        .multi()
        .set(this.#key('merchant', merchant.id), JSON.stringify(merchant))
        .set(this.#key('merchant-key', secretKeyHash), merchant.id),
    );
  }

  async merchant(id: string): Promise<MerchantRecord | undefined> {
    return parse(await this.#redis.get(this.#key('merchant', id)));
  }

  async merchantBySecretKeyHash(hash: string): Promise<MerchantRecord | undefined> {
    const id = await this.#redis.get(this.#key('merchant-key', hash));
    return id === null ? undefined : this.merchant(id);
  }

  async addSession(session: SessionRecord): Promise<void> {
    const key = this.#key('session', session.id);
    await exec(
      this.#redis
        .multi()
        .hset(key, 'v', String(session.version), 'doc', JSON.stringify(session))
        .pexpireat(key, session.expiresAt + SESSION_RETENTION_MS),
    );
  }

  async session(id: string): Promise<SessionRecord | undefined> {
    return parse(await this.#redis.hget(this.#key('session', id), 'doc'));
  }

  async replaceSession(next: SessionRecord, expectedVersion: number): Promise<boolean> {
    const replaced = await this.#redis.facepayReplaceSession(
      this.#key('session', next.id),
      String(expectedVersion),
      String(next.version),
      JSON.stringify(next),
      String(next.expiresAt + SESSION_RETENTION_MS),
    );
    return replaced === 1;
  }

  async consumeToken(jti: string, expiresAtMs: number): Promise<boolean> {
    return (await this.#redis.set(this.#key('consumed', jti), '1', 'PXAT', expiresAtMs, 'NX')) === 'OK';
  }

  async hit(key: string, windowMs: number, now: number): Promise<number> {
    const redisKey = this.#key('rate', `${key}:${Math.floor(now / windowMs)}`);
    const [count] = await exec(this.#redis.multi().incr(redisKey).pexpire(redisKey, windowMs));
    return count as number;
  }

  // Merchant ids have no colon, so `face:<merchant>:<customer>` names one row.
  async faceTemplate(merchantId: string, customer: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#key('face', `${merchantId}:${customer}`))) ?? undefined;
  }

  async putFaceTemplate(merchantId: string, customer: string, sealed: string): Promise<void> {
    await this.#redis.set(this.#key('face', `${merchantId}:${customer}`), sealed);
  }

  async deleteFaceTemplate(merchantId: string, customer: string): Promise<boolean> {
    return (await this.#redis.del(this.#key('face', `${merchantId}:${customer}`))) === 1;
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }

  #key(kind: string, id: string): string {
    return `${this.#prefix}${kind}:${id}`;
  }
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return 'the given URL';
  }
}

/** Runs a MULTI block; its results, or the first command's error. */
async function exec(multi: ChainableCommander): Promise<unknown[]> {
  const results = await multi.exec();
  if (results === null) throw new Error('Redis discarded the transaction');
  return results.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

function parse<T>(doc: string | null): T | undefined {
  return doc === null ? undefined : (JSON.parse(doc) as T);
}
