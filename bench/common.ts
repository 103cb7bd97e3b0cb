// What several benchmarks share.

import { T, notNull } from "../grammar/types.js";

/** Five numeric columns of a sensor reading: the rows several benchmarks build, write and read. */
export const SENSOR_FIELDS = [
  { name: "id", type: notNull(T.u32) },
  { name: "delta", type: notNull(T.i16) },
  { name: "temperature", type: notNull(T.float) },
  { name: "pressure", type: notNull(T.float) },
  { name: "sensor", type: notNull(T.u8) },
];
