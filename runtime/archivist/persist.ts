// Retentions from the functions' own source (archival.md §4.3.2): the
// `PERSIST FOR … [QUERYING EVERY …]` clause of every function of the running
// configuration, parameters replaced by the running instance's values.

import { durationSeconds, instanceParams, valueToJson } from "../../compiler/ir.js";
import type { DurationIR, FunctionIR, ProgramIR } from "../../compiler/ir.js";
import { Diagnostic, diag } from "../../grammar/diagnostics.js";
import { runningPrograms } from "../supervisor/defined.js";
import type { RunEntry } from "../supervisor/state.js";
import { DEFAULT_PERIOD, Retention } from "./config.js";

/**
 * fq → retention of each function of one running program that has a
 * `PERSIST FOR` clause. A parameter whose value is not a duration (NULL, or
 * negative) is an error, and the function gets no retention from its source.
 */
export function programRetentions(
  entry: Pick<RunEntry, "program" | "params">,
  ir: { readonly params: ProgramIR["params"]; readonly functions: readonly Pick<FunctionIR, "name" | "retention">[] },
): { retentions: Map<string, Retention>; diagnostics: Diagnostic[] } {
  const retentions = new Map<string, Retention>();
  const diagnostics: Diagnostic[] = [];
  const params = instanceParams(ir.params, entry.params);
  for (const fn of ir.functions) {
    if (!fn.retention) continue;
    const fq = `${entry.program}/${fn.name}`;
    const seconds = (clause: string, duration: DurationIR): number | undefined => {
      const value = durationSeconds(duration, params);
      if (value === undefined && duration.kind === "param") {
        const given = params[duration.name];
        diagnostics.push(diag("archivistRetentionParam", { name: fq, clause, param: duration.name, value: JSON.stringify(given === undefined ? null : valueToJson(given)) }));
      }
      return value;
    };
    const duration = seconds("PERSIST FOR", fn.retention.duration);
    const period = fn.retention.queryPeriod ? seconds("QUERYING EVERY", fn.retention.queryPeriod) : DEFAULT_PERIOD;
    if (duration !== undefined && period !== undefined) retentions.set(fq, { duration, period });
  }
  return { retentions, diagnostics };
}

/** The retentions of every program of the running configuration of a state directory. */
export function persistRetentions(stateDir: string): { retentions: Map<string, Retention>; diagnostics: Diagnostic[] } {
  const retentions = new Map<string, Retention>();
  const diagnostics: Diagnostic[] = [];
  for (const { entry, ir } of runningPrograms(stateDir)) {
    const program = programRetentions(entry, ir);
    for (const [fq, retention] of program.retentions) retentions.set(fq, retention);
    diagnostics.push(...program.diagnostics);
  }
  return { retentions, diagnostics };
}
