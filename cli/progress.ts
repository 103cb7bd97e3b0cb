// A progress bar on stderr for long replays (issue 7; cli-runtime.md §6.5,
// §6.6): how far the rows received have gone in [since, until), by their
// event time. Only on a terminal — a command that succeeds writes nothing on
// stderr otherwise — at most ten times a second, erased when done.

export interface Progress {
  /** A row of event start `t` arrived. */
  update(t: number): void;
  /** Erases the bar (before a line is printed, and at the end). */
  done(): void;
}

const WIDTH = 30;
const NO_PROGRESS: Progress = { update: () => {}, done: () => {} };

export function progressBar(
  since: number,
  until: number,
  out: { isTTY?: boolean; write(s: string): unknown } = process.stderr,
  now: () => number = Date.now,
): Progress {
  if (!out.isTTY || !Number.isFinite(since) || !Number.isFinite(until) || until <= since) return NO_PROGRESS;
  let shown = false;
  let last = 0;
  return {
    update(t) {
      const at = now();
      if (at - last < 100) return;
      last = at;
      const fraction = Math.min(1, Math.max(0, (t - since) / (until - since)));
      const filled = Math.round(fraction * WIDTH);
      out.write(`\r[${"#".repeat(filled)}${" ".repeat(WIDTH - filled)}] ${Math.floor(fraction * 100)}%`);
      shown = true;
    },
    done() {
      if (shown) out.write(`\r${" ".repeat(WIDTH + 8)}\r`);
      shown = false;
    },
  };
}
