const TFJS_NODE = '@tensorflow/tfjs-node';

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

// The specifier is a variable so bundlers and TypeScript do not require the optional package.
async function importFromHere(): Promise<unknown> {
  return import(/* @vite-ignore */ TFJS_NODE);
}

// Under pnpm an app's optional dependency is not visible from this package's folder: resolve it
// from the directory the app runs in.
async function importFromCwd(): Promise<unknown> {
  const nodeModule = 'node:module', nodeUrl = 'node:url', nodePath = 'node:path';
  const { createRequire } = (await import(/* @vite-ignore */ nodeModule)) as typeof import('node:module');
  const { pathToFileURL } = (await import(/* @vite-ignore */ nodeUrl)) as typeof import('node:url');
  const { join } = (await import(/* @vite-ignore */ nodePath)) as typeof import('node:path');
  const resolved = createRequire(join(process.cwd(), 'package.json')).resolve(TFJS_NODE);
  return import(/* @vite-ignore */ pathToFileURL(resolved).href);
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Imports @tensorflow/tfjs-node (which registers the 'tensorflow' backend) and reports why not
 * when its package or its native addon is missing. Never throws.
 */
export async function loadTfjsNode(load?: () => Promise<unknown>): Promise<{ ok: true } | { ok: false; why: string }> {
  if (!isNode()) return { ok: false, why: 'not running in Node.js' };
  try {
    if (load) {
      await load();
      return { ok: true };
    }
    try {
      await importFromHere();
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await importFromCwd();
    }
    return { ok: true };
  } catch (error) {
    if (isNotFound(error)) return { ok: false, why: `${TFJS_NODE} is not installed` };
    return { ok: false, why: firstLine(error) };
  }
}
