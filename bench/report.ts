import { GoalStatus, SectionStatus, type BenchResults, type GoalResult, type Row, type Unit } from './results.js';

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'ms':
      return `${value.toFixed(value < 100 ? 1 : 0)} ms`;
    case 'fps':
      return `${value.toFixed(1)} fps`;
    case 'bytes':
      return value >= 1e6 ? `${(value / 1e6).toFixed(2)} MB` : `${(value / 1e3).toFixed(1)} kB`;
    case 'score':
      return value.toFixed(2);
    case 'req/s':
    case 'ops/s':
      return `${Math.round(value)} ${unit}`;
    default:
      return String(Math.round(value));
  }
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

function rowCells(row: Row): string[] {
  const main = row.summary ? formatValue(row.summary.median, row.unit) : row.value !== undefined ? formatValue(row.value, row.unit) : (row.text ?? '');
  return [
    row.label,
    main,
    row.summary ? formatValue(row.summary.p95, row.unit) : '',
    row.summary ? String(row.summary.n) : '',
    row.ratio ? `×${row.ratio.value.toFixed(2)}` : '',
    row.note ?? '',
  ].map(cell);
}

function goalMeasured(goal: GoalResult, results: BenchResults): string {
  if (goal.measured === undefined) return '';
  if (goal.measure === 'ratio') return `×${goal.measured.toFixed(3)} (${((goal.measured - 1) * 100).toFixed(1)} %)`;
  const unit = results.sections.find((s) => s.id === goal.section)?.rows.find((r) => r.key === goal.row)?.unit ?? 'count';
  return formatValue(goal.measured, unit);
}

const STATUS: Record<GoalStatus, string> = { met: 'met', missed: '**missed**', 'not-available': 'not available' };

/** The results as markdown: machine, goals, then one table per section. */
export function markdown(results: BenchResults): string {
  const m = results.machine;
  const o = results.options;
  const lines = [
    '# facepay benchmark',
    '',
    `${results.startedAt} · ${m.cpu} · ${m.cores} cores · ${m.memoryGiB} GiB · ${m.os} · Node ${m.node} · ${m.chromium} · ` +
      `load average ${m.loadAverage.start.toFixed(2)} → ${m.loadAverage.end.toFixed(2)} · ${(results.durationMs / 1000).toFixed(0)} s`,
    '',
    `${String(o.samples)} frames per comparison (+${String(o.warmup)} warm-up), ${String(o.seconds)} s real-time runs, ` +
      `${String(o.visits)} start-up pairs; medians and nearest-rank p95; ratios against baselines from this run.`,
    '',
    '## Goals',
    '',
    '| goal | measured | status |',
    '|---|---|---|',
    ...results.goals.map((g) => `| ${cell(g.text)} | ${goalMeasured(g, results)} | ${STATUS[g.status]} |`),
  ];
  for (const section of results.sections) {
    lines.push('', `## ${section.title}`, '');
    if (section.status !== SectionStatus.Ok) {
      lines.push(`${section.status === SectionStatus.Failed ? '**Failed**' : 'Not available'}: ${section.reason ?? ''}`);
      continue;
    }
    lines.push('| metric | median | p95 | n | ratio | note |', '|---|---|---|---|---|---|');
    for (const row of section.rows) lines.push(`| ${rowCells(row).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
