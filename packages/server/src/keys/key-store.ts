import type { JWK } from 'jose';

/** The key new tokens are signed with. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * Where signing keys live. The server asks for the current signing key per token and for
 * the public keys per JWKS request, so an implementation may rotate underneath it.
 */
export interface KeyStore {
  signingKey(): Promise<SigningKey>;
  /** Public JWKs verifiers may need now: the signing key and retired keys whose tokens may still be valid. */
  publicKeys(): Promise<JWK[]>;
}
