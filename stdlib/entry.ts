// The shape of one entry of the stdlib registry: everything about one
// built-in function or operator in one place — how it is written, how it is
// typed, what it does with NULLs and units, which state it keeps, how it is
// computed, its documentation and its test vectors (stdlib/vectors/NAME.json).
// The parser, printer, checker, code generator, `ramen functions` and the
// tests all read these entries; none keeps its own list of functions.

import type { CallOptions, Lifespan, NullHandling } from "../grammar/ast.js";
import type { MessageArgs, MessageKey } from "../grammar/diagnostics.js";
import type { Span } from "../grammar/source.js";
import type { NType } from "../grammar/types.js";
import type { Units } from "../grammar/units.js";
import type { Value } from "./values.js";

export type StateKind = "stateless" | "agg" | "seq" | "gen";

/** How the function is written (raql.md §5.1, §5.4). */
export type Syntax =
  /** `NAME(a, b, …)`; with exactly one argument also `NAME term` */
  | {
      readonly kind: "function";
      readonly arities: readonly number[];
      readonly variadic?: boolean;
      /**
       * Synonyms (lower-case) that need more arguments than `arities` allows:
       * `MAX(a, b)` is GREATEST but `MAX x` is the aggregate (raql.md §6.2).
       */
      readonly minArgsByName?: Readonly<Record<string, number>>;
    }
  /** a binary operator at a precedence level of §5.1 (1 = OR … 8 = ^) */
  | { readonly kind: "infix"; readonly op: string; readonly level: number; readonly rightAssoc?: boolean }
  /** `NOT x`, `-x`, `BEGIN OF x` */
  | { readonly kind: "prefix"; readonly op: string }
  /** `x IS NULL` */
  | { readonly kind: "postfix"; readonly op: string }
  /** `NOW`, `PI`, `#start` */
  | { readonly kind: "nullary"; readonly word: string }
  /**
   * A syntax of its own (LARGEST … BY …, p PERCENTILE x, PAST, TOP…), parsed by
   * a dedicated grammar rule; `params` names the positional arguments of the
   * resulting Call (optional ones may be null), `template` shows the syntax.
   */
  | { readonly kind: "keyword"; readonly template: string; readonly params: readonly string[] };

/** What the checker knows of one argument when it types a call. */
export interface ArgInfo {
  readonly type: NType;
  readonly units?: Units;
  /** a literal or a parameter: its value is known before run time */
  readonly isConstant: boolean;
  /** the value, when the argument is a literal (parameters' values may change per instance) */
  readonly constValue?: Value;
  readonly span: Span;
  /** text of the argument as written, for messages ("bytes_opt must not be nullable") */
  readonly text: string;
}

/** What a typing rule receives, and how it reports problems. */
export interface TypingCall {
  readonly fn: string;
  readonly args: readonly (ArgInfo | null)[];
  readonly lifespan?: Lifespan;
  readonly nulls?: NullHandling;
  readonly options?: CallOptions;
  /** the effective lifespan once defaults are applied (§4.10), for stateful entries */
  readonly effectiveLifespan?: Lifespan;
  /** Reports an error on argument `i` (or on the whole call) and stops typing this call. */
  fail(at: number | "call", key: MessageKey, args?: MessageArgs, notes?: readonly string[]): never;
  /** Reports a warning and goes on. */
  warn(at: number | "call", key: MessageKey, args?: MessageArgs): void;
  /**
   * Asks the code generator to convert argument `i` to `to` before the call
   * (numeric promotions, `ip4` to `ip`, flexible integers fixed at a width).
   */
  convert(i: number, to: NType): void;
}

export interface TypingResult {
  readonly type: NType;
  /** when undefined, the unit rule of the entry applies */
  readonly units?: Units;
}

export type TypingRule = (call: TypingCall) => NType | TypingResult;

/**
 * Unit propagation (raql.md §2.7): a named rule, or a function of the
 * arguments' units (undefined = unknown). Unit conflicts are warnings only.
 */
export type UnitRule =
  | "none"
  | "same-as-first"
  | "same"
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "dimensionless-arg"
  | "seconds"
  | "seconds-rel"
  | "dimensionless"
  | ((units: readonly (Units | undefined)[]) => Units | undefined);

/** An implementation over plain JS values (stdlib/values.ts). */
export interface StatelessImpl {
  readonly kind: "stateless";
  /**
   * Receives NULL arguments only when `passNulls` is set (COALESCE, IS NULL,
   * three-valued AND/OR…); otherwise any NULL argument makes the result NULL
   * without calling `apply`. May itself return NULL (SQRT of a negative).
   */
  readonly passNulls?: boolean;
  readonly apply: (args: readonly Value[], call: ImplCall) => Value;
  /**
   * Optional: the JS expression the code generator inlines instead of calling
   * `apply`, given the JS expressions of the (non-null) arguments.
   */
  readonly inline?: (args: readonly string[], call: ImplCall) => string | undefined;
}

