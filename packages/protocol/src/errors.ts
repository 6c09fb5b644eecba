/**
 * Every error facepay reports carries one of these codes, across the worker boundary, over
 * HTTP and in element events. Messages are for developers; UIs translate the code.
 */
export const ErrorCode = {
  /** An asset (wasm loader, wasm binary or model) could not be fetched. */
  AssetMissing: 'asset-missing',
  /** An asset was fetched but its sha256 does not match the pinned one. */
  AssetCorrupt: 'asset-corrupt',
  /** This browser cannot run WebAssembly (or the page's CSP forbids it). */
  WasmUnsupported: 'wasm-unsupported',
  /** MediaPipe (or FaceRes, or its wasm backend) refused the model or failed while building the graph. */
  ModelLoadFailed: 'model-load-failed',
  /** Initialisation did not finish within its time limit. */
  InitTimeout: 'init-timeout',
  /** `process()` was called before a successful `init()`, or after `close()`. */
  NotInitialized: 'not-initialized',
  /** The frame is not an ImageBitmap or VideoFrame, or is already closed or empty. */
  InvalidFrame: 'invalid-frame',
  /** Frame timestamps must increase strictly (MediaPipe VIDEO mode). */
  TimestampNotMonotonic: 'timestamp-not-monotonic',
  /** MediaPipe threw while landmarking a frame, or FaceRes while embedding a face crop. */
  InferenceFailed: 'inference-failed',
  /** A face crop is not a FACE_CROP_SIZE² JPEG (or is larger than MATCH_MAX_CROP_CHARS). */
  CropInvalid: 'crop-invalid',
  /** The worker died (script error, out of memory) before answering. */
  WorkerCrashed: 'worker-crashed',
  /** The vision client was closed; pending and later calls end with this. */
  WorkerClosed: 'worker-closed',
  /** Liveness evidence does not match the evidence schema (or is not JSON). */
  EvidenceInvalid: 'evidence-invalid',
  /** Liveness evidence is larger than `EVIDENCE_MAX_BYTES`. */
  EvidenceTooLarge: 'evidence-too-large',
  /** The shopper (or the browser's settings, or the iframe's `allow`) refused the camera. */
  CameraDenied: 'camera-denied',
  /** No camera is connected, or none fits. */
  NoCamera: 'no-camera',
  /** The camera is used by another application or failed to start. */
  CameraBusy: 'camera-busy',
  /** No camera API, no secure context, or no module workers. */
  UnsupportedBrowser: 'unsupported-browser',
  /** The facepay server could not be reached. */
  NetworkError: 'network-error',
  /** The facepay server answered with an error the element cannot recover from. */
  ServerError: 'server-error',
  /** A required element attribute (`session`, `client-secret`, `server`) is missing. */
  MissingAttribute: 'missing-attribute',

  // The server's answers (`{ "error": { "code", "message" } }`); the HTTP status is in the docs.

  /** 401: the `Authorization: Bearer` key or client secret is missing or wrong. */
  Unauthorized: 'unauthorized',
  /** 403: the request's `Origin` is not one of the merchant's allowed origins. */
  OriginNotAllowed: 'origin-not-allowed',
  /** 404: no such route, session or merchant. */
  NotFound: 'not-found',
  /** 400 (415 for a body that is not JSON): the request does not match its schema. */
  InvalidRequest: 'invalid-request',
  /** 413: the body is larger than the route accepts. */
  PayloadTooLarge: 'payload-too-large',
  /** 429: too many requests from this address or for this merchant; see `Retry-After`. */
  RateLimited: 'rate-limited',
  /** 410: the session's time ran out. */
  SessionExpired: 'session-expired',
  /** 409: the session already verified, or failed for good; it takes no more challenges or evidence. */
  SessionClosed: 'session-closed',
  /** 403: the session used up its verify attempts. */
  AttemptsExceeded: 'attempts-exceeded',
  /** 409: evidence arrived with no open challenge (none fetched, or already answered). */
  ChallengeMissing: 'challenge-missing',
  /** 400: the evidence names another session. */
  EvidenceSessionMismatch: 'evidence-session-mismatch',
  /** 400: the evidence answers another challenge (nonce or steps differ from the open one). */
  EvidenceChallengeMismatch: 'evidence-challenge-mismatch',
  /** 400: the evidence's frames do not fall between the challenge's issue and its submission. */
  EvidenceStale: 'evidence-stale',
  /** 422: the liveness decision was not `live`; the body carries `reasons` and `retryable`. */
  LivenessFailed: 'liveness-failed',
  /**
   * 422: liveness passed but the face match did not ("not you", a swap, a forged template,
   * no usable samples); the body carries `reasons` (`MatchReason` codes) and `retryable`.
   */
  MatchFailed: 'match-failed',
  /**
   * 409: a match was required but the customer has no enrolled face (at session creation
   * with `match: "required"`, or at verify when the enrolment was deleted meanwhile).
   */
  CustomerNotEnrolled: 'customer-not-enrolled',
  /** 404: `DELETE /v1/customers/:customer/face` for a customer with no enrolled face. */
  NotEnrolled: 'not-enrolled',
  /** 400: the token is malformed, not signed by this server, or for another merchant. */
  TokenInvalid: 'token-invalid',
  /** 410: the token's `exp` has passed. */
  TokenExpired: 'token-expired',
  /** 409: the token was consumed before. */
  TokenConsumed: 'token-consumed',
  /** The server's configuration (options, environment) is unusable; it does not start. */
  ConfigInvalid: 'config-invalid',
  /** 500: a bug or an unavailable store; the message says no more than that. */
  InternalError: 'internal-error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A coded error as it travels: plain data, so it survives structured clone and JSON. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** The asset's URL, for asset errors. */
  file?: string;
}

/** The one error class of facepay; `code` says what went wrong. */
export class FacePayError extends Error {
  override name = 'FacePayError';
  readonly code: ErrorCode;
  readonly file: string | undefined;

  constructor(code: ErrorCode, message: string, options?: { file?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options?.file;
  }

  toJSON(): ErrorInfo {
    return this.file === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, file: this.file };
  }

  static from(info: ErrorInfo): FacePayError {
    return new FacePayError(info.code, info.message, info.file === undefined ? undefined : { file: info.file });
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (Object.values(ErrorCode) as string[]).includes(value);
}
