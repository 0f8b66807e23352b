// Baseline for the sampler benchmark: TPE written the straightforward way (one object per kernel,
// bandwidths from an O(m) neighbour scan per observation, so O(m²) per parameter, a fresh normaliser
// per kernel and candidate). Same algorithm as the package's sampler for continuous parameters.
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";

function erf(x) {
  // Abramowitz-Stegun 7.1.26
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return s * y;
}
const cdf = (z) => 0.5 * (1 + erf(z / Math.SQRT2));

function weights(m) {
  if (m < 25) return new Array(m).fill(1);
  const n = m - 25;
  const ramp = Array.from({ length: n }, (_, i) => (n === 1 ? 1 / m : 1 / m + ((1 - 1 / m) * i) / (n - 1)));
  return [...ramp, ...new Array(25).fill(1)];
}

function kernels(obs, low, high) {
  const mus = [...obs, (low + high) / 2];
  const range = high - low;
  const ws = [...weights(obs.length), 1];
  const total = ws.reduce((a, b) => a + b, 0);
  const out = [];
  for (let i = 0; i < mus.length; i++) {
    let left = low;
    let right = high;
    for (let j = 0; j < mus.length; j++) {
      if (j === i) continue;
      if (mus[j] <= mus[i] && mus[j] > left) left = mus[j];
      if (mus[j] >= mus[i] && mus[j] < right) right = mus[j];
    }
    let sigma = i === mus.length - 1 ? range : Math.max(mus[i] - left, right - mus[i]);
    sigma = Math.min(range, Math.max(range / Math.min(100, 1 + mus.length), sigma));
    out.push({ mu: mus[i], sigma, weight: ws[i] / total });
  }
  return out;
}

function logDensity(ks, x, low, high) {
  const terms = ks.map((k) => {
    const z = (x - k.mu) / k.sigma;
    const norm = cdf((high - k.mu) / k.sigma) - cdf((low - k.mu) / k.sigma);
    return Math.log(k.weight) - 0.5 * z * z - Math.log(k.sigma * Math.sqrt(2 * Math.PI) * norm);
  });
  const max = Math.max(...terms);
  return max + Math.log(terms.reduce((a, t) => a + Math.exp(t - max), 0));
}

/** Suggest one trial: `history` is [{ params, value }], `space` { name: [low, high] }. */
export function naiveTpeSample(history, space, rng) {
  const sorted = [...history].sort((a, b) => a.value - b.value);
  const nBelow = Math.min(Math.ceil(0.1 * sorted.length), 25);
  const below = sorted.slice(0, nBelow);
  const above = sorted.slice(nBelow);
  const out = {};
  for (const [name, [low, high]] of Object.entries(space)) {
    const l = kernels(
      below.map((t) => t.params[name]),
      low,
      high,
    );
    const g = kernels(
      above.map((t) => t.params[name]),
      low,
      high,
    );
    let best;
    let bestScore = -Infinity;
    for (let c = 0; c < 24; c++) {
      let r = uniformFloat64(rng);
      let k = l[l.length - 1];
      for (const kk of l) {
        r -= kk.weight;
        if (r < 0) {
          k = kk;
          break;
        }
      }
      let x;
      do
        x =
          k.mu +
          k.sigma *
            Math.sqrt(-2 * Math.log(uniformFloat64(rng) || 1e-300)) *
            Math.cos(2 * Math.PI * uniformFloat64(rng));
      while (x < low || x > high);
      const score = logDensity(l, x, low, high) - logDensity(g, x, low, high);
      if (score > bestScore) {
        bestScore = score;
        best = x;
      }
    }
    out[name] = best;
  }
  return out;
}
