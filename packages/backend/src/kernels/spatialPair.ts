/** A conv attribute (strides, dilations) as [height, width]: a number for both, an array, or undefined for 1. */
export const spatialPair = (v: number | number[] | undefined): [number, number] => (v == null ? [1, 1] : typeof v === 'number' ? [v, v] : [v[0]!, v[1] ?? v[0]!]);
