/** Examples read from a file or folder, before they become tensors: row-major values and per-example shape. */
export interface Examples {
  /** Every example's values, row-major, examples first. */
  values: Float32Array;
  /** The shape of one example (without the batch axis). */
  shape: number[];
  count: number;
  /** One class index per example, when the data has labels. */
  labels?: Float32Array;
  /** Class names by index (an image folder's subfolders). */
  classes?: string[];
  /** What the examples were read from, for messages and the report. */
  source: string;
}
