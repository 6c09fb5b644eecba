import { CHALLENGE_STEPS, MatchAssurance, type ChallengeStep } from '@facepay/protocol';
import { createChallenge } from '@facepay/liveness';
import type { MerchantLiveness, MerchantRecord } from './records.js';
import { hashSecret, randomId } from './secrets.js';
import type { Store } from './store/store.js';

export interface CreateMerchantInput {
  name: string;
  /** Origins of the merchant's checkout pages, e.g. `https://shop.example`. */
  origins: string[];
  liveness?: MerchantLiveness;
  /** What face match sessions send: `features` (the default, templates only) or `frames` (also face crops). */
  faceAssurance?: MatchAssurance;
}

/** What `facepay merchant create` prints; the secret key is shown this once and stored only hashed. */
export interface CreatedMerchant {
  id: string;
  secret_key: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An allowed origin in the form browsers send it. Plain http only for loopback: the
 * camera needs a secure context anyway. Misuse (not an origin) is a TypeError.
 */
export function normaliseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`Not an origin: ${JSON.stringify(value)}`);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure) throw new TypeError(`Origins must be https (http only for localhost): ${JSON.stringify(value)}`);
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new TypeError(`An origin has no path, query or credentials: ${JSON.stringify(value)}`);
  }
  return url.origin;
}

/** Checks the liveness settings by drawing a challenge with them (TypeError when unusable). */
function checkLiveness(liveness: MerchantLiveness): MerchantLiveness {
  for (const step of liveness.pool ?? []) {
    if (!(CHALLENGE_STEPS as readonly string[]).includes(step)) throw new TypeError(`Unknown challenge step: ${JSON.stringify(step)}`);
  }
  const options: { pool?: ChallengeStep[]; length?: number } = {};
  if (liveness.pool) options.pool = liveness.pool;
  if (liveness.length !== undefined) options.length = liveness.length;
  createChallenge('check', options);
  if (liveness.minScore !== undefined && !(liveness.minScore >= 0 && liveness.minScore <= 1)) {
    throw new TypeError(`minScore must be between 0 and 1, got ${liveness.minScore}`);
  }
  return liveness;
}

export async function createMerchant(store: Store, input: CreateMerchantInput): Promise<CreatedMerchant> {
  const name = input.name?.trim();
  if (!name || name.length > 200) throw new TypeError('A merchant needs a name of 1 to 200 characters');
  if (!Array.isArray(input.origins) || input.origins.length === 0) throw new TypeError('A merchant needs at least one origin');
  const assurances: string[] = Object.values(MatchAssurance);
  if (input.faceAssurance !== undefined && !assurances.includes(input.faceAssurance)) {
    throw new TypeError(`faceAssurance must be one of ${assurances.join(', ')}, got ${JSON.stringify(input.faceAssurance)}`);
  }
  const merchant: MerchantRecord = {
    id: randomId('mer_', 12),
    name,
    origins: [...new Set(input.origins.map(normaliseOrigin))],
    liveness: checkLiveness(input.liveness ?? {}),
    ...(input.faceAssurance === MatchAssurance.Frames && { faceAssurance: MatchAssurance.Frames }),
    createdAt: Date.now(),
  };
  const secretKey = randomId('sk_', 32);
  await store.addMerchant(merchant, hashSecret(secretKey));
  return { id: merchant.id, secret_key: secretKey };
}
