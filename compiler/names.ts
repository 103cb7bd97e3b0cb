// Program names in FROM clauses (raql.md §3.6, cli-runtime.md §2): relative
// `../` names, and the `#suffix` of program instances.

/** A program name split at its first `#`: `p#s` → {base: "p", suffix: "s"}. */
export function splitSuffix(name: string): { base: string; suffix?: string } {
  const hash = name.indexOf("#");
  return hash < 0 ? { base: name } : { base: name.slice(0, hash), suffix: name.slice(hash + 1) };
}

export interface ResolvedProgramName {
  /** the parent program as it runs: `a/b`, `a/b#s`, or `a/b#_` for every instance */
  readonly program: string;
  /** the source program (no suffix): what to look up in the lib paths */
  readonly source: string;
}

/**
 * Resolves the program part of a parent name written in the program named
 * `current`. Returns undefined when the name is invalid (climbs above the
 * root, or has empty, `.` or `..` components once simplified).
 */
export function resolveProgramName(current: string, written: string): ResolvedProgramName | undefined {
  const cur = splitSuffix(current);
  const { base, suffix } = splitSuffix(written);
  let path: string[];
  if (base === ".." || base.startsWith("../")) {
    // The relative name is appended to the current program's name as if it were a directory.
    path = cur.base.split("/");
    for (const part of base.split("/")) {
      if (part === "..") {
        if (path.length === 0) return undefined;
        path.pop();
      } else path.push(part);
    }
  } else {
    path = base.replace(/^\/+/, "").split("/");
  }
  if (path.length === 0 || path.some((p) => p === "" || p === "." || p === "..")) return undefined;
  const source = path.join("/");
  // `p#` takes the child's own suffix; `p#_` stands for every instance.
  const effectiveSuffix = suffix === "" ? cur.suffix : suffix;
  return { program: effectiveSuffix === undefined ? source : source + "#" + effectiveSuffix, source };
}
