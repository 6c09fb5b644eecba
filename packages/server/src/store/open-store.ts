import type { Store } from './store.js';
import { RedisStore } from './redis-store.js';
import { SqliteStore } from './sqlite-store.js';

export interface OpenStoreOptions {
  /** The data directory (SQLite's file goes here unless `redisUrl` is given). */
  dataDir: string;
  /** `redis://…`: share state with other instances through this Redis. */
  redisUrl?: string | undefined;
}

/** The store the options ask for: Redis when a URL is given, else SQLite in the data dir. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  return options.redisUrl ? RedisStore.connect(options.redisUrl) : new SqliteStore(options.dataDir);
}
