/** Parameters and multiply-accumulates (for one example) of a layer or a whole model. */
export interface Cost {
  /** Scalar weights (trainable and not, e.g. BatchNormalization moving statistics). */
  params: number;
  /** Multiply-accumulates of one forward pass on one example. */
  macs: number;
}

// The arithmetic of each layer kind, written from its hyperparameters (never read from a tfjs model). `window` is the
// kernel's spatial size (kh·kw, or the kernel length of a Conv1D); `positions` the output's spatial size (Ho·Wo).

/** A Conv1D/Conv2D (or a Dense: window 1, positions 1): window·cin·cout weights (+ cout bias), positions·window·cin·cout MACs. */
export function convCost(window: number, cin: number, cout: number, positions: number, bias: boolean): Cost {
  return { params: window * cin * cout + (bias ? cout : 0), macs: positions * window * cin * cout };
}

/** A Dense layer: in·out weights plus out biases, in·out MACs. */
export function denseCost(units: number, inputs: number): Cost {
  return convCost(1, inputs, units, 1, true);
}

/** A DepthwiseConv2D: window·c·m weights (+ c·m bias), one window of MACs per output element. */
export function depthwiseCost(window: number, channels: number, multiplier: number, positions: number, bias: boolean): Cost {
  const out = channels * multiplier;
  return { params: window * out + (bias ? out : 0), macs: positions * out * window };
}

/** A SeparableConv2D: its depthwise part (cin·m channels) then its 1×1 pointwise part to cout. */
export function separableCost(window: number, cin: number, multiplier: number, cout: number, positions: number, bias: boolean): Cost {
  const mid = cin * multiplier;
  return { params: window * mid + mid * cout + (bias ? cout : 0), macs: positions * (mid * window + mid * cout) };
}

/** A BatchNormalization: gamma, beta, moving mean and variance per channel; one MAC per element. */
export function batchNormCost(channels: number, positions: number): Cost {
  return { params: 4 * channels, macs: positions * channels };
}

/** The sum of several costs. */
export function sumCosts(costs: readonly Cost[]): Cost {
  return costs.reduce((a, b) => ({ params: a.params + b.params, macs: a.macs + b.macs }), { params: 0, macs: 0 });
}

/** Output side of a 'same'-padded window with the given stride. */
export function sameSize(size: number, stride: number): number {
  return Math.ceil(size / stride);
}
