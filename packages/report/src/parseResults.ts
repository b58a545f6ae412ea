import type { z } from 'zod';
import { resultsSchema, type Results } from './resultsSchema.js';

/** A results.json (or config) that failed validation; the message names the file and each bad field path. */
export class SchemaValidationError extends Error {
  /** One line per problem: `field path: message`. */
  readonly problems: string[];

  constructor(fileName: string, problems: string[]) {
    super(`${fileName}: invalid\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SchemaValidationError';
    this.problems = problems;
  }
}

/**
 * Formats a zod issue path the way prune's error messages name a field: `seedRuns[0].criteria[1].order`, or
 * `(root)` for the value itself. Use it when you validate your own settings with zod and want messages that read
 * like the ones {@link parseResults} throws.
 *
 * @param path - the issue's path (`issue.path` of a zod error): keys and array indices.
 * @returns The path as one string.
 *
 * @example
 * ```ts
 * import { formatIssuePath } from '@prune/report';
 *
 * const path = formatIssuePath(['seedRuns', 0, 'criteria', 1, 'order']);
 * // 'seedRuns[0].criteria[1].order'
 * formatIssuePath([]); // '(root)'
 * ```
 */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Turns zod issues into lines that name the field path. */
function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = formatIssuePath(issue.path);
    if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    return `field '${path}': ${issue.message}`;
  });
}

/**
 * Validates a value with any zod schema and returns the parsed value, or throws a {@link SchemaValidationError}
 * whose message names the file and every bad field. This is how a reader of a run folder checks the files beside
 * `results.json` (the viewer data's index, a run's `config.json`) with the same kind of message.
 *
 * @param schema - the zod schema, e.g. `viewerDataIndexSchema`.
 * @param value - the value to check (already parsed from JSON).
 * @param fileName - the file the value came from, named in the error.
 * @returns The value as the schema outputs it.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { parseWithSchema, viewerDataIndexSchema } from '@prune/report';
 *
 * const file = 'runs/latest/viewer-data/index.json';
 * const value: unknown = JSON.parse(await readFile(file, 'utf8'));
 * const index = parseWithSchema(viewerDataIndexSchema, value, file);
 * console.log(index.layer, index.channels); // 'encoder/conv2' 32
 * ```
 */
export function parseWithSchema<S extends z.ZodType>(schema: S, value: unknown, fileName: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SchemaValidationError(fileName, formatIssues(parsed.error.issues));
  return parsed.data;
}

/**
 * Parses and validates a results.json (its text or its already-parsed value): the one way to read a run's
 * results, in Node or in a browser. Errors name `fileName` and the path of every bad field, and say when the file
 * was written by another schema version.
 *
 * @param json - the file's text, or the value `JSON.parse` gave.
 * @param fileName - the file's name or path, named in every error.
 * @returns The results, typed.
 * @throws {@link SchemaValidationError} when the text is not JSON, the schema version differs, or a field is bad.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises';
 * import { parseResults } from '@prune/report';
 *
 * const file = 'runs/latest/results.json';
 * const results = parseResults(await readFile(file, 'utf8'), file);
 * console.log(results.layer.name, results.summary[0]!.mean[8]); // accuracy at K = 8
 * ```
 */
export function parseResults(json: string | unknown, fileName: string): Results {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new SchemaValidationError(fileName, [`not valid JSON: ${(error as Error).message}`]);
    }
  }
  if (value !== null && typeof value === 'object' && 'schemaVersion' in value) {
    const version = (value as { schemaVersion: unknown }).schemaVersion;
    if (typeof version === 'number' && version !== resultsSchema.shape.schemaVersion.value) {
      throw new SchemaValidationError(fileName, [
        `field 'schemaVersion': is ${version}, this reader understands version ${resultsSchema.shape.schemaVersion.value}`,
      ]);
    }
  }
  return parseWithSchema(resultsSchema, value, fileName);
}
