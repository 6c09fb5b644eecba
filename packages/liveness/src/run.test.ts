import { blendshapeIndex, CHALLENGE_STEPS, type ChallengeStep } from '@facepay/protocol';
import { describe, expect, it } from 'vitest';
import { act, generateScene, move, still, type FaceState, type SceneOptions, type Segment } from './testing/synthetic-face.js';
import { liveScript, record, session } from './testing/session.js';
import { stepTimes } from './steps.js';

function run(steps: ChallengeStep[], script: Segment[], scene: Partial<SceneOptions> = {}, luma?: number) {
  return record(generateScene({ script, ...scene }), { nonce: 'n', steps }, luma === undefined ? {} : { luma });
}

/** Holds a state for `ms` (a turned head that does not come back, say). */
function hold(state: Partial<FaceState>, ms: number): Segment {
  return { ms, at: () => state };
}

describe('challenge steps', () => {
  it.each(CHALLENGE_STEPS.map((step) => [step]))('recognises %s done by a live head', (step) => {
    const { updates, evaluation } = session([step]);
    expect(updates.at(-1)).toMatchObject({ phase: 'done', completed: true, index: 1, total: 1 });
    expect(evaluation.checks.find((c) => c.name === 'challenge')).toEqual({ name: 'challenge', passed: true, value: 1 });
  });

  it('prompts the steps in order, each after the last is back to neutral', () => {
    const { updates } = session(['turn-left', 'blink', 'smile']);
    const prompts = updates.filter((u) => u.phase === 'step').map((u) => `${u.index}:${u.step}`);
    expect([...new Set(prompts)]).toEqual(['0:turn-left', '1:blink', '2:smile']);
  });

  it('takes a face that smiles at rest as neutral there, and still asks a real smile of it', () => {
    // Both smile blendshapes raised on every frame: a resting smile, as some faces have.
    const smilingAtRest = (script: Segment[]) => {
      const frames = generateScene({ script, seed: 11 });
      for (const { observation } of frames) {
        for (const face of observation.faces) {
          for (const name of ['mouthSmileLeft', 'mouthSmileRight'] as const) {
            face.blendshapes[blendshapeIndex(name)] = Math.min(1, face.blendshapes[blendshapeIndex(name)]! + 0.7);
          }
        }
      }
      return frames;
    };
    const steps: ChallengeStep[] = ['blink', 'turn-left'];
    expect(record(smilingAtRest(liveScript(steps)), { nonce: 'n', steps }).evaluation).toMatchObject({ verdict: 'live', reasons: [] });
    // The resting smile itself does not pass a smile step.
    const idle = record(smilingAtRest([still(1000), still(3000)]), { nonce: 'n', steps: ['smile'] });
    expect(idle.evaluation.verdict).not.toBe('live');
  });

  it('fails a later step done before the current one', () => {
    const { updates, evaluation } = run(['turn-left', 'turn-right'], [still(1000), act('turn-right'), still(500), act('turn-left'), still(500)]);
    expect(updates.at(-1)).toMatchObject({ phase: 'done', completed: false, index: 0, reason: 'step-out-of-order' });
    expect(evaluation.verdict).toBe('inconclusive');
    expect(evaluation.reasons[0]).toBe('step-out-of-order');
  });

  it('fails an expression step done out of order too', () => {
    const { updates } = run(['nod', 'open-mouth'], [still(1000), act('open-mouth'), still(500), act('nod'), still(500)]);
    expect(updates.at(-1)?.reason).toBe('step-out-of-order');
  });

  it('does not count a spontaneous blink as out of order', () => {
    const { updates } = run(['turn-left', 'blink'], [still(1000), act('blink'), still(300), act('turn-left'), still(500), act('blink'), still(400)]);
    expect(updates.at(-1)).toMatchObject({ completed: true });
  });

  it('ignores actions that are not in the challenge', () => {
    const { updates } = run(['turn-left', 'blink'], [still(1000), act('smile'), still(300), act('turn-left'), still(500), act('blink'), still(400)]);
    expect(updates.at(-1)).toMatchObject({ completed: true });
  });

  it('times a step out after stepTimeoutMs (5 s by default)', () => {
    const late = run(['turn-left'], [still(1000), still(5200), act('turn-left'), still(500)]);
    expect(late.updates.at(-1)).toMatchObject({ completed: false, reason: 'step-timeout' });
    const inTime = run(['turn-left'], [still(1000), still(3000), act('turn-left'), still(500)]);
    expect(inTime.updates.at(-1)).toMatchObject({ completed: true });
  });

  it('needs the face back to neutral after the action', () => {
    const { updates, evaluation } = run(['turn-left', 'blink'], [still(1000), move({}, { yaw: 30 }, 500), hold({ yaw: 30 }, 6000)]);
    expect(updates.at(-1)).toMatchObject({ completed: false, reason: 'no-return-to-neutral' });
    expect(evaluation.reasons).toContain('no-return-to-neutral');
  });

  it('reports a step that was never done as missing when the evidence ends early', () => {
    const { evaluation } = run(['turn-left', 'nod'], [still(1000), act('turn-left'), still(800)]);
    expect(evaluation.checks[0]).toEqual({ name: 'challenge', passed: false, value: 0.5 });
    expect(evaluation.reasons).toContain('step-missing');
  });

  it('reads a turn from turnMinDeg (20°) of the baseline, in the right direction', () => {
    expect(run(['turn-left'], [still(1000), act('turn-left', { amount: 17 }), still(500)]).updates.at(-1)?.completed).toBe(false);
    expect(run(['turn-left'], [still(1000), act('turn-left', { amount: 23 }), still(500)]).updates.at(-1)?.completed).toBe(true);
    expect(run(['turn-right'], [still(1000), act('turn-right', { amount: 23 }), still(500)]).updates.at(-1)?.completed).toBe(true);
    // Turning to their own right while asked to turn left is not a turn-left.
    expect(run(['turn-left'], [still(1000), act('turn-right'), still(500)]).updates.at(-1)?.completed).toBe(false);
  });

  it('measures turns from the baseline, not from the camera axis', () => {
    // Sitting 12° off-axis: a 25° turn is only 13° past the camera axis on one side.
    const offAxis = (segment: Segment): Segment => ({ ms: segment.ms, at: (u) => ({ ...segment.at(u), yaw: (segment.at(u).yaw ?? 0) + 12 }) });
    const script = [still(1000), act('turn-right', { amount: 25 }), still(500)].map(offAxis);
    expect(run(['turn-right'], script).updates.at(-1)?.completed).toBe(true);
  });

  it('accepts a nod down or up past nodMinDeg (12°)', () => {
    expect(run(['nod'], [still(1000), act('nod', { amount: 16 }), still(500)]).updates.at(-1)?.completed).toBe(true);
    expect(run(['nod'], [still(1000), act('nod', { amount: -16 }), still(500)]).updates.at(-1)?.completed).toBe(true);
    expect(run(['nod'], [still(1000), act('nod', { amount: 9 }), still(500)]).updates.at(-1)?.completed).toBe(false);
  });

  it('does not count one noisy frame as an action (actionMinMs)', () => {
    // A 40 ms spike past the threshold: at most one frame at 30 fps.
    const spike: Segment = { ms: 40, at: () => ({ yaw: 30 }) };
    expect(run(['turn-left'], [still(1000), spike, still(1500)]).updates.at(-1)?.completed).toBe(false);
  });

  it('needs a blink short enough (blinkMaxMs) and seen by both the blendshapes and the eyelids', () => {
    expect(run(['blink'], [still(1000), act('blink', { ms: 1500 }), still(500)]).updates.at(-1)?.completed).toBe(false);
    expect(run(['blink'], [still(1000), act('blink', { amount: 0.4 }), still(500)]).updates.at(-1)?.completed).toBe(false);
    expect(run(['blink'], [still(1000), act('blink', { ms: 150 }), still(500)]).updates.at(-1)?.completed).toBe(true);
  });

  it('needs a smile and an open mouth to show in the landmarks as well as the blendshapes', () => {
    expect(run(['smile'], [still(1000), act('smile', { amount: 0.3 }), still(500)]).updates.at(-1)?.completed).toBe(false);
    expect(run(['open-mouth'], [still(1000), act('open-mouth', { amount: 0.3 }), still(500)]).updates.at(-1)?.completed).toBe(false);
  });

  it('works at the low frame rates of a busy CPU (10 fps, jittery timing)', () => {
    expect(session(['turn-left', 'blink', 'smile'], { fps: 10, timingJitterMs: 20 }).updates.at(-1)?.completed).toBe(true);
  });
});

