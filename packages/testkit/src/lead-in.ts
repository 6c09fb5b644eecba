import { basename, dirname, join } from 'node:path';
import { ffmpegOnce } from './ffmpeg.js';

/**
 * The clip with its opening neutral stretch played forward and back once more before it:
 * a shopper who waits for the prompt. Clips start acting after ~1 s, which suits `analyze`
 * (prompts count as shown at the start) but not the element, whose camera, quality gate
 * and first prompt take longer than that. Moving frames, not a frozen one, so the
 * frozen-frame check is not tripped. Cached beside the clip; needs Debian's ffmpeg.
 */
export function withLeadIn(clip: string, neutralSeconds: number): Promise<string> {
  const out = join(dirname(clip), `${basename(clip, '.y4m')}.lead-in-${neutralSeconds}.y4m`);
  const graph = [
    '[0:v]split[s1][s2]',
    `[s1]trim=end=${neutralSeconds},setpts=PTS-STARTPTS,split[a][b]`,
    '[b]reverse[r]',
    '[a][r][s2]concat=n=3:v=1:a=0[out]',
  ].join(';');
  return ffmpegOnce(out, ['-i', clip, '-filter_complex', graph, '-map', '[out]', '-pix_fmt', 'yuv420p']);
}
