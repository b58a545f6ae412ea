import { readFile } from 'node:fs/promises';
import type { Examples } from './examples';

/** The shape of a nested array (checked to be rectangular) and its values flattened. */
function flatten(value: unknown, file: string): { values: number[]; shape: number[] } {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const values: number[] = [];
  const walk = (v: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${file}: inputs${at} is ${JSON.stringify(v)}, not a finite number`);
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) throw new Error(`${file}: inputs${at} should be an array of ${shape[depth]} (the arrays must be rectangular)`);
    v.forEach((item, i) => walk(item, depth + 1, `${at}[${i}]`));
  };
  walk(value, 0, '');
  return { values, shape };
}

/** Reads `{ "inputs": [[…]…], "labels": [0, 2, …] }` (inputs nested [N, …shape], labels class indices). */
export async function readJsonData(file: string): Promise<Examples> {
  let json: { inputs?: unknown; labels?: unknown };
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as typeof json;
  } catch (error) {
    throw new Error(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(error as Error).message})`}`);
  }
  if (json === null || typeof json !== 'object' || !Array.isArray(json.inputs) || json.inputs.length === 0) {
    throw new Error(`${file}: a data file is {"inputs": [example, …], "labels": [class, …]} with at least one example`);
  }
  const { values, shape } = flatten(json.inputs, file);
  const [count, ...example] = shape as [number, ...number[]];
  const result: Examples = { values: Float32Array.from(values), shape: example, count, source: file };
  if (json.labels !== undefined) result.labels = readLabelList(json.labels, count, `${file}: labels`);
  return result;
}

/** Class indices (non-negative integers), one per example. */
export function readLabelList(labels: unknown, count: number, what: string): Float32Array {
  if (!Array.isArray(labels) || labels.length !== count) throw new Error(`${what} must be a list of ${count} class indices (one per example), got ${Array.isArray(labels) ? labels.length : typeof labels}`);
  const bad = labels.findIndex((l) => typeof l !== 'number' || !Number.isInteger(l) || l < 0);
  if (bad >= 0) throw new Error(`${what}[${bad}] is ${JSON.stringify(labels[bad])}; labels are class indices (0, 1, 2, …)`);
  return Float32Array.from(labels as number[]);
}
