// One checker per `outputs` entry (test-format.md §4.2): it is fed the
// function's output tuples and decides success, failure or "still waiting",
// then words its verdict (§4.4). Time is whatever clock value the caller
// passes, in seconds, so the checker never reads the real clock.

import { Diagnostic, diag } from "../../grammar/diagnostics.js";
import { compareValues } from "../../stdlib/compare.js";
import { formatFloat, renderValue } from "../../stdlib/format.js";
import { Value } from "../../stdlib/values.js";
import { CompiledOutput, ExpectedTuple, OutputField, TOLERANCE, distance } from "./expect.js";

export type CheckerState = "running" | "success" | "failure";

export interface CheckerOptions {
  /** the clock value at the release (§4.1 step 8), in seconds */
  readonly startTime: number;
  /** multiplies the timeout (`--timeout-factor`), 1 by default */
  readonly timeoutFactor?: number;
}

/** The closest tuple seen so far for a present spec not matched yet. */
interface Closest {
  mismatches: number;
  total: number;
  /** the actual values of the spec's fields, in the spec's order */
  values: Value[] | undefined;
}

export class Checker {
  readonly fq: string;
  /** seconds, the timeout times the factor */
  readonly timeout: number;
  /** the clock value at which a still running checker finishes */
  readonly deadline: number;
  /** errors and warnings of the verdict, set once the checker has finished */
  readonly diagnostics: Diagnostic[] = [];

  private readonly fields: readonly OutputField[];
  private readonly present: readonly ExpectedTuple[];
  private readonly absent: readonly ExpectedTuple[];
  private readonly closest: (Closest | undefined)[];
  private unmatched: number;
  private tupleCount = 0;
  private current: CheckerState = "running";

  constructor(output: CompiledOutput, options: CheckerOptions) {
    this.fq = output.fq;
    this.fields = output.fields;
    this.present = output.present;
    this.absent = output.absent;
    this.timeout = output.timeout * (options.timeoutFactor ?? 1);
    this.deadline = options.startTime + this.timeout;
    this.closest = output.present.map(() => ({ mismatches: Infinity, total: Infinity, values: undefined }));
    this.unmatched = output.present.length;
    if (this.present.length === 0 && this.absent.length === 0) {
      this.diagnostics.push(diag("testNothingToCheck", { fq: this.fq }));
      this.current = "success";
    }
  }

  get state(): CheckerState {
    return this.current;
  }

  /** How many tuples were checked (tuples fed after the end are not). */
  get enumerated(): number {
    return this.tupleCount;
  }

  /**
   * Checks one output tuple (the public fields, in output order) received at
   * clock value `now`. Throws a RamenError when values cannot be compared.
   */
  feed(tuple: readonly Value[], now: number): CheckerState {
    if (this.tick(now) !== "running") return this.current;
    this.tupleCount++;
    for (const spec of this.absent) {
      if (isExactly(spec, tuple)) {
        this.diagnostics.push(diag("testForbiddenTuple", { fq: this.fq, ...countArgs(this.tupleCount), tuple: this.renderTuple(tuple) }));
        return this.finish("failure");
      }
    }
    for (let s = 0; s < this.present.length; s++) {
      const closest = this.closest[s];
      if (closest === undefined) continue;
      if (this.compare(this.present[s]!, tuple, closest)) {
        this.closest[s] = undefined;
        this.unmatched--;
      }
    }
    if (this.present.length > 0 && this.unmatched === 0) return this.finish("success");
    return this.current;
  }

  /** Lets time pass: at the deadline a running checker finishes with its verdict. */
  tick(now: number): CheckerState {
    if (this.current !== "running" || now < this.deadline) return this.current;
    if (this.unmatched === 0) return this.finish("success");
    if (this.tupleCount === 0) {
      this.diagnostics.push(diag("testNoTuple", { fq: this.fq, timeout: formatFloat(this.timeout) }));
    } else {
      this.present.forEach((spec, s) => {
        const closest = this.closest[s];
        if (closest !== undefined) this.diagnostics.push(diag("testNoMatch", { fq: this.fq, ...countArgs(this.tupleCount), spec: renderSpec(spec, closest.values) }));
      });
    }
    return this.finish("failure");
  }

  private finish(state: CheckerState): CheckerState {
    this.current = state;
    return state;
  }

  /** Whether `tuple` matches `spec`; otherwise remembers it in `closest` if it is closer. */
  private compare(spec: ExpectedTuple, tuple: readonly Value[], closest: Closest): boolean {
    let mismatches = 0;
    let total = 0;
    for (const f of spec) {
      const d = distance(f.value, tuple[f.index]!, f.type);
      if (!(d < TOLERANCE)) mismatches++;
      total += d;
    }
    if (mismatches === 0) return true;
    if (mismatches < closest.mismatches || (mismatches === closest.mismatches && total < closest.total)) {
      closest.mismatches = mismatches;
      closest.total = total;
      // Copied because the caller may reuse its tuple array.
      closest.values = spec.map((f) => tuple[f.index]!);
    }
    return false;
  }

  private renderTuple(tuple: readonly Value[]): string {
    return "{ " + this.fields.map((f, i) => `${f.name} => ${renderValue(tuple[i]!, f.type)}`).join("; ") + " }";
  }
}

/** Structural equality on the spec's fields, without tolerance (absent specs). */
function isExactly(spec: ExpectedTuple, tuple: readonly Value[]): boolean {
  for (const f of spec) if (compareValues(f.value, tuple[f.index]!) !== 0) return false;
  return true;
}

function countArgs(count: number): { count: number; tuples: string } {
  return { count, tuples: count === 1 ? "tuple" : "tuples" };
}

/** `{ city => "paris"; fahrenheit => 88.8 (had 88.7) }`: `had` only where the closest tuple differs. */
function renderSpec(spec: ExpectedTuple, had: readonly Value[] | undefined): string {
  const parts = spec.map((f, i) => {
    const expected = `${f.name} => ${renderValue(f.value, f.type)}`;
    if (had === undefined || distance(f.value, had[i]!, f.type) < TOLERANCE) return expected;
    return `${expected} (had ${renderValue(had[i]!, f.type)})`;
  });
  return "{ " + parts.join("; ") + " }";
}
