import { dirname, basename, resolve } from 'node:path';
import { CHALLENGE_STEPS, type ChallengeStep, type Evaluation, type Evidence } from '@facepay/protocol';
import { launchChromium, startStaticServer, ROOT, SHARED } from '@facepay/testkit';
import type { AnalyzeRequest, AnalyzeResponse } from '../analyze-page.js';
import { readClipInfo, type ClipInfo } from './clip-info.js';

export interface AnalyzeOptions {
  challenge: ChallengeStep[];
  /** Feed every decoded frame instead of playing the clip in real time. */
  everyFrame?: boolean;
  /** Record the evidence for this session and challenge nonce (to send to a server). */
  session?: { id: string; nonce: string };
}

export interface AnalyzeResult extends Evaluation {
  clip: ClipInfo & { mode: 'real-time' | 'every-frame'; analysed: number; dropped: number };
  /** What the browser would send to `POST /v1/sessions/:id/verify`. */
  evidence: Evidence;
}

/** Parses `blink,turn-left`; unknown step names are caller misuse. */
export function parseChallenge(list: string): ChallengeStep[] {
  const steps = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = steps.filter((s) => !(CHALLENGE_STEPS as readonly string[]).includes(s));
  if (unknown.length || steps.length === 0) {
    throw new TypeError(`--challenge takes steps from ${CHALLENGE_STEPS.join(', ')}; got "${list}"`);
  }
  return steps as ChallengeStep[];
}

/**
 * Runs the real pipeline on a recorded clip: headless Chromium with the clip as its camera
 * (or every decoded frame), the vision worker, the liveness tracker, then `evaluate`.
 * Prompts count as shown at the clip's start; one pass of the clip is analysed.
 */
export async function analyzeClip(path: string, options: AnalyzeOptions): Promise<AnalyzeResult> {
  const clip = resolve(path);
  const info = await readClipInfo(clip);
  const server = await startStaticServer({ mounts: { '/': ROOT, '/__shared/': SHARED, '/__clip/': dirname(clip) } });
  const browser = await launchChromium(options.everyFrame ? {} : { fakeCamera: clip });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/packages/cli/pages/analyze.html`);
    await page.waitForFunction(() => typeof window.facepayAnalyze === 'function');
    const request: AnalyzeRequest = {
      steps: options.challenge,
      ...(options.session ? { sessionId: options.session.id, nonce: options.session.nonce } : {}),
      workerUrl: '/packages/vision/dist/vision.worker.js',
      fps: info.fps,
      format: info.format,
      ...(options.everyFrame ? { clipUrl: `/__clip/${encodeURIComponent(basename(clip))}` } : { durationMs: info.durationMs }),
    };
    const response: AnalyzeResponse = await page.evaluate((r) => window.facepayAnalyze(r), request);
    const { verdict, score, checks, reasons } = response.evaluation;
    return {
      verdict,
      score,
      checks,
      reasons,
      clip: { ...info, mode: options.everyFrame ? 'every-frame' : 'real-time', analysed: response.frames, dropped: response.dropped },
      evidence: response.evidence,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
