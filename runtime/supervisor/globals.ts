// DECLAREd global variables (raql.md §3.3): maps shared by the functions of
// a program (PROGRAM scope) or of the site (SITE scope), while each function
// runs on a thread of its own and a JS Map cannot be shared between threads.
//
// Each function holds a replica of every global its program declares. A
// write (MAPADD) applies to the replica at once and is queued; the worker
// sends the queue to the supervisor once per input message (never per
// tuple), and the supervisor, which keeps the reference copy, applies it and
// sends it to every function of the scope, the writer included. Every
// replica therefore applies the writes of the scope in the supervisor's
// order and ends equal; a function sees another's write a moment later
// (two messages), like a write of another process would be. A function
// started or restarted gets the reference copy.
//
// On a replay channel, globals are read, and writes are ignored
// (archival.md §6.5).

import type { GlobalIR } from "../../compiler/ir.js";
import type { Value } from "../../stdlib/values.js";

/** One write: the global's scope key, the map key, the value. */
export type GlobalWrite = readonly [key: string, mapKey: Value, value: Value];

/** What a task gets of a global its program declares: its name in the program, scope key, current entries. */
export interface GlobalSpec {
  readonly name: string;
  readonly key: string;
  readonly entries: readonly (readonly [Value, Value])[];
}

/** The key naming a global among every scope of the supervisor. */
export function globalKey(global: GlobalIR, program: string): string {
  return global.scope === "site" ? `site\u0000${global.name}` : `program\u0000${program}\u0000${global.name}`;
}

/** A function's replica of one global: writes also go to `written`. */
export class GlobalReplica extends Map<Value, Value> {
  private written: ((key: string, mapKey: Value, value: Value) => void) | undefined;

  constructor(
    readonly key: string,
    entries: readonly (readonly [Value, Value])[],
    written: (key: string, mapKey: Value, value: Value) => void,
  ) {
    super();
    for (const [k, v] of entries) super.set(k, v);
    this.written = written;
  }

  override set(mapKey: Value, value: Value): this {
    super.set(mapKey, value);
    // undefined while the Map constructor runs
    this.written?.(this.key, mapKey, value);
    return this;
  }

  /** A write of the scope, as ordered by the supervisor. */
  apply(mapKey: Value, value: Value): void {
    super.set(mapKey, value);
  }
}

/** A global as a replay channel sees it: the live replica's entries; its writes are ignored. */
export class ReplayGlobalView extends Map<Value, Value> {
  constructor(private readonly live: ReadonlyMap<Value, Value>) {
    super();
  }

  override get(mapKey: Value): Value | undefined {
    return this.live.get(mapKey);
  }

  override has(mapKey: Value): boolean {
    return this.live.has(mapKey);
  }

  override get size(): number {
    return this.live.size;
  }

  override set(_mapKey: Value, _value: Value): this {
    return this;
  }

  override entries(): MapIterator<[Value, Value]> {
    return this.live.entries();
  }

  override keys(): MapIterator<Value> {
    return this.live.keys();
  }

  override values(): MapIterator<Value> {
    return this.live.values();
  }

  override forEach(callback: (value: Value, key: Value, map: Map<Value, Value>) => void): void {
    this.live.forEach((v, k) => callback(v, k, this));
  }

  override [Symbol.iterator](): MapIterator<[Value, Value]> {
    return this.live.entries();
  }
}

/** The supervisor's reference copies. */
export class GlobalStore {
  private readonly maps = new Map<string, Map<Value, Value>>();

  /** What a function of `program` gets of its program's globals. */
  specsOf(globals: readonly GlobalIR[], program: string): GlobalSpec[] {
    return globals.map((g) => {
      const key = globalKey(g, program);
      return { name: g.name, key, entries: [...(this.maps.get(key) ?? [])] };
    });
  }

  apply(writes: readonly GlobalWrite[]): void {
    for (const [key, mapKey, value] of writes) {
      let m = this.maps.get(key);
      if (!m) this.maps.set(key, (m = new Map()));
      m.set(mapKey, value);
    }
  }
}
