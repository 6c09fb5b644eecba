import { css } from 'lit';

export const styles = css`
  :host {
    --facepay-accent: #1769e0;
    --facepay-on-accent: #ffffff;
    --facepay-surface: #ffffff;
    --facepay-text: #1b1f24;
    --facepay-muted: #4a5562;
    --facepay-danger: #b3261e;
    --facepay-success: #146c2e;
    --facepay-outline: #ffffff;
    --facepay-radius: 12px;
    --facepay-font: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    display: block;
    max-width: 420px;
    font-family: var(--facepay-font);
    color: var(--facepay-text);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --facepay-accent: #7fb0ff;
      --facepay-on-accent: #0b1a33;
      --facepay-surface: #15181c;
      --facepay-text: #eef1f5;
      --facepay-muted: #b8c1cc;
      --facepay-danger: #ffb4ab;
      --facepay-success: #8fd9a0;
    }
  }
  :host([theme='light']) {
    --facepay-accent: #1769e0;
    --facepay-on-accent: #ffffff;
    --facepay-surface: #ffffff;
    --facepay-text: #1b1f24;
    --facepay-muted: #4a5562;
    --facepay-danger: #b3261e;
    --facepay-success: #146c2e;
  }
  :host([theme='dark']) {
    --facepay-accent: #7fb0ff;
    --facepay-on-accent: #0b1a33;
    --facepay-surface: #15181c;
    --facepay-text: #eef1f5;
    --facepay-muted: #b8c1cc;
    --facepay-danger: #ffb4ab;
    --facepay-success: #8fd9a0;
  }
  [part='base'] {
    background: var(--facepay-surface);
    border-radius: var(--facepay-radius);
    padding: 12px;
  }
  button {
    font: inherit;
    font-weight: 600;
    min-height: 44px;
    padding: 10px 18px;
    border-radius: calc(var(--facepay-radius) - 4px);
    border: 2px solid var(--facepay-accent);
    cursor: pointer;
  }
  button:focus-visible,
  [tabindex='-1']:focus-visible {
    outline: 3px solid var(--facepay-accent);
    outline-offset: 2px;
  }
  .primary {
    background: var(--facepay-accent);
    color: var(--facepay-on-accent);
    width: 100%;
  }
  .secondary {
    background: transparent;
    color: var(--facepay-text);
  }
  [part='stage'] {
    position: relative;
    aspect-ratio: 3 / 4;
    overflow: hidden;
    border-radius: var(--facepay-radius);
    background: #000;
  }
  video {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: cover;
    /* A selfie preview is mirrored, as people expect from a front camera. */
    transform: scaleX(-1);
  }
  [part='outline'] {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
  }
  [part='outline'] .mask {
    fill: rgba(0, 0, 0, 0.45);
  }
  [part='outline'] .oval {
    fill: none;
    stroke: var(--facepay-outline);
    stroke-width: 1.2;
    transition: stroke-dashoffset 300ms ease;
  }
  [part='outline'] .ring {
    fill: none;
    stroke: var(--facepay-accent);
    stroke-width: 1.6;
    transition: stroke-dasharray 300ms ease;
  }
  [part='prompt'] {
    margin: 12px 0 4px;
    font-size: 1.25rem;
    font-weight: 700;
    text-align: center;
  }
  [part='status'] {
    margin: 4px 0;
    text-align: center;
    color: var(--facepay-muted);
  }
  [part='progress'] {
    display: flex;
    gap: 6px;
    justify-content: center;
    list-style: none;
    padding: 0;
    margin: 8px 0;
  }
  [part='progress'] li {
    width: 28px;
    height: 6px;
    border-radius: 3px;
    background: var(--facepay-muted);
    opacity: 0.4;
  }
  [part='progress'] li[data-done] {
    background: var(--facepay-accent);
    opacity: 1;
  }
  [part='progress'] li[aria-current='step'] {
    background: var(--facepay-accent);
    opacity: 0.7;
  }
  [part='actions'] {
    display: flex;
    gap: 8px;
    justify-content: center;
    margin-top: 8px;
  }
  .result[data-kind='success'] {
    color: var(--facepay-success);
  }
  .result[data-kind='failed'],
  .result[data-kind='error'] {
    color: var(--facepay-danger);
  }
  .privacy {
    font-size: 0.85rem;
    color: var(--facepay-muted);
    text-align: center;
    margin: 6px 0 0;
  }
  .spinner {
    width: 28px;
    height: 28px;
    margin: 12px auto;
    border-radius: 50%;
    border: 3px solid var(--facepay-muted);
    border-top-color: var(--facepay-accent);
    animation: spin 0.9s linear infinite;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation: none;
    }
    [part='outline'] .oval,
    [part='outline'] .ring {
      transition: none;
    }
  }
`;
