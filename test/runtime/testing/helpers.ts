// Shared by the tests of runtime/testing: test files as SourceFiles, the
// examples of test-format.md §5, and the RamenError a call throws.

import { readFileSync } from "node:fs";
import { RamenError } from "../../../grammar/diagnostics.js";
import { SourceFile } from "../../../grammar/source.js";

export const SPEC_PATH = "/work/shared/spec/test-format.md";

/** The code block that follows the line `` `<name>`: `` in test-format.md §5. */
export function specExample(name: string): string {
  const spec = readFileSync(SPEC_PATH, "latin1");
  const at = spec.indexOf("`" + name + "`:\n");
  if (at < 0) throw new Error(`no example ${name} in ${SPEC_PATH}`);
  const m = /```\n([\s\S]*?)```/.exec(spec.slice(at));
  if (!m) throw new Error(`no code block after ${name}`);
  return m[1]!;
}

export function source(text: string, path = "/tests/t.test"): SourceFile {
  return new SourceFile(path, text);
}

export function thrown(f: () => unknown): RamenError {
  try {
    f();
  } catch (e) {
    if (e instanceof RamenError) return e;
    throw e;
  }
  throw new Error("expected a RamenError");
}

/** `<file>:<line>:<col>: <message>` of the first diagnostic of an error. */
export function positioned(e: RamenError): string {
  const d = e.diagnostics[0]!;
  const { line, column } = d.source!.position(d.span!.start);
  return `${d.source!.path}:${line}:${column}: ${d.message}`;
}
