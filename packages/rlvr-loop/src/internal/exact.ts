import type { Environment } from "../environment.js";
import { RlvrLoopError } from "../errors.js";
import type { Featurizer } from "../featurizer.js";
import type { TrainingData } from "../training-data.js";
import { ColumnarBuilder } from "./columnar.js";
import { linearPolicyProbs } from "./ope.js";

/**
 * Exact value of log-linear weights in an environment with a finite context set, with the contexts
 * featurized once: value(W) = Σ_x P(x) Σ_a π_W(a|x) E[r|x,a].
 */
export class ExactEvaluator {
  private readonly data: TrainingData;
  private readonly probability: Float64Array;
  private readonly q: Float64Array;
  private readonly pi: Float64Array;

  constructor(o: { environment: Environment; featurizer: Featurizer; actions: readonly string[] }) {
    const { environment: env, featurizer, actions } = o;
    if (typeof env.contexts !== "function" || typeof env.expectedRewards !== "function") {
      throw new RlvrLoopError(
        "UNSUPPORTED",
        `environment ${JSON.stringify(env.name)} has no finite context set (contexts and expectedRewards), so it has no exact value; use validation.metric "auto" or "none"`,
      );
    }
    const contexts = env.contexts();
    const A = actions.length;
    const builder = new ColumnarBuilder(actions, featurizer);
    const index = new Map(actions.map((a, i) => [a, i]));
    const mask = new Uint8Array(A);
    const example = {
      action: 0,
      reward: 0,
      behaviorProb: Number.NaN,
      weight: 1,
      allowed: null as Uint8Array | null,
    };
    this.probability = new Float64Array(contexts.length);
    this.q = new Float64Array(contexts.length * A);
    contexts.forEach((c, j) => {
      builder.beginGroup();
      builder.setContext(c.context);
      let m: Uint8Array | null = null;
      if (c.allowedActions) {
        mask.fill(0);
        for (const name of c.allowedActions) {
          const a = index.get(name);
          if (a !== undefined) mask[a] = 1;
        }
        m = mask;
      }
      example.allowed = m;
      builder.addExample(example);
      this.probability[j] = c.probability;
      this.q.set(env.expectedRewards!(c.context), j * A);
    });
    this.data = builder.finish(true);
    this.pi = new Float64Array(contexts.length * A);
  }

  value(W: Float64Array): number {
    const A = this.data.actions.length;
    linearPolicyProbs(W, this.data, this.pi);
    let v = 0;
    for (let j = 0; j < this.probability.length; j++) {
      let s = 0;
      for (let a = 0; a < A; a++) s += this.pi[j * A + a]! * this.q[j * A + a]!;
      v += this.probability[j]! * s;
    }
    return v;
  }
}
