import type { Params, Trial } from "@rlvr/tuner";

export function branin(x1: number, x2: number): number;
export function burn(iterations: number): number;
export function braninObjective(
  params: Params,
  trial: Trial,
  options?: { readonly delayMs?: number; readonly offset?: number; readonly work?: number },
): Promise<number>;
export function cpuObjective(params: Params, trial: Trial, options?: { readonly iterations?: number }): number;
