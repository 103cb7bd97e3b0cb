// Output formats and filters of the CLI (cli-runtime.md §3, §6.4, §6.5, §7),
// pure functions that the commands call.

export { fieldIndex, isPrivateName, selectFields, type OutputField } from "./fields.js";
export { MISSING_CELL, formatTable, headerPeriod, resolveColumn, type ColumnKind, type TableCell, type TableColumn, type TableOptions } from "./table.js";
export { tailFormatter, type TailFormatter, type TailOptions } from "./tail.js";
export { checkTimeRange, parseTime } from "./time.js";
export { parseWhere, parseWheres, type TuplePredicate, type WhereFilter, type WhereOperator } from "./where.js";
