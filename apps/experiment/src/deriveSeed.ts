import { createHash } from 'node:crypto';

/** A seed for one purpose (train subset, test pairs, model init, …) derived from the run seed, so streams never coincide. */
export function deriveSeed(seed: number, purpose: string): number {
  return createHash('sha256').update(`${seed}:${purpose}`).digest().readUInt32BE(0) & 0x7fffffff;
}
