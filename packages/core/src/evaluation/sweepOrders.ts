import type { MaskEvaluator } from './createMaskEvaluator';
import { checkOrder } from '../masks/channelMask';

/**
 * The evaluator's metric with the first K channels of each order pruned, for K = 0 … P-1: one sweep per order
 * (random controls, another criterion's ranking) on one prepared {@link MaskEvaluator}, so the part of the model
 * no mask changes runs once for all of them. Within an order each K differs from the next by one channel, the
 * evaluator's cheapest step. Returns one list of P metrics per order.
 *
 * @param evaluator - a prepared mask evaluator of the layer (its data are the examples measured).
 * @param orders - channel orders, each a permutation of 0 … P-1, weakest first.
 * @returns Per order, the metric at K = 0 … P-1.
 *
 * @example
 * ```ts
 * import { createMaskEvaluator, sweepOrders } from '@prune/core';
 *
 * const evaluator = await createMaskEvaluator(model, 'conv2', data);
 * const [forward, backward] = sweepOrders(evaluator, [[0, 1, 2, 3], [3, 2, 1, 0]]);
 * evaluator.dispose();
 * ```
 */
export function sweepOrders(evaluator: MaskEvaluator, orders: ReadonlyArray<ArrayLike<number>>): number[][] {
  const p = evaluator.channels;
  return orders.map((order, i) => {
    if (order.length !== p) throw new Error(`sweepOrders: order ${i} has ${order.length} entries but layer '${evaluator.layer}' has ${p} channels`);
    checkOrder(evaluator.layer, order);
    const metrics = [evaluator.baseline];
    for (let k = 1; k < p; k++) metrics.push(evaluator.evaluate(Array.from({ length: k }, (_, j) => order[j]!)).metric);
    return metrics;
  });
}
