import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, FacePayError } from '@facepay/protocol';
import { SESSION_RETENTION_MS } from '../limits.js';
import type { MerchantRecord, SessionRecord } from '../records.js';
import type { Store } from './store.js';

/** The database file inside the data directory. */
export const SQLITE_FILE = 'facepay.sqlite';

const SCHEMA_VERSION = 2;

// Records are JSON documents; the columns beside them are only what is looked up or purged by.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS merchants (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS merchant_keys (hash TEXT PRIMARY KEY, merchant_id TEXT NOT NULL REFERENCES merchants (id));
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, version INTEGER NOT NULL, expires_at INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS consumed_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rate_hits (key TEXT PRIMARY KEY, window INTEGER NOT NULL, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS face_templates (
  merchant_id TEXT NOT NULL REFERENCES merchants (id),
  customer TEXT NOT NULL,
  sealed TEXT NOT NULL,
  enrolled_at INTEGER NOT NULL,
  PRIMARY KEY (merchant_id, customer)
);
`;

/** How often old sessions, spent token ids and past rate windows are deleted. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * The embedded store: one SQLite file in the data directory (WAL, so the CLI can add a
 * merchant while the server runs). Every statement is atomic on its own; the token
 * insert and the session compare-and-set are single statements.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #purgeTimer: NodeJS.Timeout;
  readonly #sql;
  readonly #addMerchant: (merchant: MerchantRecord, hash: string) => void;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, SQLITE_FILE);
    this.#db = new Database(file);
    // Owner only, whatever the umask; SQLite gives its -wal and -shm files the same mode.
    chmodSync(file, 0o600);
    this.#db.pragma('journal_mode = WAL');
    // WAL with NORMAL stays consistent on a crash; only the last commits before a power cut may go.
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('foreign_keys = ON');
    // Deleted rows (a deleted face enrolment) are overwritten with zeros, not left in free pages.
    this.#db.pragma('secure_delete = ON');
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new FacePayError(ErrorCode.ConfigInvalid, `${SQLITE_FILE} has schema version ${version}; this server knows up to ${SCHEMA_VERSION}`);
    }
    this.#db.exec(SCHEMA);
    this.#db.pragma(`user_version = ${SCHEMA_VERSION}`);
    const db = this.#db;
    this.#sql = {
      addMerchant: db.prepare('INSERT INTO merchants (id, doc) VALUES (?, ?)'),
      addMerchantKey: db.prepare('INSERT INTO merchant_keys (hash, merchant_id) VALUES (?, ?)'),
      merchant: db.prepare<[string], { doc: string }>('SELECT doc FROM merchants WHERE id = ?'),
      merchantByKey: db.prepare<[string], { doc: string }>(
        'SELECT m.doc FROM merchant_keys k JOIN merchants m ON m.id = k.merchant_id WHERE k.hash = ?',
      ),
      addSession: db.prepare('INSERT INTO sessions (id, version, expires_at, doc) VALUES (?, ?, ?, ?)'),
      session: db.prepare<[string], { doc: string }>('SELECT doc FROM sessions WHERE id = ?'),
      replaceSession: db.prepare('UPDATE sessions SET version = ?, doc = ? WHERE id = ? AND version = ?'),
      consume: db.prepare('INSERT INTO consumed_tokens (jti, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      hit: db.prepare<[string, number], { count: number }>(
        `INSERT INTO rate_hits (key, window, count) VALUES (?, ?, 1)
         ON CONFLICT (key) DO UPDATE SET count = CASE WHEN window = excluded.window THEN count + 1 ELSE 1 END, window = excluded.window
         RETURNING count`,
      ),
      faceTemplate: db.prepare<[string, string], { sealed: string }>('SELECT sealed FROM face_templates WHERE merchant_id = ? AND customer = ?'),
      putFaceTemplate: db.prepare(
        `INSERT INTO face_templates (merchant_id, customer, sealed, enrolled_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (merchant_id, customer) DO UPDATE SET sealed = excluded.sealed, enrolled_at = excluded.enrolled_at`,
      ),
      deleteFaceTemplate: db.prepare('DELETE FROM face_templates WHERE merchant_id = ? AND customer = ?'),
      purgeSessions: db.prepare('DELETE FROM sessions WHERE expires_at < ?'),
      purgeTokens: db.prepare('DELETE FROM consumed_tokens WHERE expires_at < ?'),
      purgeHits: db.prepare('DELETE FROM rate_hits WHERE window < ?'),
    };
    this.#addMerchant = db.transaction((merchant: MerchantRecord, hash: string) => {
      this.#sql.addMerchant.run(merchant.id, JSON.stringify(merchant));
      this.#sql.addMerchantKey.run(hash, merchant.id);
    });
    this.#purge();
    this.#purgeTimer = setInterval(() => this.#purge(), PURGE_INTERVAL_MS).unref();
  }

  async addMerchant(merchant: MerchantRecord, secretKeyHash: string): Promise<void> {
    this.#addMerchant(merchant, secretKeyHash);
  }

  async merchant(id: string): Promise<MerchantRecord | undefined> {
    return parse(this.#sql.merchant.get(id));
  }

  async merchantBySecretKeyHash(hash: string): Promise<MerchantRecord | undefined> {
    return parse(this.#sql.merchantByKey.get(hash));
  }

  async addSession(session: SessionRecord): Promise<void> {
    this.#sql.addSession.run(session.id, session.version, session.expiresAt, JSON.stringify(session));
  }

  async session(id: string): Promise<SessionRecord | undefined> {
    return parse(this.#sql.session.get(id));
  }

  async replaceSession(next: SessionRecord, expectedVersion: number): Promise<boolean> {
    return this.#sql.replaceSession.run(next.version, JSON.stringify(next), next.id, expectedVersion).changes === 1;
  }

  async consumeToken(jti: string, expiresAtMs: number): Promise<boolean> {
    return this.#sql.consume.run(jti, expiresAtMs).changes === 1;
  }

  async hit(key: string, windowMs: number, now: number): Promise<number> {
    return this.#sql.hit.get(key, Math.floor(now / windowMs) * windowMs)!.count;
  }

  async faceTemplate(merchantId: string, customer: string): Promise<string | undefined> {
    return this.#sql.faceTemplate.get(merchantId, customer)?.sealed;
  }

  async putFaceTemplate(merchantId: string, customer: string, sealed: string): Promise<void> {
    this.#sql.putFaceTemplate.run(merchantId, customer, sealed, Date.now());
  }

  async deleteFaceTemplate(merchantId: string, customer: string): Promise<boolean> {
    return this.#sql.deleteFaceTemplate.run(merchantId, customer).changes === 1;
  }

  async close(): Promise<void> {
    clearInterval(this.#purgeTimer);
    this.#db.close();
  }

  #purge(): void {
    const now = Date.now();
    this.#sql.purgeSessions.run(now - SESSION_RETENTION_MS);
    this.#sql.purgeTokens.run(now);
    // Windows are at most minutes long; an hour-old one is certainly over.
    this.#sql.purgeHits.run(now - 3_600_000);
  }
}

function parse<T>(row: { doc: string } | undefined): T | undefined {
  return row === undefined ? undefined : (JSON.parse(row.doc) as T);
}
