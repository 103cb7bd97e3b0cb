import { describe, expect, it } from "vitest";
import { resolveProgramName, splitSuffix } from "../../compiler/names.js";

// Expected names are those of the table of raql.md §3.6 and cli-runtime.md §2.
describe("parent program names", () => {
  it("appends relative names to the current program's full name", () => {
    expect(resolveProgramName("a/b/this", "../q")).toEqual({ program: "a/b/q", source: "a/b/q" });
    expect(resolveProgramName("this", "../q")).toEqual({ program: "q", source: "q" });
    expect(resolveProgramName("a/this", "../../q")).toEqual({ program: "q", source: "q" });
    expect(resolveProgramName("children/child", "../x")).toEqual({ program: "children/x", source: "children/x" });
    expect(resolveProgramName("a/b/this", "..")).toEqual({ program: "a/b", source: "a/b" });
  });

  it("keeps other names absolute, never relative to the current directory", () => {
    expect(resolveProgramName("a/b/this", "q")).toEqual({ program: "q", source: "q" });
    expect(resolveProgramName("a/b/this", "x/y")).toEqual({ program: "x/y", source: "x/y" });
    expect(resolveProgramName("a/this", "/x/y")).toEqual({ program: "x/y", source: "x/y" });
  });

  it("resolves instance suffixes", () => {
    expect(resolveProgramName("a/this", "p#s")).toEqual({ program: "p#s", source: "p" });
    // `#` alone takes the child's suffix, or none
    expect(resolveProgramName("a/this#blue", "p#")).toEqual({ program: "p#blue", source: "p" });
    expect(resolveProgramName("a/this", "p#")).toEqual({ program: "p", source: "p" });
    // `#_` is every instance
    expect(resolveProgramName("a/this#blue", "p#_")).toEqual({ program: "p#_", source: "p" });
    // suffixes combine with relative names; the current suffix is not part of the directory
    expect(resolveProgramName("a/b/this#blue", "../q#")).toEqual({ program: "a/b/q#blue", source: "a/b/q" });
    expect(resolveProgramName("a/b/this#blue", "../q#_")).toEqual({ program: "a/b/q#_", source: "a/b/q" });
  });

  it("rejects names climbing above the root or with empty components", () => {
    expect(resolveProgramName("this", "../../q")).toBeUndefined();
    expect(resolveProgramName("a/this", "x//y")).toBeUndefined();
    expect(resolveProgramName("a/this", "x/./y")).toBeUndefined();
  });

  it("splits suffixes at the first #", () => {
    expect(splitSuffix("p")).toEqual({ base: "p" });
    expect(splitSuffix("a/p#x")).toEqual({ base: "a/p", suffix: "x" });
    expect(splitSuffix("p#")).toEqual({ base: "p", suffix: "" });
  });
});
