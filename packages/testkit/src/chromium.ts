import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** Debian's Chromium; no test tool may download a browser of its own. */
export const CHROMIUM_PATH = process.env.FACEPAY_CHROMIUM ?? '/usr/bin/chromium';

/** Without these, Chromium on these machines keeps trying to reach Google and is refused. */
export const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface LaunchChromiumOptions {
  /** A `.y4m` or `.mjpeg` clip to serve as the camera (Chromium loops it). */
  fakeCamera?: string;
  /** Grant camera access without a prompt (default true with a fake camera). */
  grantCamera?: boolean;
  args?: string[];
  launch?: LaunchOptions;
}

/** The command-line flags `launchChromium` uses, for launches it does not cover (persistent profiles). */
export function chromiumArgs(options: Pick<LaunchChromiumOptions, 'fakeCamera' | 'grantCamera' | 'args'> = {}): string[] {
  const args = [...QUIET_FLAGS, ...(options.args ?? [])];
  if (options.fakeCamera) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeCamera}`);
    if (options.grantCamera ?? true) args.push('--use-fake-ui-for-media-stream');
  }
  return args;
}

export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set FACEPAY_CHROMIUM)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: chromiumArgs(options), ...options.launch });
}
