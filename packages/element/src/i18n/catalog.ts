import type { ChallengeStep, GuidanceCode, MatchReason, ReasonCode } from '@facepay/protocol';

/** Every string the element shows. `{name}` placeholders are filled by `format`. */
export interface Catalog {
  pay: string;
  payNoAmount: string;
  enrol: string;
  preparing: string;
  cameraPermission: string;
  cameraPreview: string;
  privacy: string;
  lookAtCamera: string;
  stepOf: string;
  stepDone: string;
  verifying: string;
  success: string;
  enrolSuccess: string;
  failed: string;
  retry: string;
  cancel: string;
  cancelled: string;
  close: string;
  steps: Record<ChallengeStep, string>;
  guidance: Record<GuidanceCode, string>;
  /** A message for every reason code the server or the engine can give: liveness ("not live") and match ("not you"). */
  reasons: Record<ReasonCode | MatchReason, string>;
  /** Messages for the error codes a shopper can meet; `generic` covers the rest. */
  errors: Record<string, string> & { generic: string };
}

export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match));
}
