import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { ErrorCode, FacePayError, MatchReason, isErrorCode } from '@facepay/protocol';
import type { ChallengeStep, GuidanceCode, Observation } from '@facepay/protocol';
import { LivenessTracker, type TrackerUpdate } from '@facepay/liveness';
import { createVisionClient, frameLuma, type InitResult, type VisionClient } from '@facepay/vision';
import { FacePayApi } from '../api-client.js';
import { openCamera, stopStream } from '../camera.js';
import { format, pickLocale, type Catalog } from '../i18n/index.js';
import { facepayEvent, type FacePayEventMap } from './events.js';
import { CheckoutState } from './state.js';
import { MatchSampler } from './match-sampler.js';
import { styles } from './facepay-checkout.styles.js';

/** Gives up on a check that never completes (the server still decides on what was seen). */
const CHECK_LIMIT_MS = 45_000;

const MATCH_REASONS: ReadonlySet<string> = new Set(Object.values(MatchReason));

const ACTIVE: ReadonlySet<CheckoutState> = new Set([
  CheckoutState.Starting,
  CheckoutState.Positioning,
  CheckoutState.Challenge,
  CheckoutState.Verifying,
]);

/**
 * Pay with your face: camera, face outline, a short random challenge, and a signed token
 * for the host page's payment flow. Video stays on the device; only compact features
 * are sent to the facepay server.
 *
 * @summary The facepay checkout element.
 *
 * @attr session - The facepay session id your backend created (`POST /v1/sessions`).
 * @attr client-secret - The session's client secret.
 * @attr server - Base URL of the facepay server.
 * @attr amount - Amount in minor units (1299 = 12.99), shown on the button.
 * @attr currency - ISO 4217 code, e.g. `EUR`.
 * @attr lang - Language (`en`, `de`, `es`, `zh-CN`); defaults to the page's language.
 * @attr mode - `pay` (default) or `enroll`.
 * @attr assets-base - Folder holding `vision.worker.js`, `wasm/` and `models/`; defaults to the script's own folder.
 * @attr theme - `light` or `dark`; default follows the system.
 *
 * @fires facepay-ready - The face model is loaded; a check starts at once. Detail: `{ delegate }`.
 * @fires facepay-progress - A challenge step is now asked for. Detail: `{ step, index, total }`.
 * @fires facepay-verified - The server verified the shopper. Detail: `{ token, sessionId }`.
 * @fires facepay-failed - The server refused. Detail: `{ code, reasons, retryable }`.
 * @fires facepay-cancel - The shopper or the page cancelled.
 * @fires facepay-error - Camera, assets, network or set-up problem. Detail: `{ code, message }`.
 *
 * @slot - Replaces the label of the pay button.
 *
 * @csspart base - The element's box.
 * @csspart button - The pay button.
 * @csspart stage - The camera preview area.
 * @csspart video - The mirrored camera preview.
 * @csspart outline - The face outline drawn over the preview.
 * @csspart prompt - The current instruction.
 * @csspart progress - The step indicator.
 * @csspart status - Secondary text: guidance, step count, results.
 * @csspart actions - The row of retry and cancel buttons.
 * @csspart retry - The retry button.
 * @csspart cancel - The cancel button.
 *
 * @cssprop --facepay-accent - Buttons, progress and focus rings.
 * @cssprop --facepay-on-accent - Text on accent.
 * @cssprop --facepay-surface - Background.
 * @cssprop --facepay-text - Text colour.
 * @cssprop --facepay-muted - Secondary text.
 * @cssprop --facepay-danger - Failure and error text.
 * @cssprop --facepay-success - Success text.
 * @cssprop --facepay-outline - The face outline (white by default).
 * @cssprop --facepay-radius - Corner radius.
 * @cssprop --facepay-font - Font family.
 */
export class FacePayCheckout extends LitElement {
  static override styles = styles;

  static override properties = {
    session: { type: String },
    clientSecret: { type: String, attribute: 'client-secret' },
    server: { type: String },
    amount: { type: Number },
    currency: { type: String },
    lang: { type: String },
    mode: { type: String },
    assetsBase: { type: String, attribute: 'assets-base' },
    state: { type: String, reflect: true, attribute: 'data-state' },
    _prompt: { state: true },
    _status: { state: true },
    _announce: { state: true },
    _steps: { state: true },
    _stepIndex: { state: true },
    _retryable: { state: true },
  };

