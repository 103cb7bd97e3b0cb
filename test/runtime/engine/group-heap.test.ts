import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GroupHeap } from "../../../runtime/engine/group-heap.js";

describe("GroupHeap", () => {
  it("keeps the least (or greatest) key on top through sets and removals", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), group: fc.nat(40), key: fc.integer({ min: -50, max: 50 }) }),
      fc.record({ kind: fc.constant("remove" as const), group: fc.nat(40) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(1 as const, -1 as const), fc.array(op, { maxLength: 200 }), (sign, ops) => {
        const heap = new GroupHeap(sign);
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === "set") {
            heap.set(o.group, o.key);
            model.set(o.group, o.key);
          } else {
            heap.remove(o.group);
            model.delete(o.group);
          }
          expect(heap.size).toBe(model.size);
          if (model.size > 0) {
            const best = sign > 0 ? Math.min(...model.values()) : Math.max(...model.values());
            expect(heap.topKey()).toBe(best);
            expect(model.get(heap.top())).toBe(best);
          }
        }
        // Draining gives every group once, in key order.
        const drained: number[] = [];
        while (heap.size > 0) {
          drained.push(heap.topKey() as number);
          heap.remove(heap.top());
        }
        const expected = [...model.values()].sort((a, b) => sign * (a - b));
        expect(drained).toEqual(expected);
      }),
    );
  });

  it("orders bigint keys", () => {
    const heap = new GroupHeap(1);
    heap.set(0, 5n);
    heap.set(1, 2n ** 63n);
    heap.set(2, -3n);
    expect(heap.top()).toBe(2);
    heap.set(2, 2n ** 64n);
    expect(heap.top()).toBe(0);
  });
});
