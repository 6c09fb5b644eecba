import type { Summary } from './stats.js';

/**
 * The shape of `bench/results.json`. `schema` changes whenever a field changes meaning,
 * so saved results from different versions are never compared by mistake.
 */
export const RESULTS_SCHEMA = 1;

export type Unit = 'ms' | 'fps' | 'frames' | 'count' | 'bytes' | 'score' | 'req/s' | 'ops/s' | 'text';

/** One figure: a distribution (`summary`), a single number (`value`) or a word (`text`). */
export interface Row {
  /** Stable within its section; goals and ratios refer to it. */
  key: string;
  label: string;
  unit: Unit;
  summary?: Summary;
  value?: number;
  text?: string;
  /** This row's median (or value) over another row's, both from the same run. */
  ratio?: { to: string; value: number };
  note?: string;
}

export const SectionStatus = {
  Ok: 'ok',
  /** The packages it measures are not in this checkout, or the section is still to be written. */
  NotAvailable: 'not-available',
  Failed: 'failed',
} as const;
export type SectionStatus = (typeof SectionStatus)[keyof typeof SectionStatus];

export interface SectionResult {
  id: string;
  title: string;
  status: SectionStatus;
  /** Why it is not available, or what failed. */
  reason?: string;
  durationMs: number;
  rows: Row[];
}

/** A target the figures are held against; reported, never asserted. */
export interface Goal {
  id: string;
  text: string;
  section: string;
  row: string;
  /** Which figure of the row: its median, its single value, or its ratio. */
  measure: 'median' | 'value' | 'ratio';
  atMost?: number;
  atLeast?: number;
}

export const GoalStatus = { Met: 'met', Missed: 'missed', NotAvailable: 'not-available' } as const;
export type GoalStatus = (typeof GoalStatus)[keyof typeof GoalStatus];

export interface GoalResult extends Goal {
  status: GoalStatus;
  measured?: number;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  /** 1-minute load average at the start and the end: how busy the shared machine was. */
  loadAverage: { start: number; end: number };
  os: string;
  node: string;
  chromium: string;
}

export interface BenchResults {
  schema: typeof RESULTS_SCHEMA;
  startedAt: string;
  durationMs: number;
  machine: Machine;
  options: Record<string, unknown>;
  sections: SectionResult[];
  goals: GoalResult[];
}