describe('quality gate', () => {
  it('starts the challenge after qualityHoldMs of a usable face', () => {
    const { updates, frames } = session(['blink']);
    const first = updates.findIndex((u) => u.phase === 'step');
    expect(frames[first]!.observation.timestampMs).toBeGreaterThanOrEqual(600);
    expect(frames[first]!.observation.timestampMs).toBeLessThan(700);
    expect(updates.slice(0, first).every((u) => u.phase === 'quality' && u.guidance === undefined)).toBe(true);
  });

  it.each([
    ['move-closer', 'face-too-small', { distanceCm: 150 }, undefined],
    ['move-back', 'face-too-large', { distanceCm: 18 }, undefined],
    ['centre-face', 'face-off-centre', { centre: [0.8, 0.5] as [number, number] }, undefined],
    ['more-light', 'too-dark', {}, 20],
    ['no-face', 'no-face', { noFace: [[0, 1e6]] as [number, number][] }, undefined],
    ['multiple-faces', 'multiple-faces', { secondFace: [[0, 1e6]] as [number, number][] }, undefined],
  ] as const)('guides with %s and reports %s', (guidance, reason, scene, luma) => {
    const { updates, evaluation } = run(['blink'], liveScript(['blink']), scene, luma);
    expect(updates.at(-1)).toMatchObject({ phase: 'quality', guidance });
    expect(evaluation.verdict).toBe('inconclusive');
    expect(evaluation.checks[1]).toMatchObject({ name: 'quality', passed: false });
    expect(evaluation.reasons[0]).toBe(reason);
  });

  it('asks to look straight at a turned face', () => {
    const { updates, evaluation } = run(['blink'], [hold({ yaw: 25 }, 3000)]);
    expect(updates.at(-1)?.guidance).toBe('look-straight');
    expect(evaluation.reasons[0]).toBe('not-frontal');
  });

  it('fails when the face is gone longer than maxFaceLostMs during the challenge, not for a moment', () => {
    const steps: ChallengeStep[] = ['turn-left', 'blink'];
    const lost = session(steps, { noFace: [[1500, 3000]] });
    expect(lost.updates.at(-1)).toMatchObject({ completed: false, reason: 'no-face' });
    expect(lost.updates.find((u) => u.phase === 'step' && u.guidance)?.guidance).toBe('no-face');
    expect(session(steps, { noFace: [[1500, 1800]] }).updates.at(-1)?.completed).toBe(true);
  });

  it('fails on a second face that stays longer than maxMultipleFacesMs during the challenge', () => {
    const crowded = session(['turn-left', 'blink'], { secondFace: [[1500, 2500]] });
    expect(crowded.updates.at(-1)).toMatchObject({ completed: false, reason: 'multiple-faces' });
    expect(session(['turn-left', 'blink'], { secondFace: [[1500, 1700]] }).updates.at(-1)?.completed).toBe(true);
  });
});

