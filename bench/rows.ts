import type { Row, Unit } from './results.js';
import { summarize } from './stats.js';

export function distribution(key: string, label: string, unit: Unit, samples: readonly number[], note?: string): Row {
  return { key, label, unit, summary: summarize(samples), ...(note ? { note } : {}) };
}

export function single(key: string, label: string, unit: Unit, value: number, note?: string): Row {
  return { key, label, unit, value, ...(note ? { note } : {}) };
}

export function text(key: string, label: string, value: string, note?: string): Row {
  return { key, label, unit: 'text', text: value, ...(note ? { note } : {}) };
}

/** The figure a row stands for: its median, else its value. */
export function figure(row: Row): number | undefined {
  return row.summary?.median ?? row.value;
}

/** Sets `row.ratio` to its figure over the base row's, both measured in this run. */
export function ratio(row: Row, base: Row): Row {
  const a = figure(row);
  const b = figure(base);
  return a === undefined || b === undefined || b === 0 ? row : { ...row, ratio: { to: base.key, value: a / b } };
}