/** An aggregate or sequence function: a state with init / update / finalize. */
export interface StatefulImpl<S = unknown> {
  readonly kind: "stateful";
  /** A fresh state. Constant arguments (window sizes, percentiles…) are known here. */
  readonly init: (call: ImplCall) => S;
  /**
   * Feeds one input: `args` are all the arguments' values for this tuple.
   * With SKIP NULLS (the default) the caller does not call `update` when a
   * non-constant argument is NULL; with KEEP NULLS it passes the NULL on.
   * Mutates and returns `state`, or returns a new state.
   */
  readonly update: (state: S, args: readonly Value[], call: ImplCall) => S;
  /** The current result. Must not change the state. */
  readonly finalize: (state: S, call: ImplCall) => Value;
  /**
   * Aggregates (state "agg") only: IMMEDIATELY mode (raql.md §4.10), where the
   * function folds the items of one list/vector value instead of a sequence
   * of tuples. The code generator calls it, instead of init/update/finalize,
   * when the call's effective lifespan is "immediately". `args` are the call's
   * argument values with the list (possibly NULL) in the aggregated operand's
   * place; `call.argTypes` has the list's type there. It applies the call's
   * SKIP/KEEP NULLS to the items and returns NULL for a NULL list.
   */
  readonly immediate?: (args: readonly Value[], call: ImplCall) => Value;
  /**
   * Optional: the same state machine as JS code templates that generated code
   * splices into its per-tuple loops (see InlineStateful). Called once per call
   * site at compile time; undefined means "not inlinable for this call" (KEEP
   * NULLS, composite or 128-bit types…): use init / update / finalize then.
   * Only for calls over a sequence of tuples, never IMMEDIATELY.
   */
  readonly inline?: (call: ImplCall) => InlineStateful | undefined;
}

/**
 * How one state variable of an inlined stateful function is stored, chosen so
 * that the code generator can keep a state either in plain `let` locals (one
 * state) or in one typed array per variable indexed by group number
 * (struct-of-arrays), with the same behaviour:
 *
 * | storage | typed array   | values written and read                      |
 * |---------|---------------|----------------------------------------------|
 * | f64     | Float64Array  | any number                                   |
 * | i32     | Int32Array    | integers in [-2^31, 2^31)                     |
 * | u32     | Uint32Array   | integers in [0, 2^32)                         |
 * | bool    | Uint8Array    | the numbers 0 and 1 (not JS booleans)          |
 * | i64     | BigInt64Array | bigints in [-2^63, 2^63)                      |
 * | u64     | BigUint64Array| bigints in [0, 2^64)                          |
 *
 * Templates only ever write values of the stated range, so that a typed
 * array never converts what it stores and both layouts read back exactly
 * what was written.
 */
export type InlineStorage = "f64" | "i32" | "u32" | "bool" | "i64" | "u64";

/** One state variable of an inlined stateful function. */
export interface InlineVar {
  /** unique within its InlineStateful; the code generator picks the actual identifier */
  readonly name: string;
  readonly storage: InlineStorage;
  /**
   * When present, the variable is a ring of this many slots (≥ 1, fixed at
   * compile time from constant arguments: MOVEAVG's k, LAG's k…), each slot
   * stored as `storage`: per group, `slots` consecutive typed-array elements.
   */
  readonly slots?: number;
}

/** What the code generator gives templates to refer to the state and to name temporaries. */
export interface InlineRefs {
  /** An lvalue expression of scalar variable `name` (e.g. `sum_3` or `sum_3[g]`). */
  scalar(name: string): string;
  /**
   * An lvalue expression of slot `index` of ring `name`; `index` is a JS
   * expression evaluating to an integer in [0, slots), possibly evaluated
   * several times (e.g. `ring_3[i]` or `ring_3[g * 10 + i]`).
   */
  slot(name: string, index: string): string;
  /** A fresh identifier, distinct from every other identifier of the generated function. */
  fresh(hint: string): string;
}