  declare session: string;
  declare clientSecret: string;
  declare server: string;
  declare amount: number | undefined;
  declare currency: string | undefined;
  declare lang: string;
  declare mode: 'pay' | 'enroll';
  declare assetsBase: string | undefined;
  /** The current state (read-only for pages; reflected as `data-state`). */
  declare state: CheckoutState;
  declare _prompt: string;
  declare _status: string;
  declare _announce: string;
  declare _steps: ChallengeStep[];
  declare _stepIndex: number;
  declare _retryable: boolean;

  /** Replaces the vision worker, for tests and custom hosting. Set before connecting. */
  visionFactory: () => VisionClient = () =>
    createVisionClient(this.assetsBase ? { workerUrl: new URL('vision.worker.js', this.#base()) } : {});

  #vision: VisionClient | undefined;
  #visionReady: Promise<InitResult> | undefined;
  #stream: MediaStream | undefined;
  #tracker: LivenessTracker | undefined;
  #abort: AbortController | undefined;
  #running = false;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #lastGuidance: GuidanceCode | undefined;
  #focusAfterRender: string | undefined;
  /** Set when the session enrols a face or needs a 1:1 match. */
  #sampler: MatchSampler | undefined;
  #latest: Observation | undefined;

  constructor() {
    super();
    this.session = '';
    this.clientSecret = '';
    this.server = '';
    this.lang = '';
    this.mode = 'pay';
    this.state = CheckoutState.Idle;
    this._prompt = '';
    this._status = '';
    this._announce = '';
    this._steps = [];
    this._stepIndex = -1;
    this._retryable = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.#onKeydown);
    this.#preload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.#onKeydown);
    this.#teardown();
  }

  /** Starts a check: camera, challenge, steps, verification. Ignored while one runs. */
  async start(): Promise<void> {
    if (ACTIVE.has(this.state)) return;
    const missing = (['session', 'clientSecret', 'server'] as const).filter((name) => !this[name]);
    if (missing.length) {
      const attrs = missing.map((name) => (name === 'clientSecret' ? 'client-secret' : name)).join(', ');
      this.#fail(new FacePayError(ErrorCode.MissingAttribute, `<facepay-checkout> needs ${attrs}`));
      return;
    }
    const t = this.#t();
    this.#abort = new AbortController();
    const { signal } = this.#abort;
    this.#setState(CheckoutState.Starting, t.cameraPermission, 'prompt');
    this._prompt = t.preparing;
    this._steps = [];
    this._stepIndex = -1;
    this.#lastGuidance = undefined;
    const api = new FacePayApi(this.server, this.session, this.clientSecret);
    try {
      this.#preload();
      const vision = this.#vision!;
      const [challenge, init] = await Promise.all([api.challenge(signal), this.#visionReady!]);
      if (signal.aborted) return;
      if (!init.ok) throw FacePayError.from(init.error);
      // The face-recognition model loads only for sessions that enrol or match, and before
      // the camera opens: the worker cannot landmark while it sets TensorFlow.js up.
      if (challenge.match) {
        const match = await vision.prepareMatch(this.#matchAssets());
        if (signal.aborted) return;
        if (!match.ok) throw FacePayError.from(match.error);
      }
      const camera = await openCamera();
      if (signal.aborted) {
        stopStream(camera.stream);
        return;
      }
      this.#stream = camera.stream;
      this.#sampler = challenge.match ? new MatchSampler(challenge.match) : undefined;
      this.#latest = undefined;
      this._steps = challenge.steps;
      this.#tracker = new LivenessTracker({
        challenge: { nonce: challenge.nonce, steps: challenge.steps },
        sessionId: this.session,
        camera: camera.info,
      });
      this.#setState(CheckoutState.Positioning, t.lookAtCamera, 'prompt');
      this._prompt = t.lookAtCamera;
      await this.updateComplete;
      const video = this.renderRoot.querySelector('video')!;
      video.srcObject = camera.stream;
      await video.play();
      this.#running = true;
      this.#deadline = setTimeout(() => void this.#finish(api), CHECK_LIMIT_MS);
      this.#scheduleFrame(video, api);
    } catch (error) {
      if (signal.aborted) return;
      this.#fail(error);
    }
  }

  /** Stops a running check, releases the camera and ends the worker. */
  cancel(): void {
    if (this.state === CheckoutState.Idle) return;
    this.#teardown();
    this.#setState(CheckoutState.Idle, this.#t().cancelled, 'button');
    this.dispatchEvent(facepayEvent('facepay-cancel', {}));
  }

  #preload(): void {
    if (this.#vision) return;
    const vision = this.visionFactory();
    this.#vision = vision;
    const base = this.assetsBase ? this.#base() : undefined;
    this.#visionReady = vision.init(
      base ? { wasmBaseUrl: new URL('wasm/', base).href, modelUrl: new URL('models/face_landmarker.task', base).href } : {},
    );
    void this.#visionReady.then((result) => {
      if (result.ok && this.#vision === vision) {
        this.dispatchEvent(facepayEvent('facepay-ready', { delegate: result.delegate }));
      }
    });
  }

  #matchAssets(): { modelBaseUrl?: string; wasmBaseUrl?: string } {
    if (!this.assetsBase) return {};
    const base = this.#base();
    return { modelBaseUrl: new URL('models/', base).href, wasmBaseUrl: new URL('wasm/', base).href };
  }

