import { homedir } from 'node:os';
import { join } from 'node:path';
import { ffmpegOnce } from './ffmpeg.js';

/**
 * A short 640x480 y4m of a still image, for Chromium's fake camera. Cached under
 * ~/.cache/facepay/clips; needs Debian's ffmpeg.
 */
export function stillClip(image: string, name: string): Promise<string> {
  const dir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'facepay', 'clips');
  return ffmpegOnce(join(dir, `${name}.y4m`), [
    '-loop', '1', '-i', image, '-t', '1', '-r', '30',
    '-vf', 'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2',
    '-pix_fmt', 'yuv420p',
  ]);
}
