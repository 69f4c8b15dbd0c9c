// PLACEHOLDER: the real detector is being written; the API below is fixed.
export class Pedometer {
  /** Steps counted since creation. */
  steps = 0;

  /**
   * Feed one sample. dtMs: milliseconds since the previous sample (0 for the first);
   * x, y, z: raw counts, 8192 = 1 g. Returns the steps newly counted by this sample
   * (can be more than 1 when a walk is confirmed and its held-back steps are credited).
   */
  push(dtMs: number, x: number, y: number, z: number): number {
    if (dtMs < 0 || x + y + z > 1e9) return 0;
    return 0;
  }
}
