/**
 * Where the channels of a group sit along the last axis of a tensor. Channel c (0 … P-1) occupies the indices
 * `start + s·positionStride + c·multiplier + j` for every position s < positions and every j < multiplier.
 * Before a Flatten, positions = 1; after Flatten of [H, W, C], positions = H·W and positionStride = C
 * (NHWC rows (h·W + w)·C + c); a DepthwiseConv2D with depth multiplier m multiplies `multiplier` by m;
 * a Concatenate adds its offset to `start`.
 */
export interface ChannelIndexMap {
  /** Length of the tensor's last axis. */
  size: number;
  /** Index of channel 0's first entry along the last axis (a Concatenate's offset). */
  start: number;
  /** Consecutive indices per channel at each position (a DepthwiseConv2D's depth multiplier; 1 otherwise). */
  multiplier: number;
  /** Number of spatial positions the channels repeat over (1 before a Flatten; H·W after Flatten of [H, W, C]). */
  positions: number;
  /** Index step from one position to the next (C after Flatten of [H, W, C] in NHWC order). */
  positionStride: number;
}

/** The map of P channels that fill the last axis by themselves. */
export function identityMap(channels: number): ChannelIndexMap {
  return { size: channels, start: 0, multiplier: 1, positions: 1, positionStride: channels };
}

/** A key equal for equal maps. */
export function mapKey(map: ChannelIndexMap): string {
  return `${map.size}:${map.start}:${map.multiplier}:${map.positions}:${map.positionStride}`;
}

/**
 * The indices along the last axis that the given channels occupy under `map`, ascending.
 *
 * @param map - where a group's channels sit along a layer's last axis (a member application's `map`).
 * @param channels - channel indices of the group.
 * @returns The positions along the last axis, ascending.
 *
 * @example
 * ```ts
 * import { channelGroup, mapChannelIndices } from '@prune/core';
 *
 * // Which rows of the Dense after a Flatten read channels 0 and 3 of conv2.
 * const { consumers } = channelGroup(model, 'conv2');
 * const rows = mapChannelIndices(consumers[0]!.applications[0]!.map, [0, 3]);
 * ```
 */
export function mapChannelIndices(map: ChannelIndexMap, channels: ArrayLike<number>): number[] {
  const result: number[] = [];
  for (let s = 0; s < map.positions; s += 1) {
    for (let i = 0; i < channels.length; i += 1) {
      const c = channels[i]!;
      for (let j = 0; j < map.multiplier; j += 1) result.push(map.start + s * map.positionStride + c * map.multiplier + j);
    }
  }
  return result.sort((a, b) => a - b);
}

/** The map after a DepthwiseConv2D with depth multiplier m: each channel's entries repeat m times. */
export function depthwiseMap(map: ChannelIndexMap, m: number): ChannelIndexMap {
  return { size: map.size * m, start: map.start * m, multiplier: map.multiplier * m, positions: 1, positionStride: map.size * m };
}

/** The map after a Flatten of a [.., positions, size] tensor. */
export function flattenMap(map: ChannelIndexMap, positions: number): ChannelIndexMap {
  return { size: positions * map.size, start: map.start, multiplier: map.multiplier, positions, positionStride: map.size };
}

/** The map in a Concatenate's output for channels that arrive in its input at `offset`, of output width `size`. */
export function offsetMap(map: ChannelIndexMap, offset: number, size: number): ChannelIndexMap {
  return { ...map, start: map.start + offset, size, positionStride: map.positions > 1 ? map.positionStride : size };
}

/** Index of the last entry the map covers. */
export function lastIndex(map: ChannelIndexMap, channels: number): number {
  return map.start + (map.positions - 1) * map.positionStride + channels * map.multiplier - 1;
}
