import { BLENDSHAPE_NAMES, FACE_TEMPLATE_DIMS, blendshapeIndex, decodeTemplate, type MatchRequest, type Observation } from '@facepay/protocol';
import { describe, expect, it } from 'vitest';
import { LivenessTracker } from '@facepay/liveness';
import { MatchSampler } from './match-sampler.js';

const request = (assurance: 'features' | 'frames', samples = 3): MatchRequest => ({ purpose: 'pay', model: 'faceres-1', assurance, samples });

function observation(yaw = 0, blink = 0, faces = 1): Observation {
  const blendshapes = new Float32Array(BLENDSHAPE_NAMES.length);
  blendshapes[blendshapeIndex('eyeBlinkLeft')] = blink;
  const face = {
    box: { x: 0.3, y: 0.2, width: 0.4, height: 0.5 },
    landmarks: new Float32Array(478 * 3),
    blendshapes,
    matrix: new Float32Array(16),
    pose: { yaw, pitch: 0, roll: 0 },
  };
  return { timestampMs: 1, width: 640, height: 480, faces: Array.from({ length: faces }, () => face), inferenceMs: 1 };
}

const template = () => Float32Array.from({ length: FACE_TEMPLATE_DIMS }, (_, i) => Math.sin(i) / 16);

describe('MatchSampler', () => {
  it('asks to keep frontal, open-eyed, single faces, spaced out', () => {
    const sampler = new MatchSampler(request('features'), { intervalMs: 500 });
    expect(sampler.wants(0, undefined)).toBe(false);
    expect(sampler.wants(0, observation(30))).toBe(false);
    expect(sampler.wants(0, observation(0, 0.9))).toBe(false);
    expect(sampler.wants(0, observation(0, 0, 2))).toBe(false);
    expect(sampler.wants(0, observation())).toBe(true);
    expect(sampler.wants(499, observation())).toBe(false);
    expect(sampler.wants(500, observation())).toBe(true);
  });

  it('picks samples spread from the first to the last recorded candidate', () => {
    const sampler = new MatchSampler(request('features', 3));
    for (let i = 0; i < 10; i++) sampler.note(observation(i === 4 ? 40 : 0), { id: i + 1 }, 1000 + i * 100);
    sampler.note(observation(), undefined, 5000);
    // The first candidate's frame was trimmed from the evidence; the one at yaw 40 never counted.
    const picked = sampler.pick((epoch) => epoch !== 1000);
    expect(picked.map((c) => c.id)).toEqual([2, 6, 10]);
    expect(new MatchSampler(request('features')).pick(() => true)).toEqual([]);
    const one = new MatchSampler(request('features'));
    one.note(observation(), { id: 7 }, 1);
    expect(one.pick(() => true)).toEqual([{ id: 7, epochMs: 1 }]);
    // A frame the tracker did not record (too close to the previous one) is no candidate.
    const skipped = new MatchSampler(request('features'));
    skipped.note(observation(), { id: 8 }, 1, false);
    expect(skipped.pick(() => true)).toEqual([]);
  });

  /** Usable frames every 100 ms from 0 to `end`, turned away (yaw 40) where `away` says; ids from 1. */
  function session(away: (t: number) => boolean, end = 3000, yaw = () => 0) {
    const sampler = new MatchSampler(request('features', 3));
    for (let t = 0; t <= end; t += 100) sampler.note(observation(away(t) ? 40 : yaw()), { id: t / 100 + 1 }, t);
    return sampler;
  }

  it('samples whoever did each step: the crop nearest its peak', () => {
    const sampler = session((t) => (t > 1000 && t <= 1200) || (t > 2500 && t <= 2800));
    sampler.steps([{ peakEpochMs: 1150, doneEpochMs: 1300 }]);
    sampler.steps([
      { peakEpochMs: 1150, doneEpochMs: 1300 },
      { peakEpochMs: 2700, doneEpochMs: 2900 },
    ]);
    // First (0 ms); nearest step 1's peak (1000 or 1300, both 150 ms away: the earlier);
    // nearest step 2's (2500 or 2900: the earlier).
    expect(sampler.pick(() => true).map((c) => c.epochMs)).toEqual([0, 1000, 2500]);
    // Three steps: four samples, the most the evidence takes.
    sampler.steps([
      { peakEpochMs: 1150, doneEpochMs: 1300 },
      { peakEpochMs: 2700, doneEpochMs: 2900 },
      { peakEpochMs: 3000, doneEpochMs: 3000 },
    ]);
    expect(sampler.pick(() => true).map((c) => c.epochMs)).toEqual([0, 1000, 2500, 3000]);
  });

  it('samples a step near its peak, not at its completion (a cut or a looped video may come between)', () => {
    // The last step peaks at 1500 and is done at 3000 (back at neutral); its return at
    // 1600-1900 is within 25°, and the frames from 2000 on may be someone else.
    const sampler = session((t) => (t > 1200 && t < 1600) || (t > 1900 && t < 3000));
    sampler.steps([{ peakEpochMs: 1500, doneEpochMs: 3000 }]);
    expect(sampler.pick(() => true).map((c) => c.epochMs)).toEqual([0, 1600, 3000]);
    // Held longer: the stretch's part in the session's last 1.5 s is preferred (the server
    // wants a sample from there), nearest the peak within it.
    const held = session((t) => t > 1000 && t < 2700, 3200);
    held.steps([{ peakEpochMs: 1200, doneEpochMs: 3200 }]);
    expect(held.pick(() => true).map((c) => c.epochMs)).toEqual([0, 1000, 2700]);
  });

  it('never samples a step from outside its stretch (a second before its peak to its completion)', () => {
    // The second person turned (peak 2700) but no crop of him was kept: nothing from before
    // 1700 stands in for him, so the server hears too few samples (face-missing).
    const sampler = session((t) => t > 1500);
    sampler.steps([
      { peakEpochMs: 1100, doneEpochMs: 1300 },
      { peakEpochMs: 2700, doneEpochMs: 3000 },
    ]);
    const picked = sampler.pick(() => true).map((c) => c.epochMs);
    expect(picked.filter((t) => t >= 1700)).toEqual([]);
    expect(picked).toContain(1100);
  });

  it('pins the crop chosen for a step with the next frame, and keeps crops at most every interval', () => {
    const sampler = new MatchSampler(request('features'), { intervalMs: 100 });
    for (let t = 0; t <= 1000; t += 100) sampler.note(observation(), { id: t + 1 }, t);
    expect(sampler.processOptions(1000, observation())).toEqual({ keep: true });
    sampler.steps([{ peakEpochMs: 640, doneEpochMs: 900 }]);
    expect(sampler.processOptions(1050, observation())).toEqual({ pin: [601] });
    expect(sampler.processOptions(1100, observation(40))).toBeUndefined();
    expect(sampler.processOptions(1150, observation())).toEqual({ keep: true });
    // A step with no crop in its stretch pins nothing.
    sampler.steps([
      { peakEpochMs: 640, doneEpochMs: 900 },
      { peakEpochMs: 5000, doneEpochMs: 5200 },
    ]);
    expect(sampler.processOptions(1160, observation())).toBeUndefined();
  });

  it('forgets crops the worker reports evicted', () => {
    const sampler = new MatchSampler(request('features', 3));
    sampler.note(observation(), { id: 1 }, 0);
    for (let id = 2; id <= 30; id++) sampler.note(observation(), { id, ...(id > 6 && { evicted: id - 4 }) }, id * 100);
    const picked = sampler.pick(() => true).map((c) => c.id);
    expect(picked[0]).toBe(1);
    expect(picked.at(-1)).toBe(30);
    // Ids 3..26 were evicted in the worker: never picked.
    expect(picked.every((id) => id === 1 || id === 2 || id > 26)).toBe(true);
    expect(picked).toHaveLength(3);
  });

  it('puts every pick in the evidence: a three-step challenge sends four, one per step and the first', () => {
    const tracker = new LivenessTracker({
      challenge: { nonce: 'n', steps: ['blink', 'turn-left', 'smile'] },
      sessionId: 'ses_1',
      camera: { label: 'cam', width: 640, height: 480 },
    });
    const sampler = new MatchSampler(request('features', 3));
    for (let t = 0; t <= 1400; t += 100) {
      tracker.push(observation(), 10_000 + t);
      sampler.note(observation(), { id: t / 100 + 1 }, 10_000 + t);
    }
    sampler.steps([
      { peakEpochMs: 10_400, doneEpochMs: 10_500 },
      { peakEpochMs: 10_800, doneEpochMs: 10_900 },
      { peakEpochMs: 11_300, doneEpochMs: 11_400 },
    ]);
    const picked = sampler.pick((epoch) => tracker.isRecorded(epoch));
    expect(picked.map((c) => c.epochMs - 10_000)).toEqual([0, 400, 800, 1300]);
    sampler.addTo(tracker, picked, picked.map((c) => ({ id: c.id, template: template() })));
    expect(tracker.evidence().match?.samples.map((s) => s.t)).toEqual([0, 400, 800, 1300]);
    // An embedding of a crop that was not picked has no frame to bind to: not sent.
    sampler.addTo(tracker, [], [{ id: 5, template: template() }]);
    expect(tracker.evidence().match?.samples).toHaveLength(4);
  });

  it('sends the crop only in frames mode', () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff]);
    const features = new MatchSampler(request('features')).toSample({ template: template(), crop: jpeg });
    expect(decodeTemplate(features.template)).toEqual(template());
    expect(features.crop).toBeUndefined();
    expect(new MatchSampler(request('frames')).toSample({ template: template(), crop: jpeg }).crop).toBe('/9j/');
  });
});
