// The daily goal the reward services and the WeChat step target share.

export const GOAL_STEPS = 8000;

