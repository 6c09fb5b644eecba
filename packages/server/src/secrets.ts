import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `prefix` and `bytes` random bytes from the CSPRNG, base64url. */
export function randomId(prefix: string, bytes: number): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

/**
 * SHA-256 (hex) of a secret key or client secret. Both are 256 random bits, so a fast hash
 * suffices: a slow one (scrypt) defends guessable passwords, while nobody can search a
 * 2^256 space, and it would cost every request tens of milliseconds of CPU.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares two hex hashes without leaking where they differ. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
