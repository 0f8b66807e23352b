import type { RlvrExample } from "@rlvr/dataset";
import { describe, expect, it } from "vitest";
import { evaluate } from "./evaluation.js";
import { createPolicy } from "./policy.js";
import { createPolicyScorer } from "./policy-scorer.js";
import { fitRewardModel } from "./reward-model.js";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";
import { train } from "./train.js";
import { buildTrainingData } from "./training-data.js";

const env = createToolRoutingEnvironment();
const FEATURIZER = { dimension: 4096 } as const;
const trainLogs = env.generateLogs({ n: 2000, seed: 31 }).dataset.examples;
const heldOut = env.generateLogs({ n: 800, seed: 32 }).dataset.examples;
const strip = (xs: readonly RlvrExample[]) => xs.map(({ behaviorProb: _p, ...e }) => e);
const build = (xs: readonly RlvrExample[]) =>
  buildTrainingData(xs, { featurizer: FEATURIZER, actions: env.actions });

describe("createPolicyScorer", async () => {
  const trainData = build(trainLogs);
  const rewardModel = fitRewardModel(trainData, { featurizer: FEATURIZER, actions: env.actions, seed: 2 });
  const trained = (
    await train(trainLogs, { actions: [...env.actions], featurizer: FEATURIZER, epochs: 2, seed: 4 })
  ).policy;
  const untrained = createPolicy({ actions: env.actions, featurizer: FEATURIZER });

  it("gives exactly evaluate's estimates of the policy, with logged propensities", () => {
    const scorer = createPolicyScorer(build(heldOut), { rewardModel, resamples: 300, seed: 9 });
    for (const policy of [trained, untrained]) {
      const reference = evaluate(policy, heldOut, { rewardModel, resamples: 300, seed: 9 }).policy;
      expect(scorer.score(policy)).toEqual(reference);
    }
  });

  it("gives exactly evaluate's estimates when the behavior model is fitted on training data", () => {
    const scorer = createPolicyScorer(build(strip(heldOut)), {
      rewardModel,
      trainingData: build(strip(trainLogs)),
      resamples: 200,
      seed: 3,
    });
    const reference = evaluate(trained, strip(heldOut), {
      rewardModel,
      trainingData: strip(trainLogs),
      resamples: 200,
      seed: 3,
    });
    expect(reference.behaviorSource).toBe("fitted-on-training");
    expect(scorer.score(trained)).toEqual(reference.policy);
  });

  it("scores the same from its nuisance values in another realm (structured clone, as to a worker)", () => {
    const scorer = createPolicyScorer(build(heldOut), { rewardModel, resamples: 200, seed: 1 });
    const copy = structuredClone({ data: scorer.data, nuisance: scorer.nuisance });
    const again = createPolicyScorer(copy.data, { nuisance: copy.nuisance, resamples: 200, seed: 1 });
    expect(again.score(trained)).toEqual(scorer.score(trained));
    // scoring does not change with the order of calls (its buffer is reused)
    const a = scorer.score(untrained);
    scorer.score(trained);
    expect(scorer.score(untrained)).toEqual(a);
  });

  it("rejects bad options and policies that do not fit the data", () => {
    const data = build(heldOut);
    expect(() => createPolicyScorer(data)).toThrow(/rewardModel or a nuisance/);
    expect(() => createPolicyScorer(data, { rewardModel, resamples: 10 })).toThrow(/resamples/);
    expect(() =>
      createPolicyScorer(data, { nuisance: { propensity: new Float64Array(3), qhat: new Float64Array(0) } }),
    ).toThrow(/nuisance.propensity/);
    const scorer = createPolicyScorer(data, { rewardModel, resamples: 200 });
    const other = createPolicy({ actions: ["x", "y"], featurizer: FEATURIZER });
    expect(() => scorer.score(other)).toThrow(/actions .* differ/);
    const wide = createPolicy({ actions: env.actions, featurizer: { dimension: 8192 } });
    expect(() => scorer.score(wide)).toThrow(/weights/);
  });
});
