import { EVIDENCE_MAX_BYTES, type Evidence } from '@facepay/protocol';
import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { LivenessTracker } from './tracker.js';
import { validateEvidence } from './validate.js';
import { generateScene, still } from './testing/synthetic-face.js';
import { TEST_CAMERA, liveScript, record, session } from './testing/session.js';

const challenge = { nonce: 'nonce-t', steps: ['turn-left', 'blink'] as ('turn-left' | 'blink')[] };

describe('LivenessTracker', () => {
  it('guides through quality, prompts each step, then is done', () => {
    const frames = generateScene({ script: liveScript(challenge.steps), noFace: [[0, 500]] });
    const { updates } = record(frames, challenge);
    expect(updates[0]).toEqual({ phase: 'quality', guidance: 'no-face', index: 0, total: 2, completed: false });
    const phases = updates.map((u) => (u.phase === 'step' ? `step:${u.index}:${u.step}` : u.phase)).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['quality', 'step:0:turn-left', 'step:1:blink', 'done']);
    expect(updates.at(-1)).toEqual({ phase: 'done', index: 2, total: 2, completed: true });
  });

  it('records evidence that validates and that the server decides the same way', () => {
    const { tracker, evidence, evaluation } = session(['nod', 'smile']);
    expect(evidence).toMatchObject({ version: 1, sessionId: 'sess_test', nonce: 'nonce-test', steps: ['nod', 'smile'], camera: TEST_CAMERA, droppedFrames: 0 });
    expect(evidence.frames[0]!.t).toBe(0);
    const checked = validateEvidence(JSON.stringify(evidence));
    expect(checked.ok).toBe(true);
    const server = evaluate((checked as { evidence: Evidence }).evidence, { nonce: 'nonce-test', steps: ['nod', 'smile'] });
    expect(server).toEqual(evaluation);
    expect(tracker.evaluate()).toEqual(evaluation);
    expect(evaluation.verdict).toBe('live');
  });

  it('agrees with the server replay however long the shopper takes at the gate', () => {
    // Eight seconds out of frame, then the live script: the evidence keeps only the end of the wait.
    const frames = generateScene({ script: [still(8000), ...liveScript(challenge.steps)], noFace: [[0, 8000]] });
    const { evidence, evaluation, updates } = record(frames, challenge);
    expect(updates.at(-1)?.completed).toBe(true);
    const first = frames.find((f) => Math.round(f.epochMs) === evidence.startedAt)!;
    expect(first.observation.timestampMs).toBeGreaterThan(8000 - 600 - 1000 - 50);
    expect(evaluate(evidence, challenge)).toEqual(evaluation);
    expect(evaluation.verdict).toBe('live');
  });

  it('keeps the whole gate run when the camera stalls in it, so prompts and replay agree', () => {
    // A 2.3 s stall inside the gate's run: the gate passes on the first frame after it.
    const frames = generateScene({ script: liveScript(challenge.steps, { settleMs: 3200 }) }).filter((f) => f.observation.timestampMs < 200 || f.observation.timestampMs > 2500);
    const { evidence, evaluation, updates } = record(frames, challenge);
    expect(evidence.frames[0]!.t).toBe(0);
    expect(Math.round(frames[0]!.epochMs)).toBe(evidence.startedAt);
    expect(updates.at(-1)?.completed).toBe(true);
    expect(evaluation.checks[0]).toEqual({ name: 'challenge', passed: true, value: 1 });
  });

  it('skips frames closer than minFrameIntervalMs, so a 60 fps camera does not double the evidence', () => {
    const { evidence, evaluation } = session(['turn-left', 'blink'], { fps: 60 });
    const gaps = evidence.frames.slice(1).map((f, i) => f.t - evidence.frames[i]!.t);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(25);
    expect(evaluation.verdict).toBe('live');
  });

  it('ignores frames out of order and frames after the end', () => {
    const frames = generateScene({ script: [...liveScript(challenge.steps), still(2000)] });
    const tracker = new LivenessTracker({ challenge, sessionId: 's', camera: TEST_CAMERA });
    let done = -1;
    frames.forEach((f, i) => {
      const update = tracker.push(f.observation, f.epochMs);
      if (update.phase === 'done' && done < 0) done = i;
      if (i === 10) expect(tracker.push(f.observation, f.epochMs - 500)).toEqual(update);
    });
    expect(done).toBeGreaterThan(0);
    expect(tracker.evidence().frames.at(-1)!.t).toBe(frames[done]!.epochMs - tracker.evidence().startedAt);
    expect(tracker.update.completed).toBe(true);
  });

  it('counts dropped frames until the end', () => {
    const tracker = new LivenessTracker({ challenge, sessionId: 's', camera: TEST_CAMERA });
    tracker.noteDropped();
    tracker.noteDropped(3);
    expect(tracker.evidence().droppedFrames).toBe(4);
  });

  it('stops recording before the evidence outgrows EVIDENCE_MAX_BYTES', () => {
    // A shopper who never does the step, with no time limit and a 40 fps feed.
    const frames = generateScene({ script: [still(20_000)], fps: 40 });
    const { evidence, updates } = record(frames, challenge, { policy: { stepTimeoutMs: 60_000 } });
    expect(updates.at(-1)).toMatchObject({ phase: 'done', completed: false, reason: 'step-missing' });
    const bytes = new TextEncoder().encode(JSON.stringify(evidence)).length;
    expect(bytes).toBeLessThanOrEqual(EVIDENCE_MAX_BYTES);
    expect(bytes).toBeGreaterThan(EVIDENCE_MAX_BYTES * 0.95);
    expect(validateEvidence(evidence).ok).toBe(true);
  }, 20_000);

  it('binds match samples to recorded frames, keeping the first and the latest', () => {
    const frames = generateScene({ script: [still(6000), ...liveScript(challenge.steps)], noFace: [[0, 3000]] });
    const tracker = new LivenessTracker({ challenge, sessionId: 'sess_m', camera: TEST_CAMERA });
    const template = 'A'.repeat(8);
    let added = 0;
    let lastEpoch = 0;
    frames.forEach((f, i) => {
      tracker.push(f.observation, f.epochMs);
      // A sample every 20th frame; the first ones fall in the trimmed part of the wait.
      if (i % 20 === 0 && tracker.addMatchSample(f.epochMs, { template: `${template}${i}` }, 3)) {
        added++;
        lastEpoch = Math.round(f.epochMs);
      }
    });
    expect(added).toBeGreaterThan(3);
    // A frame trimmed from the evidence: refused.
    expect(tracker.isRecorded(frames[0]!.epochMs)).toBe(false);
    expect(tracker.addMatchSample(frames[0]!.epochMs, { template })).toBe(false);
    const evidence = tracker.evidence();
    const samples = evidence.match!.samples;
    expect(evidence.match!.model).toBe('faceres-1');
    expect(samples).toHaveLength(3);
    const times = new Set(evidence.frames.map((f) => f.t));
    for (const sample of samples) expect(times.has(sample.t)).toBe(true);
    expect(samples.map((s) => s.t)).toEqual([...samples.map((s) => s.t)].sort((a, b) => a - b));
    // The latest sample is the last one added.
    expect(samples.at(-1)!.t).toBe(lastEpoch - evidence.startedAt);
  });

  it('sends no match member when no sample was taken', () => {
    const { evidence } = session(['blink']);
    expect(evidence.match).toBeUndefined();
  });

  it('throws TypeError on misuse', () => {
    expect(() => new LivenessTracker({ challenge: { nonce: 'n', steps: [] }, sessionId: 's', camera: TEST_CAMERA })).toThrow(TypeError);
    expect(() => new LivenessTracker({ challenge: { nonce: 'n', steps: ['wink' as 'blink'] }, sessionId: 's', camera: TEST_CAMERA })).toThrow(TypeError);
    const tracker = new LivenessTracker({ challenge, sessionId: 's', camera: TEST_CAMERA });
    expect(() => tracker.push(generateScene({ script: [still(10)] })[0]!.observation, Number.NaN)).toThrow(TypeError);
  });
});
