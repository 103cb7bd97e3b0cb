// Which names each clause may use (raql.md §4.12 and the clause sections of
// §4): the variables allowed, where bare names go, whether stateful
// functions are allowed, and how the clause is named in messages.

import type { Variable } from "../grammar/ast.js";

export type ClauseKind =
  | "select"
  | "where"
  | "groupBy"
  | "commit"
  | "notify"
  | "sortUntil"
  | "sortBy"
  | "every"
  | "runIf"
  | "read";

export interface ClauseRules {
  /** "WHERE clause", for messages */
  readonly label: string;
  /** variables that may be written explicitly (`in.x`, `param.x`…) */
  readonly variables: readonly Variable[];
  /** bare names may designate output fields: none, those defined earlier (SELECT), or all */
  readonly bareOutput: "none" | "earlier" | "all";
  /** where a bare name goes when it is neither a record field, a parameter, a global nor an output field */
  readonly bareFallback: "in" | "env";
  readonly statefulAllowed: boolean;
}

const TUPLE_VARS: readonly Variable[] = ["in", "out", "local_last_out", "global_last_out", "group_state"];

export const CLAUSES: Readonly<Record<ClauseKind, ClauseRules>> = {
  select: {
    label: "SELECT clause",
    variables: [...TUPLE_VARS, "param", "env", "global"],
    bareOutput: "earlier",
    bareFallback: "in",
    statefulAllowed: true,
  },
  where: {
    label: "WHERE clause",
    variables: ["in", "local_last_out", "global_last_out", "group_state", "param", "env", "global"],
    bareOutput: "none",
    bareFallback: "in",
    statefulAllowed: true,
  },
  groupBy: { label: "GROUP-BY clause", variables: ["in", "param", "env", "global"], bareOutput: "none", bareFallback: "in", statefulAllowed: false },
  commit: {
    label: "commit clause",
    variables: [...TUPLE_VARS, "param", "env", "global"],
    bareOutput: "all",
    bareFallback: "in",
    statefulAllowed: true,
  },
  notify: { label: "notification", variables: ["in", "out", "param", "env", "global"], bareOutput: "all", bareFallback: "in", statefulAllowed: false },
  sortUntil: {
    label: "SORT-UNTIL clause",
    variables: ["sort_first", "sort_smallest", "sort_greatest", "param", "env", "global"],
    bareOutput: "none",
    bareFallback: "in",
    statefulAllowed: false,
  },
  sortBy: { label: "SORT-BY clause", variables: ["in", "param", "env", "global"], bareOutput: "none", bareFallback: "in", statefulAllowed: false },
  every: { label: "EVERY clause", variables: ["param", "env", "global"], bareOutput: "none", bareFallback: "in", statefulAllowed: false },
  runIf: { label: "running condition", variables: ["param", "env"], bareOutput: "none", bareFallback: "env", statefulAllowed: false },
  read: { label: "READ clause", variables: ["param", "env", "global"], bareOutput: "none", bareFallback: "env", statefulAllowed: false },
};

