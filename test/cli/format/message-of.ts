import { expect } from "vitest";
import { RamenError } from "../../../grammar/diagnostics.js";

/** The message of the RamenError `f` throws (fails when it throws nothing or something else). */
export function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RamenError);
    return (e as RamenError).message;
  }
  throw new Error("no error");
}
