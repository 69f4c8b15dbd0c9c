// The daily goal the reward services and the WeChat step target share.

export const GOAL_STEPS = 8000;

/** `goal` is optional without a default parameter: Espruino cannot parse those. */
export function reachedGoal(steps: number, goal?: number): boolean {
  return steps >= (goal === undefined ? GOAL_STEPS : goal);
}