describe('step times', () => {
  it('are the same frames in the browser (epoch ms) and in the evidence replayed on the server', () => {
    const steps: ChallengeStep[] = ['blink', 'turn-left', 'smile'];
    // A long settle: the quality phase's older frames are trimmed from the evidence.
    const { tracker, evidence, frames } = session(steps, { script: liveScript(steps, { settleMs: 4000 }) });
    const browser = tracker.steps();
    const server = stepTimes(evidence, { nonce: 'nonce-test', steps });
    expect(browser.map((s) => s.step)).toEqual(steps);
    expect(server.map(({ step, peakT, doneT }) => ({ step, peakEpochMs: evidence.startedAt + peakT, doneEpochMs: evidence.startedAt + doneT }))).toEqual(browser);
    for (const [i, { peakEpochMs, doneEpochMs }] of browser.entries()) {
      expect(peakEpochMs).toBeLessThanOrEqual(doneEpochMs);
      if (i > 0) expect(peakEpochMs).toBeGreaterThan(browser[i - 1]!.doneEpochMs);
      // The turn peaks at its most rotated frame, and is done back within neutral.
      if (steps[i] === 'turn-left') {
        const yaw = (epoch: number) => frames.find((f) => Math.round(f.epochMs) === epoch)!.observation.faces[0]!.pose.yaw;
        expect(yaw(peakEpochMs)).toBeGreaterThan(20);
        expect(Math.abs(yaw(doneEpochMs))).toBeLessThanOrEqual(10);
      }
    }
  });

  it('are empty for evidence answering another challenge, and cover only completed steps', () => {
    const { evidence } = session(['blink', 'nod']);
    expect(stepTimes(evidence, { nonce: 'other', steps: ['blink', 'nod'] })).toEqual([]);
    expect(stepTimes(evidence, { nonce: 'nonce-test', steps: ['nod', 'blink'] })).toEqual([]);
    const partial = run(['blink', 'nod'], [still(1000), act('blink'), still(1500)]);
    expect(stepTimes(partial.evidence, { nonce: 'n', steps: ['blink', 'nod'] }).map((s) => s.step)).toEqual(['blink']);
  });
});