/**
 * A stateful function's state machine as JS templates, semantically equal to
 * the entry's init / update / finalize for one call site with SKIP NULLS.
 * Contract between the templates and the code generator:
 *
 * - The state is exactly `vars`; nothing else survives between tuples. The
 *   generator allocates them per state (locals, or typed-array elements).
 * - `init` gives statements setting every variable and every ring slot: run
 *   when a state is created (global state, new group) and when it is reset
 *   (FLUSH of a LOCALLY state). Until then variables hold nothing meaningful.
 * - `update` gives statements feeding one tuple. `args[i]` is a JS expression
 *   of argument i's value after the typing's conversions (an omitted argument
 *   is "null"), never NULL: with SKIP NULLS the generator does not run update
 *   when a non-constant argument is NULL. Argument expressions must be free
 *   of side effects, cheap, and atomic (identifiers, literals, parenthesized
 *   expressions), since a template may evaluate them several times or not at
 *   all and splices them next to operators. Values are represented as in
 *   stdlib/values.ts (bool as a JS boolean, ints of ≤ 32 bits as numbers,
 *   wider ones as bigints).
 * - `value` gives the expression of the current result (stdlib/values.ts
 *   representation of call.resultType); `isNull` an expression true when the
 *   result is NULL (absent: never NULL). Both are pure, may be evaluated any
 *   number of times, and `value` is meaningful only when `isNull` is false
 *   (evaluating it is still safe). When call.resultType is not nullable,
 *   `isNull` is false after any update: a state read only after it was fed
 *   (as in SELECT) needs no test.
 * - Statements are self-contained (balanced braces) and declare only
 *   identifiers obtained from `refs.fresh`, so several templates can be
 *   spliced in one function body. They refer to no global but the standard
 *   built-ins (Math, Number, BigInt).
 */
export interface InlineStateful {
  readonly vars: readonly InlineVar[];
  readonly init: (refs: InlineRefs) => string;
  readonly update: (refs: InlineRefs, args: readonly string[]) => string;
  readonly value: (refs: InlineRefs) => string;
  readonly isNull?: (refs: InlineRefs) => string;
}

/** A generator (SPLIT): yields zero or more values per input. */
export interface GeneratorImpl {
  readonly kind: "generator";
  readonly generate: (args: readonly Value[], call: ImplCall) => Iterable<Value>;
}

export type Impl = StatelessImpl | StatefulImpl | GeneratorImpl;

/** Typed facts about one call site, fixed at compile time. */
export interface ImplCall {
  /** argument types after conversion, and the result type */
  readonly argTypes: readonly (NType | null)[];
  readonly resultType: NType;
  readonly nulls: NullHandling;
  readonly options: CallOptions;
  /** values of constant arguments (null where not constant) */
  readonly constants: readonly (Value | undefined)[];
  /** for functions of time (#start default): not used by most entries */
  readonly random?: () => number;
  /**
   * Run-time context of the nullary values (raql.md §6.1), provided by the
   * worker: `now` gives the wall-clock UNIX time in seconds (NOW; defaults to
   * the system clock), `eventStart`/`eventStop` the event times of the output
   * being computed (#start, #stop; required where those are used). RANDOM
   * reads `random` (defaults to Math.random).
   */
  readonly now?: () => number;
  readonly eventStart?: () => number;
  readonly eventStop?: () => number;
  /**
   * PRINT: receives the values to log, in order, with their types in
   * `argTypes`; the worker formats them (raql.md §6.11) into its log.
   * Without it PRINT only returns its last argument.
   */
  readonly print?: (values: readonly Value[]) => void;
}

export interface FunctionEntry {
  /** canonical lower-case name: the `fn` of AST Call nodes */
  readonly name: string;
  /** every name a user may write for it, case-insensitive (for "function" syntax) */
  readonly names: readonly string[];
  readonly syntax: Syntax;
  readonly state: StateKind;
  readonly deterministic: boolean;
  /** the "Null" column of raql.md §6 */
  readonly nullRule: "prop" | "always" | "never" | "item" | "custom";
  /** one line, e.g. "num -> type of x" */
  readonly signature: string;
  readonly doc: string;
  /** RaQL examples shown by `ramen functions`, e.g. `ABS(-2.5) = 2.5` */
  readonly examples: readonly string[];
  readonly typing: TypingRule;
  readonly units: UnitRule;
  /** the default alias of `F x` in SELECT (raql.md §4.2), e.g. (x) => "min_" + x */
  readonly defaultAlias?: (argAlias: string, call: { readonly constants: readonly (Value | undefined)[] }) => string | undefined;
  readonly impl: Impl;
  /**
   * A time argument that defaults to `#start` (DERIVE, REMEMBER, EVERY, PAST,
   * TOP…): when argument `index` is omitted (null, or beyond the written
   * arguments) the checker fills it with a call to `event_start` before
   * typing, so implementations always receive a time there. With `onlyWith`,
   * the default applies only when argument `onlyWith` is present (TOP decays
   * with `#start` only when FOR is given).
   */
  readonly defaultTime?: { readonly index: number; readonly onlyWith?: number };
}
