// Planning a replay (archival.md §6.2): the cheapest set of archived
// functions whose rows, replayed through the live workers along some links,
// rebuild a target's output over a range. A pure function of the running
// graph and of each function's archive coverage.

import type { ArchiveRange } from "../archivist/stats.js";

/** What the planner needs to know of the running functions. */
export interface ReplayGraph {
  parents(fq: string): readonly string[];
  /** the covered ranges of the function's archive (the growing one reaching now) */
  coverage(fq: string): readonly ArchiveRange[];
  /** BEST AFTER of the function, seconds (0 without) */
  bestAfter(fq: string): number;
}

/** One way to rebuild a function's output: what it covers, from which archives, through which links. */
export interface ReplayWay {
  /** disjoint ranges, sorted */
  readonly covered: readonly (readonly [number, number])[];
  readonly sources: ReadonlySet<string>;
  /** `parent child` pairs the channel flows through */
  readonly links: ReadonlySet<string>;
}

export interface ReplayPlan extends ReplayWay {
  /** the covered fraction of the range, in [0, 1] */
  readonly coverage: number;
}

export const linkKey = (parent: string, child: string): string => `${parent}\u0000${child}`;

/** The union of ranges, as sorted disjoint ranges. */
function union(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = [...ranges].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

const span = (ranges: readonly (readonly [number, number])[]): number => ranges.reduce((s, [a, b]) => s + (b - a), 0);
const sameRanges = (x: readonly (readonly [number, number])[], y: readonly (readonly [number, number])[]) =>
  x.length === y.length && x.every((r, i) => r[0] === y[i]![0] && r[1] === y[i]![1]);

/** ways(F, [s, u)) of §6.2, never visiting a function twice on a path. */
function ways(graph: ReplayGraph, fq: string, s: number, u: number, path: ReadonlySet<string>): ReplayWay[] {
  const out: ReplayWay[] = [];
  const local = union(graph.coverage(fq).map(([a, b]) => [Math.max(a, s), Math.min(b, u)] as [number, number]));
  if (local.length > 0) out.push({ covered: local, sources: new Set([fq]), links: new Set() });
  const parents = graph.parents(fq).filter((p) => !path.has(p));
  if (parents.length === 0) return out;
  const sBefore = s - graph.bestAfter(fq);
  const inner = new Set([...path, fq]);
  const perParent = parents.map((p) => ways(graph, p, sBefore, u, inner));
  if (perParent.some((w) => w.length === 0)) return out;
  // The Cartesian product of one way per parent; for equal coverage, the fewest sources and links.
  let combos: ReplayWay[] = [{ covered: [], sources: new Set(), links: new Set() }];
  perParent.forEach((choices, i) => {
    const next: ReplayWay[] = [];
    for (const c of combos) {
      for (const w of choices) {
        next.push({
          covered: union([...c.covered, ...w.covered]),
          sources: new Set([...c.sources, ...w.sources]),
          links: new Set([...c.links, ...w.links, linkKey(parents[i]!, fq)]),
        });
      }
    }
    combos = next;
  });
  const kept: ReplayWay[] = [];
  for (const c of combos) {
    const twin = kept.findIndex((k) => sameRanges(k.covered, c.covered));
    if (twin < 0) kept.push(c);
    else if (c.sources.size + c.links.size < kept[twin]!.sources.size + kept[twin]!.links.size) kept[twin] = c;
  }
  return [...out, ...kept];
}

/**
 * The plan of least cost `ln(2 + |links|) / coverage` (ties: fewer sources,
 * then the first found), or undefined when nothing covers any of the range.
 */
export function planReplay(graph: ReplayGraph, target: string, since: number, until: number): ReplayPlan | undefined {
  let best: (ReplayPlan & { cost: number }) | undefined;
  for (const w of ways(graph, target, since, until, new Set())) {
    const inRange = union(w.covered.map(([a, b]) => [Math.max(a, since), Math.min(b, until)] as [number, number]));
    const coverage = until > since ? span(inRange) / (until - since) : 1;
    if (coverage <= 0) continue;
    const cost = Math.log(2 + w.links.size) / coverage;
    if (!best || cost < best.cost || (cost === best.cost && w.sources.size < best.sources.size)) best = { ...w, coverage, cost };
  }
  if (!best) return undefined;
  const { cost: _cost, ...plan } = best;
  return plan;
}
