// `ramen test` without the runtime: test files read and validated, expected
// values compiled against a function's fields, and the checker of an output.

export { parseTestFile, kindName, type TestValue, type ParsedTestFile } from "./file.js";
export { readTestFile, testDescription, paramValue, DEFAULT_TIMEOUT, type TestDescription, type TestProgram, type TestParam, type TestOutput, type TupleSpec, type FieldSpec } from "./schema.js";
export { compileOutput, distance, isPrivateField, TOLERANCE, type CompiledOutput, type ExpectedTuple, type ExpectedField, type OutputField } from "./expect.js";
export { Checker, type CheckerOptions, type CheckerState } from "./checker.js";
