import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GroupTable } from "../../../runtime/engine/group-table.js";

describe("GroupTable", () => {
  it("finds, inserts and removes like a Map of key tuples", () => {
    // Few distinct values per part, so that keys collide and probing chains and removals interleave.
    const part = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -0, 2 ** 31, NaN));
    const key = fc.array(part, { minLength: 2, maxLength: 2 });
    const op = fc.oneof(fc.record({ kind: fc.constant("add" as const), key }), fc.record({ kind: fc.constant("remove" as const), key }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const table = new GroupTable(2);
        // The model keys by text, with -0 read as 0 (the same RaQL value).
        const text = (k: readonly number[]) => k.map((x) => (Object.is(x, -0) ? "0" : String(x))).join(",");
        const model = new Map<string, number>();
        let next = 0;
        const find = (k: readonly number[]) => {
          table.probe.set(k);
          return table.find();
        };
        for (const o of ops) {
          const g = find(o.key);
          expect(g).toBe(model.get(text(o.key)) ?? -1);
          if (o.kind === "add" && g < 0) {
            table.insert(next);
            model.set(text(o.key), next++);
          } else if (o.kind === "remove" && g >= 0) {
            table.remove(g);
            model.delete(text(o.key));
          }
          expect(table.size).toBe(model.size);
        }
        for (const [k, g] of model) expect(find(k.split(",").map(Number))).toBe(g);
      }),
      { numRuns: 300 },
    );
  });

  it("grows past its first capacity", () => {
    const table = new GroupTable(1);
    for (let g = 0; g < 10_000; g++) {
      table.probe[0] = g * 7;
      expect(table.find()).toBe(-1);
      table.insert(g);
    }
    for (let g = 0; g < 10_000; g += 3) {
      table.probe[0] = g * 7;
      table.remove(table.find());
    }
    for (let g = 0; g < 10_000; g++) {
      table.probe[0] = g * 7;
      expect(table.find()).toBe(g % 3 === 0 ? -1 : g);
    }
  });
});
