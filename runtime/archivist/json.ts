// Checking the shape of the archivist's JSON files, with messages naming the
// file and the offending key (archivistWrongType, archivistUnknownKey).

import { RamenError } from "../../grammar/diagnostics.js";

export type JsonObject = Readonly<Record<string, unknown>>;

export class JsonChecker {
  constructor(readonly path: string) {}

  wrongType(what: string, expected: string, got: unknown): RamenError {
    return RamenError.of("archivistWrongType", { path: this.path, what, expected, got: describeJson(got) });
  }

  object(value: unknown, what: string): JsonObject {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw this.wrongType(what, "a JSON object", value);
    }
    return value as JsonObject;
  }

  /** Reject keys other than `allowed`, so that a misspelt key is not silently ignored. */
  onlyKeys(object: JsonObject, allowed: readonly string[], where: string): void {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) {
        throw RamenError.of("archivistUnknownKey", {
          path: this.path,
          key: JSON.stringify(key),
          where,
          allowed: allowed.join(", "),
        });
      }
    }
  }

  number(value: unknown, what: string): number {
    if (typeof value !== "number") throw this.wrongType(what, "a number", value);
    return value;
  }

  nonNegative(value: unknown, what: string): number {
    const n = this.number(value, what);
    if (n < 0) throw this.wrongType(what, "a non-negative number", value);
    return n;
  }

  optionalNumber(object: JsonObject, key: string, what: string): number | undefined {
    return object[key] === undefined ? undefined : this.number(object[key], what);
  }

  boolean(value: unknown, what: string): boolean {
    if (typeof value !== "boolean") throw this.wrongType(what, "true or false", value);
    return value;
  }

  strings(value: unknown, what: string): string[] {
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      throw this.wrongType(what, "an array of strings", value);
    }
    return value as string[];
  }
}

/** A short rendering of a JSON value for messages. */
export function describeJson(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}
