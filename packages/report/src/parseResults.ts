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

/** Formats a zod issue path as `seedRuns[0].criteria[1].order` (or `(root)`). */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Turns zod issues into lines that name the field path. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = formatIssuePath(issue.path);
    if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    return `field '${path}': ${issue.message}`;
  });
}

/** Validates with a schema; throws SchemaValidationError naming the file and the bad fields. */
export function parseWithSchema<S extends z.ZodType>(schema: S, value: unknown, fileName: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SchemaValidationError(fileName, formatIssues(parsed.error.issues));
  return parsed.data;
}

/**
 * Parses and validates a results.json (its text or its already-parsed value). Errors name `fileName` and the
 * path of every bad field, and say when the file was written by another schema version.
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
