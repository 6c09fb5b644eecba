import type { MerchantRecord, SessionRecord } from '../records.js';

/**
 * Everything the server keeps, behind one interface: SQLite for one instance, Redis for
 * several behind a load balancer. Sessions change only through `replaceSession`, a
 * compare-and-set on `version`, so concurrent requests for one session (also on other
 * instances) never both take the same challenge or attempt.
 */
export interface Store {
  /** Adds a merchant and the SHA-256 of its secret key. */
  addMerchant(merchant: MerchantRecord, secretKeyHash: string): Promise<void>;
  merchant(id: string): Promise<MerchantRecord | undefined>;
  merchantBySecretKeyHash(hash: string): Promise<MerchantRecord | undefined>;
  addSession(session: SessionRecord): Promise<void>;
  session(id: string): Promise<SessionRecord | undefined>;
  /** Stores `next` if the stored session is still at `expectedVersion`; tells whether it did. */
  replaceSession(next: SessionRecord, expectedVersion: number): Promise<boolean>;
  /** Marks a token id used; true the first time only, atomically across instances. */
  consumeToken(jti: string, expiresAtMs: number): Promise<boolean>;
  /** Counts a request against `key` in the fixed window of `windowMs` holding `now`. */
  hit(key: string, windowMs: number, now: number): Promise<number>;
  /** A customer's sealed face template (opaque text, see `TemplateCipher`), if enrolled with this merchant. */
  faceTemplate(merchantId: string, customer: string): Promise<string | undefined>;
  /** Stores a customer's sealed face template, replacing any earlier enrolment. */
  putFaceTemplate(merchantId: string, customer: string, sealed: string): Promise<void>;
  /** Deletes a customer's face template; true when there was one. */
  deleteFaceTemplate(merchantId: string, customer: string): Promise<boolean>;
  close(): Promise<void>;
}
