// Replicas of DECLAREd globals (runtime/supervisor/globals.ts): writes queued
// for the supervisor, its order applied everywhere, scopes kept apart, and
// replay channels reading without writing.

import { describe, expect, it } from "vitest";
import { T, notNull } from "../../../grammar/types.js";
import { GlobalReplica, GlobalStore, type GlobalWrite, ReplayGlobalView, globalKey } from "../../../runtime/supervisor/globals.js";
import type { Value } from "../../../stdlib/values.js";

const mapType = notNull(T.map(notNull(T.string), notNull(T.string)));
const site = { name: "seen", type: mapType, scope: "site" as const };
const program = { name: "mine", type: mapType, scope: "program" as const };

describe("DECLAREd globals", () => {
  it("name site globals alike in every program, program globals per program", () => {
    expect(globalKey(site, "p")).toBe(globalKey(site, "q"));
    expect(globalKey(program, "p")).not.toBe(globalKey(program, "q"));
    expect(globalKey(program, "p")).not.toBe(globalKey({ ...site, name: "mine" }, "p"));
  });

  it("converge to the supervisor's order whatever each replica wrote first", () => {
    const store = new GlobalStore();
    const key = globalKey(site, "p");
    const queued: GlobalWrite[][] = [[], []];
    const replicas = [0, 1].map((i) => new GlobalReplica(key, [], (k, mapKey, value) => queued[i]!.push([k, mapKey, value])));
    replicas[0]!.set("x", "from 0");
    replicas[1]!.set("x", "from 1");
    // Each sees its own write at once.
    expect([replicas[0]!.get("x"), replicas[1]!.get("x")]).toEqual(["from 0", "from 1"]);
    // The supervisor got replica 1's message first: it applies both, in that order, everywhere.
    const ordered = [...queued[1]!, ...queued[0]!];
    store.apply(ordered);
    for (const r of replicas) for (const [, mapKey, value] of ordered) r.apply(mapKey, value);
    expect(replicas.map((r) => r.get("x"))).toEqual(["from 0", "from 0"]);
    expect(store.specsOf([site], "q")).toEqual([{ name: "seen", key, entries: [["x", "from 0"]] }]);
    // apply() is not a write of this function: nothing more is queued.
    expect(queued.map((q) => q.length)).toEqual([1, 1]);
  });

  it("start a replica with the current entries, without queuing them", () => {
    const queued: GlobalWrite[] = [];
    const r = new GlobalReplica("k", [["a", "1"]], (...w) => queued.push(w));
    expect([...r]).toEqual([["a", "1"]]);
    expect(queued).toEqual([]);
  });

  it("let a replay read the live entries and drop its writes", () => {
    const live = new GlobalReplica("k", [["a", "1"]], () => {
      throw new Error("a replay wrote to the live global");
    });
    const view = new ReplayGlobalView(live);
    view.set("a", "2");
    view.set("b", "3");
    live.apply("c", "4");
    expect([view.get("a"), view.get("b"), view.get("c"), view.size, view.has("b")]).toEqual(["1", undefined, "4", 2, false]);
    expect([...view] as [Value, Value][]).toEqual([...live]);
  });
});
