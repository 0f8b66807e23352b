import { describe, expect, it } from "vitest";
import { createPolicy } from "./policy.js";
import { fitBehaviorModel, fitRewardModel, greedyPolicy } from "./reward-model.js";
import { createToolRoutingEnvironment } from "./tool-routing-environment.js";
import { buildTrainingData } from "./training-data.js";

const env = createToolRoutingEnvironment();
const FEATURIZER = { dimension: 4096 } as const;
const logs = env.generateLogs({ n: 20000, seed: 31 }).dataset;

describe("fitted models", () => {
  it("the reward model recovers the exact expected rewards", () => {
    const model = fitRewardModel(logs, { featurizer: FEATURIZER });
    let err = 0;
    let n = 0;
    for (const c of env.contexts()) {
      const q = env.expectedRewards(c.context);
      const qhat = model.predict(c.context);
      for (let a = 0; a < q.length; a++) {
        err += Math.abs(q[a]! - qhat[a]!);
        n++;
      }
    }
    expect(err / n).toBeLessThan(0.06); // measured 0.047 (noisy features and distractors)
    const greedy = greedyPolicy(model);
    const c = env.contexts()[0]!.context;
    const lp = greedy.logProbs(c);
    const best = Array.from(model.predict(c)).indexOf(Math.max(...model.predict(c)));
    expect(Array.from(lp, Math.exp)).toEqual(Array.from(lp, (_, a) => (a === best ? 1 : 0)));
    expect(greedy.act(c, { allowedActions: [env.actions[(best + 1) % 4]!] }).action).toBe(
      env.actions[(best + 1) % 4],
    );
  });

  it("the behavior model recovers the logging policy's probabilities", () => {
    const W = new Float64Array(65 * 4);
    W[64 * 4 + 1] = Math.log(7);
    const behavior = createPolicy({ actions: env.actions, featurizer: { dimension: 64 }, weights: W });
    const behaviorLogs = env.generateLogs({ n: 10000, seed: 32, behavior }).dataset;
    const model = fitBehaviorModel(behaviorLogs, { featurizer: FEATURIZER });
    // averaged over the context distribution (single contexts carry the noise of ~30 draws each)
    const mean = [0, 0, 0, 0];
    for (const c of env.contexts()) {
      const p = model.logProbs(c.context);
      for (let a = 0; a < 4; a++) mean[a]! += c.probability * Math.exp(p[a]!);
    }
    expect(mean[1]).toBeCloseTo(0.7, 1);
    for (const a of [0, 2, 3]) expect(Math.abs(mean[a]! - 0.1)).toBeLessThan(0.02);
  });

  it("is deterministic and validates its inputs", () => {
    const data = buildTrainingData(logs.examples.slice(0, 2000), { featurizer: FEATURIZER });
    const a = fitRewardModel(data, { featurizer: FEATURIZER, epochs: 1 });
    const b = fitRewardModel(data, { featurizer: FEATURIZER, epochs: 1 });
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(() => fitRewardModel(data, { featurizer: { dimension: 8 } })).toThrow(/feature rows/);
    expect(() => fitRewardModel(data, { featurizer: FEATURIZER, epochs: 0 })).toThrow(/epochs/);
    expect(() => fitBehaviorModel(data, { featurizer: FEATURIZER, learningRate: 0 })).toThrow(/learningRate/);
  });
});