  #base(): URL {
    return new URL(this.assetsBase!.replace(/\/?$/, '/'), document.baseURI);
  }

  #scheduleFrame(video: HTMLVideoElement, api: FacePayApi): void {
    if (!this.#running) return;
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => void this.#onFrame(video, api));
    else requestAnimationFrame(() => void this.#onFrame(video, api));
  }

  async #onFrame(video: HTMLVideoElement, api: FacePayApi): Promise<void> {
    if (!this.#running) return;
    this.#scheduleFrame(video, api);
    const vision = this.#vision;
    // At most one frame in flight: skip the copy entirely while the worker is busy.
    if (!vision) return;
    if (vision.busy) {
      this.#tracker?.noteDropped();
      return;
    }
    const epochMs = performance.timeOrigin + performance.now();
    const luma = frameLuma(video);
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(video);
    } catch {
      return;
    }
    // Face samples: the worker keeps this frame's aligned crop now and embeds it at the end.
    const result = await vision.process(bitmap, performance.now(), this.#sampler?.processOptions(epochMs, this.#latest));
    if (!this.#running || !this.#tracker) return;
    if (result.status === 'error') {
      this.#fail(FacePayError.from(result.error));
      return;
    }
    if (result.status === 'ok') {
      // A crop that could not be kept still leaves the frame to liveness; it just gives no sample.
      const kept = result.kept?.ok ? result.kept : undefined;
      this.#onObservation(result.observation, epochMs, luma, api, kept);
    }
  }

  #onObservation(observation: Observation, epochMs: number, luma: number | undefined, api: FacePayApi, kept?: { id: number; evicted?: number }): void {
    this.#latest = observation;
    const tracker = this.#tracker!;
    const update: TrackerUpdate = tracker.push(observation, epochMs, luma);
    if (this.#sampler) {
      this.#sampler.note(observation, kept, epochMs, tracker.isRecorded(epochMs));
      this.#sampler.steps(tracker.steps());
    }
    const t = this.#t();
    if (update.phase === 'quality') {
      if (update.guidance !== this.#lastGuidance) {
        this.#lastGuidance = update.guidance;
        const text = update.guidance ? t.guidance[update.guidance] : t.lookAtCamera;
        this._prompt = text;
        this._announce = text;
      }
      return;
    }
    if (update.phase === 'step' && update.step && update.index !== this._stepIndex) {
      this._stepIndex = update.index;
      this.state = CheckoutState.Challenge;
      const prompt = t.steps[update.step];
      this._prompt = prompt;
      this._status = format(t.stepOf, { index: update.index + 1, total: update.total });
      this._announce = `${this._status}: ${prompt}`;
      this.dispatchEvent(facepayEvent('facepay-progress', { step: update.step, index: update.index, total: update.total }));
      return;
    }
    if (update.phase === 'done') void this.#finish(api);
  }

  async #finish(api: FacePayApi): Promise<void> {
    if (!this.#running || !this.#tracker) return;
    const tracker = this.#tracker;
    const signal = this.#abort?.signal;
    this.#stopCapture();
    const t = this.#t();
    this._stepIndex = this._steps.length;
    this.#setState(CheckoutState.Verifying, t.verifying, 'prompt');
    this._prompt = t.verifying;
    try {
      if (this.#sampler) await this.#addMatchSamples(tracker, this.#sampler);
      if (signal?.aborted) return;
      const outcome = await api.verify(tracker.evidence(), signal);
      if (signal?.aborted) return;
      if (outcome.status === 'verified') {
        const text = this.mode === 'enroll' ? t.enrolSuccess : t.success;
        this.#setState(CheckoutState.Success, text, 'result');
        this.dispatchEvent(facepayEvent('facepay-verified', { token: outcome.token, sessionId: this.session }));
      } else {
        this._retryable = outcome.retryable;
        const reasons = outcome.reasons.map((code) => t.reasons[code] ?? code);
        this.#setState(CheckoutState.Failed, [t.failed, ...reasons.slice(0, 2)].join(' '), 'result');
        this.dispatchEvent(
          facepayEvent('facepay-failed', {
            code:
              outcome.code ??
              (outcome.reasons.some((reason) => MATCH_REASONS.has(reason)) ? 'match-failed' : 'liveness-failed'),
            reasons: outcome.reasons,
            retryable: outcome.retryable,
          }),
        );
      }
    } catch (error) {
      if (signal?.aborted) return;
      this.#fail(error);
    } finally {
      this.#closeVision();
    }
  }

  /** Embeds the chosen kept crops in the worker and adds them to the evidence. */
  async #addMatchSamples(tracker: LivenessTracker, sampler: MatchSampler): Promise<void> {
    const picked = sampler.pick((epochMs) => tracker.isRecorded(epochMs));
    // None usable: the server answers face-missing, which the shopper can retry.
    if (!picked.length || !this.#vision) return;
    const embedded = await this.#vision.embedKept(
      picked.map((c) => c.id),
      { crop: sampler.withCrops },
    );
    if (!embedded.ok) throw FacePayError.from(embedded.error);
    sampler.addTo(tracker, picked, embedded.matches);
  }

  #fail(error: unknown): void {
    const code: ErrorCode = error instanceof FacePayError ? error.code : ErrorCode.ServerError;
    const message = error instanceof Error ? error.message : String(error);
    this.#teardown();
    const t = this.#t();
    this._retryable = code !== ErrorCode.MissingAttribute && code !== ErrorCode.UnsupportedBrowser;
    this.#setState(CheckoutState.Error, t.errors[code] ?? t.errors.generic, 'result');
    this.dispatchEvent(facepayEvent('facepay-error', { code: isErrorCode(code) ? code : ErrorCode.ServerError, message }));
  }

  #stopCapture(): void {
    this.#running = false;
    clearTimeout(this.#deadline);
    stopStream(this.#stream);
    this.#stream = undefined;
    const video = this.renderRoot?.querySelector('video');
    if (video) video.srcObject = null;
  }

  #closeVision(): void {
    void this.#vision?.close();
    this.#vision = undefined;
    this.#visionReady = undefined;
  }

  #teardown(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.#stopCapture();
    this.#closeVision();
    this.#tracker = undefined;
    this.#sampler = undefined;
    this.#latest = undefined;
  }

  #onKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && ACTIVE.has(this.state)) {
      event.preventDefault();
      this.cancel();
    }
  };

  #setState(state: CheckoutState, announce: string, focus: 'prompt' | 'result' | 'button'): void {
    this.state = state;
    if (state !== CheckoutState.Challenge) this._status = '';
    this._announce = announce;
    this._prompt = announce;
    // Decided now, before the render removes the focused control.
    this.#focusAfterRender = focus !== 'button' || this.matches(':focus-within') ? focus : undefined;
  }

  #t(): Catalog {
    return this.#locale().catalog;
  }

  /** The element's `lang`, else the nearest ancestor's, else the document's: text and amounts alike. */
  #locale(): { locale: string; catalog: Catalog } {
    return pickLocale(this.lang || this.parentElement?.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang);
  }

  #amountLabel(): string {
    const t = this.#t();
    if (this.amount === undefined || this.amount === null || !this.currency) return t.payNoAmount;
    const { locale } = this.#locale();
    try {
      const formatter = new Intl.NumberFormat(locale, { style: 'currency', currency: this.currency });
      const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
      return format(t.pay, { amount: formatter.format(this.amount / 10 ** digits) });
    } catch {
      return t.payNoAmount;
    }
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const focus = this.#focusAfterRender;
    if (!focus) return;
    this.#focusAfterRender = undefined;
    this.renderRoot.querySelector<HTMLElement>(`[data-focus='${focus}']`)?.focus();
  }

  protected override render(): TemplateResult {
    const t = this.#t();
    const { locale } = this.#locale();
    return html`
      <div part="base" lang=${locale}>
        ${this.state === CheckoutState.Idle ? this.#renderIdle(t) : this.#renderActive(t)}
        <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${this._announce}</div>
      </div>
    `;
  }

  #renderIdle(t: Catalog): TemplateResult {
    const label = this.mode === 'enroll' ? t.enrol : this.#amountLabel();
    return html`
      <button part="button" class="primary" type="button" data-focus="button" @click=${() => void this.start()}>
        <slot>${label}</slot>
      </button>
      <p class="privacy">${t.privacy}</p>
    `;
  }

  #renderActive(t: Catalog): TemplateResult {
    const camera = this.state === CheckoutState.Starting || this.state === CheckoutState.Positioning || this.state === CheckoutState.Challenge;
    const result = this.state === CheckoutState.Success || this.state === CheckoutState.Failed || this.state === CheckoutState.Error;
    const done = Math.max(0, this._stepIndex);
    const total = this._steps.length || 1;
    return html`
      ${camera
        ? html`<div part="stage">
            <video part="video" muted playsinline aria-label=${t.cameraPreview}></video>
            <svg part="outline" viewBox="0 0 100 133" preserveAspectRatio="xMidYMid slice" aria-hidden="true">
              <path class="mask" fill-rule="evenodd" d="M0 0H100V133H0Z M50 24 a30 40 0 1 0 0.01 0Z"></path>
              <ellipse class="oval" cx="50" cy="64" rx="30" ry="40"></ellipse>
              <ellipse
                class="ring"
                cx="50"
                cy="64"
                rx="33"
                ry="43"
                pathLength="100"
                stroke-dasharray=${`${(100 * done) / total} 100`}
              ></ellipse>
            </svg>
          </div>`
        : nothing}
      ${this.state === CheckoutState.Verifying ? html`<div class="spinner" aria-hidden="true"></div>` : nothing}
      <p part="prompt" class=${result ? 'result' : ''} data-kind=${this.state} tabindex="-1" data-focus=${result ? 'result' : 'prompt'}>
        ${this._prompt}
      </p>
      ${this._steps.length && !result
        ? html`<ol part="progress" aria-label=${format(t.stepOf, { index: Math.min(done + 1, total), total })}>
            ${this._steps.map(
              (step, i) =>
                html`<li
                  aria-current=${i === this._stepIndex ? 'step' : 'false'}
                  ?data-done=${i < this._stepIndex}
                  aria-label=${t.steps[step]}
                ></li>`,
            )}
          </ol>`
        : nothing}
      ${this._status ? html`<p part="status">${this._status}</p>` : nothing}
      <div part="actions">
        ${(this.state === CheckoutState.Failed || this.state === CheckoutState.Error) && this._retryable
          ? html`<button part="retry" class="primary" type="button" @click=${() => void this.start()}>${t.retry}</button>`
          : nothing}
        ${result
          ? html`<button part="cancel" class="secondary" type="button" @click=${() => this.#reset()}>${t.close}</button>`
          : html`<button part="cancel" class="secondary" type="button" @click=${() => this.cancel()}>${t.cancel}</button>`}
      </div>
    `;
  }

  #reset(): void {
    this.#teardown();
    this.#setState(CheckoutState.Idle, '', 'button');
    this.#preload();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'facepay-checkout': FacePayCheckout;
  }
  interface HTMLElementEventMap extends FacePayEventMap {}
}
