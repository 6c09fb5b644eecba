import { beforeAll, describe, expect, it } from 'vitest';
import { ensureClips, type ClipManifest, type ClipSet } from '@facepay/testkit';
import { analyzeClip, type AnalyzeResult } from './analyze.js';

// The liveness engine over the generated clip set, through the real pipeline (Chromium,
// the worker, the model, the tracker, evaluate): live clips must pass, every attack and
// edge case must not. Every-frame mode keeps the run deterministic; two live clips, a
// replay and the swap also play in real time, as a shopper's camera would, frames dropped and all.

let clips: ClipSet;
const rows: string[] = [];

beforeAll(async () => {
  clips = await ensureClips();
}, 1_200_000);

const verdictRow = (manifest: ClipManifest, mode: string, result: AnalyzeResult): string => {
  const failed = result.checks.filter((c) => !c.passed).map((c) => `${c.name}=${c.value}`);
  const screen = result.checks.find((c) => c.name === 'screen')?.value;
  return `| ${manifest.name} | ${manifest.kind} | ${manifest.challenge.join(',')} | ${mode} | ${result.verdict} | ${result.score.toFixed(2)} | ${result.reasons.join(', ') || '-'} | ${failed.join(' ') || '-'} | ${screen ?? '-'} |`;
};

describe('liveness over the generated clips', () => {
  it('decides every clip as its manifest says (every frame)', async () => {
    const outcomes: Array<{ name: string; kind: string; expect: string; verdict: string; screen: boolean | undefined }> = [];
    for (const manifest of Object.values(clips.clips)) {
      const result = await analyzeClip(clips.path(manifest.name, 'y4m'), { challenge: manifest.challenge, everyFrame: true });
      rows.push(verdictRow(manifest, 'every-frame', result));
      const screen = result.checks.find((c) => c.name === 'screen')?.passed;
      outcomes.push({ name: manifest.name, kind: manifest.kind, expect: manifest.expect, verdict: result.verdict, screen });
    }
    console.log(['| clip | kind | challenge | mode | verdict | score | reasons | failed checks | screen |', '|---|---|---|---|---|---|---|---|---|', ...rows].join('\n'));
    for (const outcome of outcomes) {
      if (outcome.expect === 'live') expect(outcome, outcome.name).toMatchObject({ verdict: 'live', screen: true });
      else expect(outcome.verdict, outcome.name).not.toBe('live');
      // A screen replaying the requested steps moves like a head: only the screen's own
      // pixels (moiré) give it away. Nothing else may look like a screen.
      if (outcome.kind.startsWith('replay')) expect(outcome, outcome.name).toMatchObject({ verdict: 'spoof', screen: false });
      else expect(outcome.screen, outcome.name).toBe(true);
    }
  }, 1_200_000);

  it('passes the fixed-challenge live clips of both people in real time, and catches the replay of them and the swap between them', async () => {
    for (const name of ['grace-live-blink-turn-left', 'xmorph-live-blink-turn-left', 'grace-replay-blink-turn-left', 'swap-grace-xmorph']) {
      const manifest = clips.clips[name]!;
      const result = await analyzeClip(clips.path(name, 'y4m'), { challenge: manifest.challenge });
      console.log(verdictRow(manifest, `real-time (${result.clip.analysed} analysed, ${result.clip.dropped} dropped)`, result));
      expect(result.verdict, `${name}: ${JSON.stringify(result.reasons)}`).toBe(manifest.expect === 'live' ? 'live' : 'spoof');
      // The second person rests turned away from the first one's pose, where a check that
      // compared only near the baseline pose never looked: identity must catch it, in real time.
      if (manifest.kind === 'swap') expect(result.checks.find((c) => c.name === 'identity'), name).toMatchObject({ passed: false });
    }
  }, 600_000);
});
