import { describe, expect, it } from "vitest";
import { progressBar } from "../../cli/progress.js";

function terminal(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, write: (s: string) => written.push(s), written };
}

describe("progressBar", () => {
  it("draws how far the rows went in the range, at most every 100 ms, and erases itself", () => {
    const out = terminal(true);
    let clock = 0;
    const bar = progressBar(100, 200, out, () => clock);
    clock = 1000;
    bar.update(150);
    bar.update(190); // too soon after the last drawing
    clock = 1200;
    bar.update(175);
    bar.done();
    expect(out.written).toEqual([
      `\r[${"#".repeat(15)}${" ".repeat(15)}] 50%`,
      `\r[${"#".repeat(23)}${" ".repeat(7)}] 75%`,
      `\r${" ".repeat(38)}\r`,
    ]);
  });

  it("writes nothing when stderr is not a terminal, or the range is unbounded", () => {
    const pipe = terminal(false);
    const bar = progressBar(0, 10, pipe, () => 1e6);
    bar.update(5);
    bar.done();
    const tty = terminal(true);
    const unbounded = progressBar(-Infinity, 10, tty, () => 1e6);
    unbounded.update(5);
    unbounded.done();
    expect([...pipe.written, ...tty.written]).toEqual([]);
  });
});
