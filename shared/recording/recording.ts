/**
 * An accelerometer recording in the project's recording format: one row per sample,
 * time in milliseconds since the recording started, axes in raw counts (8192 = 1 g, gravity included).
 * Columns are kept as separate arrays so a day-long recording does not allocate an object per sample.
 */
export interface Recording {
  t: number[];
  x: number[];
  y: number[];
  z: number[];
}
