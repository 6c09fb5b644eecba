export { TOKEN_ALGORITHM, TOKEN_MAX_LIFETIME_S, TOKEN_TYPE } from './claims.js';
export type { FacePayTokenClaims, TokenAssurance, TokenLivenessCheck, TokenMatch } from './claims.js';
export { consume } from './consume.js';
export type { ConsumeOptions, ConsumeResult } from './consume.js';
export { FacePayTokenError, FacePayTokenErrorCode } from './errors.js';
export { verifyFacePayToken } from './verify-token.js';
export type { VerifyFacePayTokenOptions } from './verify-token.js';
