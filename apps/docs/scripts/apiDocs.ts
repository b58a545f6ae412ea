import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

// The API reference's rule: every function a package exports says what it does, describes each parameter and
// shows an example that compiles. This reads the packages' entry points with the TypeScript compiler.

const root = resolve(import.meta.dirname, '../../..');
const docsDir = resolve(import.meta.dirname, '..');
/** The widest code line the docs show: a laptop's column without a scrollbar. */
export const MAX_LINE = 90;
export const PACKAGES = ['mnist-pairs', 'siamese', 'activations', 'core', 'backend', 'report', 'cli'];
/** The packages whose every exported function is documented: the test and the docs build hold them to it. */
export const DOCUMENTED = [
  '@prune/mnist-pairs', '@prune/siamese', '@prune/activations', '@prune/core', '@prune/backend', '@prune/report',
  '@prune/cli',
];

/** The check the docs build runs: exits non-zero, naming each function, when a documented package lacks a doc. */
export function checkApiDocs(): number {
  const functions = apiFunctions();
  const lacking = functions.filter((f) => DOCUMENTED.includes(f.entry.split('/').slice(0, 2).join('/')) && f.missing.length > 0);
  for (const f of lacking) console.error(`${f.file}:${f.line} ${f.name} lacks ${f.missing.join(', ')}`);
  const errors = compileExamples(functions.filter((f) => f.examples.length > 0));
  for (const e of errors) console.error(`example does not compile: ${e}`);
  console.log(`API docs: ${functions.length} exported functions, ${lacking.length} lacking docs, ${errors.length} example errors`);
  return lacking.length + errors.length;
}

/** One exported function and what its doc comment lacks. */
export interface ApiFunction {
  /** `@prune/core` or `@prune/core/node`. */
  entry: string;
  name: string;
  file: string;
  line: number;
  missing: string[];
  examples: string[];
}

/** The entry points of a package: its exports map's `@prune/source` files, by import specifier. */
export function entryPoints(dir: string): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as {
    name: string; exports: Record<string, unknown>;
  };
  const entries: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const source = typeof target === 'object' && target !== null ? (target as Record<string, unknown>)['@prune/source'] : undefined;
    if (typeof source === 'string') entries[subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`] = join(root, 'packages', dir, source);
  }
  return entries;
}

const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
  customConditions: ['@prune/source'], strict: true, noEmit: true, skipLibCheck: true, types: ['node'],
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], noUncheckedIndexedAccess: true,
};

/** The ```ts blocks of an `@example` tag. */
function codeBlocks(text: string): string[] {
  return [...text.matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const tagText = (tag: ts.JSDocTag): string => (typeof tag.comment === 'string' ? tag.comment : ts.getTextOfJSDocComment(tag.comment) ?? '').trim();

/** What the doc comment on `documented` (a function, or the variable holding one) lacks for `parameters`. */
function checkFunction(documented: ts.Node, parameters: readonly ts.ParameterDeclaration[]): { missing: string[]; examples: string[] } {
  const missing: string[] = [];
  const docs = ts.getJSDocCommentsAndTags(documented).filter(ts.isJSDoc);
  const doc = docs[docs.length - 1];
  const description = doc ? (typeof doc.comment === 'string' ? doc.comment : ts.getTextOfJSDocComment(doc.comment) ?? '') : '';
  if (description.trim() === '') missing.push('a description');
  const tags: readonly ts.JSDocTag[] = doc?.tags ?? [];
  const params = tags.filter(ts.isJSDocParameterTag);
  parameters.forEach((p, i) => {
    const name = ts.isIdentifier(p.name) ? p.name.text : undefined;
    // A destructured parameter has no name of its own: its @param is matched by position.
    const tag = name === undefined ? params[i] : params.find((t) => ts.isIdentifier(t.name) && t.name.text === name);
    if (!tag || tagText(tag).replace(/^-\s*/, '') === '') missing.push(`@param ${name ?? `(parameter ${i + 1})`}`);
  });
  const examples = tags.filter((t) => t.tagName.text === 'example').flatMap((t) => codeBlocks(tagText(t)));
  if (examples.length === 0) missing.push('an @example with a ```ts block');
  const wide = examples.flatMap((e) => e.split('\n')).filter((l) => [...l].length > MAX_LINE);
  if (wide.length > 0) missing.push(`example lines of at most ${MAX_LINE} characters (${wide.length} longer)`);
  return { missing, examples };
}

/** Every function exported by every package's entry points, with what its doc comment lacks. */
export function apiFunctions(): ApiFunction[] {
  const entries = Object.assign({}, ...PACKAGES.map(entryPoints)) as Record<string, string>;
  const program = ts.createProgram(Object.values(entries), compilerOptions);
  const checker = program.getTypeChecker();
  const out: ApiFunction[] = [];
  for (const [entry, file] of Object.entries(entries)) {
    const source = program.getSourceFile(file)!;
    const moduleSymbol = checker.getSymbolAtLocation(source)!;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const decl of symbol.declarations ?? []) {
        let fn: ts.SignatureDeclaration | undefined;
        if (ts.isFunctionDeclaration(decl) && decl.body) fn = decl;
        if (ts.isVariableDeclaration(decl) && decl.initializer && (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer))) fn = decl.initializer;
        if (!fn) continue;
        const checked = checkFunction(decl, fn.parameters);
        const { line } = decl.getSourceFile().getLineAndCharacterOfPosition(decl.getStart());
        out.push({ entry, name: exported.name, file: decl.getSourceFile().fileName.slice(root.length + 1), line: line + 1, ...checked });
      }
    }
  }
  return out;
}

/**
 * Typechecks every example as a module of its own, placed under apps/docs so that it resolves the packages as a
 * user's file would, with the names of `exampleContext.d.ts` (a model, data, …) declared. Returns tsc's errors.
 */
export function compileExamples(functions: ApiFunction[]): string[] {
  const dir = join(docsDir, `.api-examples-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = functions.flatMap((f) => f.examples.map((code, i) => {
    const file = join(dir, `${f.entry.replace(/[@/]/g, '_')}__${f.name}__${i}.ts`);
    writeFileSync(file, `// ${f.entry} ${f.name} (${f.file}:${f.line})\nexport {};\n${code}`);
    return file;
  }));
  const program = ts.createProgram([join(import.meta.dirname, 'exampleContext.d.ts'), ...files], compilerOptions);
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line - 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  rmSync(dir, { recursive: true, force: true });
  return errors;
}
