// An independent answer to the allocation problem (archival.md §4.3–4.7) for
// small cases, by exhaustive search instead of Z3, working on the raw JSON of
// the test vectors. Only the site `local`, no PERSIST FOR, no retries.
//
// Why the search is complete: a function's share matters only through the
// thresholds `perc ≥ need[F,i]`, and the second objective minimises Σ perc,
// so an optimal share is 0 or one of the function's needs.

export interface RawStats {
  parents: string[];
  is_running: boolean;
  min_etime?: number;
  max_etime?: number;
  bytes?: number;
  cpu?: number;
}

export interface RawConfig {
  size_limit: number;
  recall_cost?: number;
  retentions?: Record<string, { duration: number; period?: number }>;
}

/** Glob with `*` (any run) and `?` (one character), by recursion rather than a RegExp. */
export function globMatches(pattern: string, name: string): boolean {
  if (pattern === "") return name === "";
  if (pattern[0] === "*") {
    for (let skip = 0; skip <= name.length; skip++) if (globMatches(pattern.slice(1), name.slice(skip))) return true;
    return false;
  }
  if (name === "") return false;
  return (pattern[0] === "?" || pattern[0] === name[0]) && globMatches(pattern.slice(1), name.slice(1));
}

interface Fn {
  name: string;
  parents: number[];
  rs: number;
  cc: number;
  /** retention duration, 0 if none */
  duration: number;
  period: number;
  running: boolean;
  matchedByConfig: boolean;
}

/** fq → bytes, or undefined when no allocation satisfies the constraints. Throws when the optimum is not unique. */
export function referenceAllocations(config: RawConfig, stats: Record<string, RawStats>): Record<string, number> | undefined {
  const recallCost = config.recall_cost ?? 1e-6;
  const rules = Object.entries(config.retentions ?? {});
  // inclusion: running functions and their ancestors
  const included = new Set<string>();
  const visit = (fq: string) => {
    if (included.has(fq)) return;
    included.add(fq);
    for (const p of stats[fq]?.parents ?? []) visit(p);
  };
  for (const [fq, s] of Object.entries(stats)) if (s.is_running) visit(fq);
  const names = [...included].sort();
  const fns: Fn[] = names.map((fq) => {
    const s = stats[fq] ?? { parents: [], is_running: false };
    const span = s.min_etime !== undefined && s.max_etime !== undefined ? s.max_etime - s.min_etime : 0;
    const rule = rules.find(([pattern]) => globMatches(pattern, fq));
    let duration = 0;
    let period = 600;
    if (rule) {
      duration = rule[1].duration;
      period = rule[1].period ?? 600;
    } else if (rules.length === 0 && s.parents.length === 0) {
      duration = 3600;
    }
    return {
      name: fq,
      parents: [...new Set(s.parents)].map((p) => names.indexOf(p)),
      rs: span > 0 ? (s.bytes ?? 0) / span : 100,
      cc: span > 0 ? (s.cpu ?? 0) / span : 0.5,
      duration,
      period,
      running: s.is_running,
      matchedByConfig: rule !== undefined && rule[1].duration > 0,
    };
  });
  const durations = [...new Set(fns.map((f) => f.duration).filter((d) => d > 0))].sort((a, b) => a - b);
  const need = fns.map((f) => durations.map((d) => Math.ceil((d * f.rs * 100) / config.size_limit)));
  const recall = fns.map((f) => durations.map((d) => Math.ceil(recallCost * f.rs * d)));
  const own = fns.map((f) => durations.map((d) => Math.ceil(f.cc * d)));

  const choices = fns.map((_, f) => [0, ...new Set(need[f]!.filter((n) => n > 0 && n <= 100))]);
  let best: { cost: number; total: number; percs: number[] } | undefined;
  let ties = 0;
  const percs: number[] = [];
  const evaluate = () => {
    const memo = new Map<string, number>();
    const cost = (f: number, i: number): number => {
      const key = `${f},${i}`;
      const cached = memo.get(key);
      if (cached !== undefined) return cached;
      let c: number;
      if (percs[f]! >= need[f]![i]!) c = recall[f]![i]!;
      else if (fns[f]!.parents.length === 0) c = Infinity;
      else c = own[f]![i]! + fns[f]!.parents.reduce((acc, p) => acc + cost(p, i), 0);
      memo.set(key, c);
      return c;
    };
    let daily = 0;
    for (let f = 0; f < fns.length; f++) {
      if (fns[f]!.duration === 0) continue;
      const c = cost(f, durations.indexOf(fns[f]!.duration));
      if (c === Infinity) return;
      daily += Math.ceil(86400 / Math.max(1, fns[f]!.period)) * c;
    }
    const total = percs.reduce((a, b) => a + b, 0);
    if (!best || daily < best.cost || (daily === best.cost && total < best.total)) {
      best = { cost: daily, total, percs: [...percs] };
      ties = 0;
    } else if (daily === best.cost && total === best.total) {
      ties++;
    }
  };
  const search = (f: number, used: number) => {
    if (f === fns.length) return evaluate();
    for (const p of choices[f]!) {
      if (used + p > 100) continue;
      percs[f] = p;
      search(f + 1, used + p);
    }
  };
  search(0, 0);
  if (!best) return undefined;
  if (ties > 0) throw new Error("the reference found several optimal allocations: the case is ambiguous");
  let shares = best.percs;
  if (best.total === 0) shares = fns.map((f) => (f.running && f.matchedByConfig ? 1 : 0));
  const total = shares.reduce((a, b) => a + b, 0);
  const allocations: Record<string, number> = {};
  fns.forEach((f, i) => {
    allocations[f.name] = total === 0 ? 0 : Math.round((shares[i]! * config.size_limit) / total);
  });
  return allocations;
}
