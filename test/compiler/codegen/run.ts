// Evaluating generated expressions in tests: the generated module (hoisted
// declarations once, then a function of one row) is built with `new Function`,
// with the module-level names generated code expects, and leaves reading the
// row as an array of values.

import { castValue } from "../../../stdlib/cast.js";
import { entryOf } from "../../../stdlib/registry.js";
import type { ImplCall } from "../../../stdlib/entry.js";
import type { Value } from "../../../stdlib/values.js";
import { functionBody, generateExpr, IdentifierPool, type ExprEnv, type GeneratedExpr, type RuntimeHook } from "../../../compiler/codegen/expr.js";
import type { TExpr } from "../../../compiler/ir.js";

export type RuntimeHooks = Partial<Pick<ImplCall, RuntimeHook>>;

/** An environment whose `in` fields are `row[index]`, and whose hooks are those given (read from `rt`). */
export function rowEnv(hooks: RuntimeHooks): ExprEnv {
  const runtime: ExprEnv["runtime"] = {};
  for (const k of Object.keys(hooks) as RuntimeHook[]) if (hooks[k] !== undefined) runtime[k] = `rt.${k}`;
  const unused = (what: string) => () => {
    throw new Error(`test expressions read no ${what}`);
  };
  return {
    ids: new IdentifierPool(),
    field: (_variable, index) => `row[${index}]`,
    whole: unused("whole tuple"),
    param: unused("parameter"),
    envVar: unused("environment variable"),
    global: unused("global"),
    state: unused("state"),
    runtime,
  };
}

export interface Compiled {
  readonly generated: GeneratedExpr;
  readonly evaluate: (row: readonly Value[]) => Value;
}

export function compile(e: TExpr, hooks: RuntimeHooks = {}): Compiled {
  const generated = generateExpr(e, rowEnv(hooks));
  const source = `${generated.hoisted.join("\n")}\nreturn (row) => {\n${functionBody(generated)}\n};`;
  const factory = new Function("entryOf", "castValue", "rt", source) as (...a: unknown[]) => (row: readonly Value[]) => Value;
  return { generated, evaluate: factory(entryOf, castValue, hooks) };
}
