// Source text and positions. Spans are byte offsets into the text as read
// (sources are read as latin1, so one JS char is one byte, raql.md §1.1);
// lines and columns are computed only when a diagnostic is printed.

export interface Span {
  /** offset of the first character */
  readonly start: number;
  /** offset just past the last character */
  readonly end: number;
}

export const NO_SPAN: Span = { start: 0, end: 0 };

export function spanUnion(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

export class SourceFile {
  private lineStarts: number[] | undefined;

  constructor(
    /** the path as the user gave it, used in messages */
    readonly path: string,
    /** bytes of the file, one char per byte */
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  /** The text of a 1-based line, without its line feed. */
  lineText(line: number): string {
    const starts = this.starts();
    const start = starts[line - 1] ?? this.text.length;
    const next = starts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, "");
  }
}
