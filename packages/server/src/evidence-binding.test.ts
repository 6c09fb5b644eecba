import { describe, expect, it } from 'vitest';
import { EVIDENCE_VERSION, type Evidence } from '@facepay/protocol';
import { bindingError } from './evidence-binding.js';

const ISSUED = 1_700_000_000_000;
const challenge = { nonce: 'n1', steps: ['blink' as const, 'turn-left' as const], issuedAt: ISSUED };
const SKEW = 10_000;

function evidence(startedAt: number, times: number[], overrides: Partial<Evidence> = {}): Evidence {
  return {
    version: EVIDENCE_VERSION,
    sessionId: 'ses_1',
    nonce: 'n1',
    steps: ['blink', 'turn-left'],
    startedAt,
    frames: times.map((t) => ({ t, faces: 0 })),
    camera: { label: 'cam', width: 640, height: 480 },
    droppedFrames: 0,
    ...overrides,
  };
}

const code = (e: Evidence, receivedAt: number) => bindingError(e, 'ses_1', challenge, receivedAt, SKEW)?.code;

describe('bindingError', () => {
  it('accepts frames between the issue and the submission', () => {
    expect(code(evidence(ISSUED + 500, [0, 2000, 4000]), ISSUED + 5000)).toBeUndefined();
    expect(code(evidence(ISSUED, []), ISSUED + 1)).toBeUndefined();
  });

  it('ties the evidence to the session and the open challenge', () => {
    expect(code(evidence(ISSUED, [0], { sessionId: 'ses_2' }), ISSUED + 100)).toBe('evidence-session-mismatch');
    expect(code(evidence(ISSUED, [0], { nonce: 'n0' }), ISSUED + 100)).toBe('evidence-challenge-mismatch');
    expect(code(evidence(ISSUED, [0], { steps: ['blink'] }), ISSUED + 100)).toBe('evidence-challenge-mismatch');
    expect(code(evidence(ISSUED, [0], { steps: ['turn-left', 'blink'] }), ISSUED + 100)).toBe('evidence-challenge-mismatch');
  });

  it('tolerates a client clock off by up to the skew, either way', () => {
    // Client clock 9 s behind: its frames seem to start before the issue.
    expect(code(evidence(ISSUED - 9000, [0, 3000]), ISSUED + 3500)).toBeUndefined();
    // 9 s ahead: they seem to end after the submission.
    expect(code(evidence(ISSUED + 9000, [0, 3000]), ISSUED + 3500)).toBeUndefined();
  });

  it('refuses frames outside the window beyond the skew', () => {
    expect(code(evidence(ISSUED - SKEW - 1, [0, 100]), ISSUED + 1000)).toBe('evidence-stale');
    expect(code(evidence(ISSUED, [0, SKEW + 1001]), ISSUED + 1000)).toBe('evidence-stale');
  });

  it('refuses frames spanning longer than issue-to-submission, whatever the clocks', () => {
    expect(code(evidence(ISSUED, [0, 4250]), ISSUED + 4000)).toBeUndefined();
    expect(code(evidence(ISSUED, [0, 4251]), ISSUED + 4000)).toBe('evidence-stale');
    // Out of order frames count by their earliest and latest time.
    expect(code(evidence(ISSUED, [3000, 0, 5000]), ISSUED + 4000)).toBe('evidence-stale');
  });
});
