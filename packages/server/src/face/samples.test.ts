import { describe, expect, it } from 'vitest';
import { FACE_TEMPLATE_DIMS, MatchAssurance, encodeTemplate, type Evidence, type EvidenceFrame } from '@facepay/protocol';
import { MATCH_SAMPLES, SAMPLE_END_WITHIN_MS, SAMPLE_MAX_POSE_DEG, SAMPLE_STEP_LEAD_MS, decodeSamples, samplesBound, type DecodedSample } from './samples.js';

/** A unit vector: `base` direction mixed with a little of `noise` (both basis indices). */
export function unit(base: number, noise = 0, amount = 0): Float32Array {
  const v = new Float32Array(FACE_TEMPLATE_DIMS);
  v[base] = Math.sqrt(1 - amount * amount);
  if (amount) v[noise] = amount;
  return v;
}

const face = (yaw = 0, pitch = 0): EvidenceFrame['face'] => ({ box: [0.3, 0.2, 0.4, 0.5], pose: [yaw, pitch, 0], blink: [0, 0], ear: [0.3, 0.3], smile: 0, jawOpen: 0, mar: 0, pts: [] });

/** Frames every 100 ms for 3 s: one frontal face, except where `frames` says otherwise. */
function evidence(edit: (t: number) => Partial<EvidenceFrame> = () => ({})): Evidence {
  const frames = Array.from({ length: 31 }, (_, i): EvidenceFrame => ({ t: i * 100, faces: 1, face: face(), ...edit(i * 100) }));
  return { version: 1, sessionId: 'ses_1', nonce: 'n', steps: ['blink'], startedAt: 0, frames, camera: { label: 'cam', width: 640, height: 480 }, droppedFrames: 0 };
}

const samples = (times: number[], crop?: string): DecodedSample[] => times.map((t, i) => ({ t, template: unit(0, 1 + i, 0.1), ...(crop && { crop }) }));

describe('decodeSamples', () => {
  it('decodes templates, and refuses non-finite, non-unit and same-time samples', () => {
    const good = encodeTemplate(unit(3));
    expect(decodeSamples({ model: 'faceres-1', samples: [{ t: 0, template: good }] })).toEqual({ ok: true, samples: [{ t: 0, template: unit(3) }] });
    const scaled = unit(3).map((v) => v * 2);
    const nan = unit(3);
    nan[5] = Number.NaN;
    for (const [template, message] of [
      [encodeTemplate(scaled), /not L2-normalised/],
      [encodeTemplate(nan), /not float32/],
      [encodeTemplate(new Float32Array(FACE_TEMPLATE_DIMS)), /not L2-normalised/],
    ] as const) {
      const result = decodeSamples({ model: 'faceres-1', samples: [{ t: 0, template }] });
      expect(result.ok).toBe(false);
      expect((result as { message: string }).message).toMatch(message);
    }
    const twice = decodeSamples({ model: 'faceres-1', samples: [{ t: 5, template: good }, { t: 5, template: good }] });
    expect(twice).toEqual({ ok: false, message: 'match.samples.1.t: two samples at one time' });
  });
});

describe('samplesBound', () => {
  it('takes enough samples at frontal one-face frames, spread over the session', () => {
    expect(samplesBound(samples([0, 1500, 3000]), evidence(), MatchAssurance.Features, [])).toBe(true);
  });

  it('refuses too few samples', () => {
    expect(MATCH_SAMPLES).toBe(3);
    expect(samplesBound(samples([0, 3000]), evidence(), MatchAssurance.Features, [])).toBe(false);
  });

  it('refuses a sample at no frame, at a frame with no face or two faces, or turned away', () => {
    expect(samplesBound(samples([0, 1550, 3000]), evidence(), MatchAssurance.Features, [])).toBe(false);
    expect(samplesBound(samples([0, 1500, 3000]), evidence((t) => (t === 1500 ? { faces: 0, face: undefined } : {})), MatchAssurance.Features, [])).toBe(false);
    expect(samplesBound(samples([0, 1500, 3000]), evidence((t) => (t === 1500 ? { faces: 2 } : {})), MatchAssurance.Features, [])).toBe(false);
    expect(samplesBound(samples([0, 1500, 3000]), evidence((t) => (t === 1500 ? { face: face(SAMPLE_MAX_POSE_DEG + 1) } : {})), MatchAssurance.Features, [])).toBe(false);
    expect(samplesBound(samples([0, 1500, 3000]), evidence((t) => (t === 1500 ? { face: face(0, -SAMPLE_MAX_POSE_DEG - 1) } : {})), MatchAssurance.Features, [])).toBe(false);
    expect(samplesBound(samples([0, 1500, 3000]), evidence((t) => (t === 1500 ? { face: face(SAMPLE_MAX_POSE_DEG, SAMPLE_MAX_POSE_DEG) } : {})), MatchAssurance.Features, [])).toBe(true);
  });

  it('refuses samples bunched in one part of the session (a swap after them would go unseen)', () => {
    expect(samplesBound(samples([0, 500, 1000]), evidence(), MatchAssurance.Features, [])).toBe(false);
    expect(samplesBound(samples([1500, 2200, 3000]), evidence(), MatchAssurance.Features, [])).toBe(true);
  });

  it('needs the last sample near the end, so whoever did the final step is compared', () => {
    // Spread enough, but nothing from the last SAMPLE_END_WITHIN_MS of a 3 s session.
    expect(samplesBound(samples([0, 700, 1400]), evidence(), MatchAssurance.Features, [])).toBe(false);
    expect(samplesBound(samples([0, 700, 3000 - SAMPLE_END_WITHIN_MS]), evidence(), MatchAssurance.Features, [])).toBe(true);
  });

  it('needs a sample from every step\'s own stretch: up to SAMPLE_STEP_LEAD_MS before its peak, up to its completion', () => {
    expect(SAMPLE_STEP_LEAD_MS).toBe(1000);
    // Steps peaking at 1200 ms (done 1400) and 2700 ms (done 3000).
    const steps = [
      { peakT: 1200, doneT: 1400 },
      { peakT: 2700, doneT: 3000 },
    ];
    expect(samplesBound(samples([0, 1100, 3000]), evidence(), MatchAssurance.Features, steps)).toBe(true);
    // The first step's stretch (200..1400) has no sample: the samples around it may be
    // another face than whoever blinked at 1200.
    expect(samplesBound(samples([0, 1500, 3000]), evidence(), MatchAssurance.Features, steps)).toBe(false);
    // The window's edges count: SAMPLE_STEP_LEAD_MS before the peak, and the completing frame.
    const one = [{ peakT: 1300, doneT: 1500 }];
    expect(samplesBound(samples([0, 300, 3000]), evidence(), MatchAssurance.Features, one)).toBe(true);
    expect(samplesBound(samples([0, 1500, 3000]), evidence(), MatchAssurance.Features, one)).toBe(true);
    expect(samplesBound(samples([0, 200, 1600, 3000]), evidence(), MatchAssurance.Features, one)).toBe(false);
    // A turn held long before coming back: its return to neutral is still its stretch.
    expect(samplesBound(samples([0, 2600, 3000]), evidence(), MatchAssurance.Features, [{ peakT: 1000, doneT: 2600 }])).toBe(true);
  });

  it('in frames mode, needs a crop with every sample', () => {
    expect(samplesBound(samples([0, 1500, 3000]), evidence(), MatchAssurance.Frames, [])).toBe(false);
    expect(samplesBound(samples([0, 1500, 3000], '/9j/'), evidence(), MatchAssurance.Frames, [])).toBe(true);
  });
});
