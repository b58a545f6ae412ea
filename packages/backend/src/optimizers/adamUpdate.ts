/** The float32 scalars of one Adam step, each already rounded the way tfjs's AdamOptimizer rounds it. */
export interface AdamStepScalars {
  /** fround(beta1). */
  beta1: number;
  /** fround(1 - beta1), the difference taken in double first. */
  oneMinusBeta1: number;
  /** fround(beta2). */
  beta2: number;
  /** fround(1 - beta2), the difference taken in double first. */
  oneMinusBeta2: number;
  /** fround(1 - accBeta1). */
  oneMinusAccBeta1: number;
  /** fround(1 - accBeta2). */
  oneMinusAccBeta2: number;
  /** fround(epsilon). */
  epsilon: number;
  /** fround(-learningRate). */
  negLearningRate: number;
}

const f = Math.fround;

/**
 * One Adam update of one variable in a single pass: reads value, m, v and the gradient once and writes the new
 * value, m and v once. Each line is one of tfjs AdamOptimizer's kernels, in its order, rounded to float32 after
 * every operation; a float32 +, −, ×, ÷ or √ done in double and rounded once equals the float32 operation, so
 * the results are bit-identical to the kernels'. Outputs may alias inputs (element i is read before written).
 *
 * @param x - the variable's values.
 * @param m - its first moments.
 * @param v - its second moments.
 * @param g - its gradient.
 * @param s - the step's scalars.
 * @param xOut - receives the new values.
 * @param mOut - receives the new first moments.
 * @param vOut - receives the new second moments.
 * @example
 * ```ts
 * const x = new Float32Array([1]), m = new Float32Array(1), v = new Float32Array(1);
 * const f = Math.fround;
 * const s = { beta1: f(0.9), oneMinusBeta1: f(1 - 0.9), beta2: f(0.999), oneMinusBeta2: f(1 - 0.999),
 *   oneMinusAccBeta1: f(1 - f(0.9)), oneMinusAccBeta2: f(1 - f(0.999)), epsilon: f(1e-8), negLearningRate: f(-1e-3) };
 * adamUpdate(x, m, v, new Float32Array([0.5]), s, x, m, v); // x[0] ≈ 0.999
 * ```
 */
export function adamUpdate(
  x: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  s: AdamStepScalars,
  xOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
): void {
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLearningRate } = s;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    // newFirstMoment = add(mul(m, beta1), mul(g, 1 - beta1))
    const m1 = f(f(m[i]! * beta1) + f(gi * oneMinusBeta1));
    // newSecondMoment = add(mul(v, beta2), mul(square(g), 1 - beta2))
    const v1 = f(f(v[i]! * beta2) + f(f(gi * gi) * oneMinusBeta2));
    // bias corrections: div(newFirstMoment, 1 - accBeta1), div(newSecondMoment, 1 - accBeta2)
    const mHat = f(m1 / oneMinusAccBeta1);
    const vHat = f(v1 / oneMinusAccBeta2);
    // add(mul(div(mHat, add(sqrt(vHat), epsilon)), -learningRate), value)
    xOut[i] = f(f(mHat / f(f(Math.sqrt(vHat)) + epsilon)) * negLearningRate) + x[i]!;
    mOut[i] = m1;
    vOut[i] = v1;
  }
}
