import type { FunctionEntry } from "../entry.js";

export const entries: readonly FunctionEntry[] = [];
