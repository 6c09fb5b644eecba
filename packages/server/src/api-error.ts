import { ErrorCode, FacePayError } from '@facepay/protocol';

/** The HTTP status of each code the server answers with. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidRequest]: 400,
  [ErrorCode.EvidenceInvalid]: 400,
  [ErrorCode.EvidenceSessionMismatch]: 400,
  [ErrorCode.EvidenceChallengeMismatch]: 400,
  [ErrorCode.EvidenceStale]: 400,
  [ErrorCode.TokenInvalid]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.OriginNotAllowed]: 403,
  [ErrorCode.AttemptsExceeded]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.NotEnrolled]: 404,
  [ErrorCode.SessionClosed]: 409,
  [ErrorCode.ChallengeMissing]: 409,
  [ErrorCode.TokenConsumed]: 409,
  [ErrorCode.CustomerNotEnrolled]: 409,
  [ErrorCode.SessionExpired]: 410,
  [ErrorCode.TokenExpired]: 410,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.EvidenceTooLarge]: 413,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.InternalError]: 500,
};

/** An answer other than success: `{ error: { code, message, ...details } }` with `status`. */
export class ApiError extends FacePayError {
  override name = 'ApiError';
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message: string, options?: { status?: number; details?: Record<string, unknown>; headers?: Record<string, string> }) {
    super(code, message);
    this.status = options?.status ?? STATUS[code] ?? 500;
    this.details = options?.details;
    this.headers = options?.headers;
  }

  body(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}
