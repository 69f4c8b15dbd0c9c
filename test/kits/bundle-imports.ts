// What a compiled chunk of dist/cli imports, read with a real parser (acorn) rather than a
// regular expression, so an import inside a string or a comment cannot fool the check.
import { builtinModules } from 'node:module';
import { parse } from 'acorn';
import { simple } from 'acorn-walk';

export interface ChunkImport {
  specifier: string;
  /** import() (loaded when that code runs) rather than a static import or re-export. */
  dynamic: boolean;
}

/** Every import, re-export and import() with a literal specifier in an ES module's text. */
export function importsOf(code: string): ChunkImport[] {
  const found: ChunkImport[] = [];
  const literal = (node: { type: string; value?: unknown } | null | undefined) => (node?.type === 'Literal' && typeof node.value === 'string' ? node.value : undefined);
  const add = (specifier: string | undefined, dynamic: boolean) => {
    if (specifier !== undefined) found.push({ specifier, dynamic });
  };
  simple(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }), {
    ImportDeclaration: (n) => add(literal(n.source), false),
    ExportNamedDeclaration: (n) => add(literal(n.source), false),
    ExportAllDeclaration: (n) => add(literal(n.source), false),
    ImportExpression: (n) => add(literal(n.source as { type: string; value?: unknown }), true),
  });
  return found;
}

/** The npm package a bare specifier names ('@scope/name/deep' -> '@scope/name'); undefined for relative ones and Node builtins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The packages `code` imports that are not among `dependencies`, with the specifiers that name them. */
export function undeclaredPackages(code: string, dependencies: Record<string, string>): string[] {
  return importsOf(code)
    .map((i) => i.specifier)
    .filter((s) => {
      const pkg = packageOf(s);
      return pkg !== undefined && !(pkg in dependencies);
    });
}
