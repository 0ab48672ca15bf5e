// Where a multi-target job spent its time, from the helper's own events (`--json` lines): for each phase, when
// the first and the last target entered it and how long it took (median and longest over the targets; a phase
// runs until the target's next phase or its done event). Phases that start far apart across targets point at
// serialization; one that is long everywhere, at the medium or the CPU.

export interface TimedLine {
  kind: string;
  time: string;
  target?: string;
  phase?: string;
}

interface PhaseSpan {
  phase: string;
  from: number;
  to: number;
}

/** Each target's phases as [from, to) spans in seconds since `t0` (ms since the epoch). */
export function phaseSpans(lines: TimedLine[], t0: number): Map<string, PhaseSpan[]> {
  const out = new Map<string, PhaseSpan[]>();
  for (const l of lines) {
    if (!l.target) continue;
    const at = (Date.parse(l.time) - t0) / 1000;
    const spans = out.get(l.target) ?? [];
    const open = spans.at(-1);
    if (l.kind === 'phase' && l.phase) {
      if (open && open.to < 0) open.to = at;
      spans.push({ phase: l.phase, from: at, to: -1 });
      out.set(l.target, spans);
    } else if ((l.kind === 'target-done' || l.kind === 'target-failed') && open && open.to < 0) {
      open.to = at;
    }
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One line per phase: "phase: enters 1.2–9.8 s, takes 3.1 s (longest 4.0)". */
export function phaseTimeline(lines: TimedLine[], t0: number): string[] {
  const spans = [...phaseSpans(lines, t0).values()].flat().filter((s) => s.to >= 0);
  const order = [...new Set(spans.map((s) => s.phase))];
  return order.map((p) => {
    const of = spans.filter((s) => s.phase === p);
    const starts = of.map((s) => s.from);
    const takes = of.map((s) => s.to - s.from);
    return `${p}: enters ${Math.min(...starts).toFixed(1)}–${Math.max(...starts).toFixed(1)} s, takes ${median(takes).toFixed(1)} s (longest ${Math.max(...takes).toFixed(1)})`;
  });
}
