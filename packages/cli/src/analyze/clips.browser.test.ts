import { beforeAll, describe, expect, it } from 'vitest';
import { ensureClips, type ClipManifest, type ClipSet } from '@facepay/testkit';
import { analyzeClip, type AnalyzeResult } from './analyze.js';

// The liveness engine over the generated clip set, through the real pipeline (Chromium,
// the worker, the model, the tracker, evaluate): live clips must pass, every attack and
// edge case must not. Every-frame mode keeps the run deterministic; two live clips also
// play in real time, as a shopper's camera would, frames dropped and all.

let clips: ClipSet;
const rows: string[] = [];

/**
 * Attacks the engine does not catch yet, each with why. A screen held still while it
 * replays a recording of exactly the requested steps moves like a real head (the video
 * shows one), and features-only evidence carries none of a screen's own cues (bezel,
 * moiré, glare). The random challenge is the defence there; catching it needs a screen
 * detector on the pixels (issue 4's note).
 */
const KNOWN_GAPS: Record<string, string> = {
  'grace-replay-blink-turn-left': 'screen replay of the requested sequence',
};

beforeAll(async () => {
  clips = await ensureClips();
}, 1_200_000);

const verdictRow = (manifest: ClipManifest, mode: string, result: AnalyzeResult): string => {
  const failed = result.checks.filter((c) => !c.passed).map((c) => `${c.name}=${c.value}`);
  return `| ${manifest.name} | ${manifest.kind} | ${manifest.challenge.join(',')} | ${mode} | ${result.verdict} | ${result.score.toFixed(2)} | ${result.reasons.join(', ') || '-'} | ${failed.join(' ') || '-'} |`;
};

describe('liveness over the generated clips', () => {
  it('decides every clip as its manifest says (every frame)', async () => {
    const outcomes: Array<{ name: string; expect: string; verdict: string }> = [];
    for (const manifest of Object.values(clips.clips)) {
      const result = await analyzeClip(clips.path(manifest.name, 'y4m'), { challenge: manifest.challenge, everyFrame: true });
      rows.push(verdictRow(manifest, 'every-frame', result));
      outcomes.push({ name: manifest.name, expect: manifest.expect, verdict: result.verdict });
    }
    console.log(['| clip | kind | challenge | mode | verdict | score | reasons | failed checks |', '|---|---|---|---|---|---|---|---|', ...rows].join('\n'));
    for (const outcome of outcomes) {
      if (outcome.expect === 'live') expect(outcome, outcome.name).toMatchObject({ verdict: 'live' });
      else if (!(outcome.name in KNOWN_GAPS)) expect(outcome.verdict, outcome.name).not.toBe('live');
    }
  }, 1_200_000);

  // Fails while the gap is open; once a screen detector catches the replay, this starts
  // failing and the clip moves back into the test above.
  it.fails.each(Object.entries(KNOWN_GAPS))('known gap: %s (%s) is not caught yet', async (name) => {
    const manifest = clips.clips[name]!;
    const result = await analyzeClip(clips.path(name, 'y4m'), { challenge: manifest.challenge, everyFrame: true });
    expect(result.verdict).not.toBe('live');
  }, 600_000);

  it('passes the fixed-challenge live clips of both people in real time', async () => {
    for (const name of ['grace-live-blink-turn-left', 'xmorph-live-blink-turn-left']) {
      const manifest = clips.clips[name]!;
      const result = await analyzeClip(clips.path(name, 'y4m'), { challenge: manifest.challenge });
      console.log(verdictRow(manifest, `real-time (${result.clip.analysed} analysed, ${result.clip.dropped} dropped)`, result));
      expect(result.verdict, `${name}: ${JSON.stringify(result.reasons)}`).toBe('live');
    }
  }, 600_000);
});
