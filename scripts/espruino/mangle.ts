// Property mangling for the firmware build: which property names may be renamed, decided from
// the TypeScript sources with the compiler's type checker, and the short name each one gets.
//
// esbuild's mangleProps renames by NAME, everywhere in a bundle: `a.steps` becomes `a.s` whatever
// `a` is. So a name is safe to rename only when every place it appears refers to our own code's
// properties and nothing outside that code (the interpreter, the Espruino API, a test's
// `sim.eval(...)` strings, a person at the REPL) ever reads or writes it by its spelled-out
// name. The rule, deliberately conservative (a name left alone costs bytes; a wrong rename
// breaks the watch silently):
//
// A name is a CANDIDATE when a member (property, method, accessor, parameter property, object
// literal key, enum member) of that name is declared in the project's own firmware sources:
// firmware/** and shared/**, except firmware/espruino.ts (the Espruino API's types)
// and anything inside a `declare` (an ambient declaration describes
// someone else's object).
//
// A candidate is RESERVED (never renamed) when any of these holds:
//  R1 a member of that name is declared outside the own sources: lib.*.d.ts (the JavaScript
//     built-ins), firmware/espruino.ts, ambient declarations, any other .d.ts the program loads
//     (Node's @types are left out of this program on purpose, see analyseProperties). This also covers what the runtime reads
//     implicitly (toString, valueOf, toJSON, then, length, constructor, prototype, name...).
//  R2 it is accessed (`o.name`) where `o` is any/unknown, or where the accessed property does
//     not resolve to declarations that are all in own sources (Bangle.on, e.acc.x, WIDGETS...).
//  R3 it is an object literal key whose contextual type is missing the key, any/unknown, or
//     declared outside: the literal goes to someone else (GATT tables for NRF.setServices,
//     options of setWatch/Bangle.setOptions, JSON).
//  R4 it is a property of an own-typed value handed to an external function (Object.assign,
//     JSON.stringify, anything declared outside or typed any) or iterated with for...in: its keys
//     are then read by name. A cast to any/unknown counts as handing it over. (A value stored
//     into an untyped slot, like `global.bushu = core`, does not: whoever reads it back spells
//     the names, which R2 sees in our own bundles and R6 in tests and docs.) One exception: an untyped `global.f(x)` where our own sources
//     assign a function to `global.f` (the Bangle's on-demand half is reached that way).
//     Likewise every own key of an object indexed by a computed key (`o[k]`, k not a number)
//     or tested with `k in o`.
//  R5 it appears as an identifier-like string literal in the own sources (`o["name"]`,
//     `"name" in o`, event names): esbuild leaves quoted names alone. Strings that are plainly
//     values (a property's value, an operand of ===, a case label, a type) do not count.
//  R6 the outside world spells it in code: every `.name` and `name:` inside string and template
//     literals of test/, bridge/, sim/, demo/, cli/, scripts/, bin/ (the `sim.eval(...)` strings
//     that reach into `global.bushu`), and every `bushu.a.b()` chain in the Markdown docs (the
//     REPL). So a new test whose `sim.eval` string reads `.foo` reserves `foo` by itself. Exempt: the
//     code strings handed to the tests' translators (TRANSLATED_CALLS, test/kits/firmware/names.ts),
//     which rewrite every renamed name into the build's (dist/firmware/names.json) before the
//     code runs: there a test spells the source names and reserves nothing.
//  R7 it is one character long (nothing to gain) or a JavaScript keyword.
//
// Everything not reserved is renamed to a short name that is neither a reserved nor an
// external member name (so a renamed member can never collide with a kept one on the same
// object). The Bangle's four files share objects (the boot file's core is used by the
// on-demand half, the widget and the app), so one mapping serves a whole device group.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

export interface PropertyAnalysis {
  /** Names declared by own members and safe to rename, sorted. */
  mangle: string[];
  /** Candidate names kept as they are, with the first rule that reserved each. */
  reserved: Map<string, string>;
  /** Every property name that stays as spelled (external members, reserved names): forbidden as a short name. */
  kept: Set<string>;
}

const KEYWORDS = new Set(
  ('break case catch class const continue debugger default delete do else export extends finally for function if import in ' +
    'instanceof new return super switch this throw try typeof var void while with yield let static enum await implements ' +
    'package protected interface private public null true false undefined NaN Infinity arguments eval').split(' '),
);
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** Directories whose string literals are code the outside world runs against the firmware (R6). */
export const OUTSIDE_CODE_DIRS = ['test', 'bridge', 'sim', 'demo', 'cli', 'scripts', 'bin'];

/** Calls whose code argument is translated into the build's names before it runs (R6's exemption). */
export const TRANSLATED_CALLS = new Set(['evalCore', 'asBuilt']);

/** Is this string (or a part of a template, or of a `+` concatenation) an argument of a TRANSLATED_CALLS call? */
function isTranslated(n: ts.Node): boolean {
  let p = n.parent;
  while (p && (ts.isTemplateSpan(p) || ts.isTemplateExpression(p) || ts.isParenthesizedExpression(p) || (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.PlusToken))) p = p.parent;
  if (!p || !ts.isCallExpression(p)) return false;
  const callee = p.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return name !== undefined && TRANSLATED_CALLS.has(name);
}

function isOwnFile(root: string, fileName: string): boolean {
  const rel = relative(root, fileName).split(sep).join('/');
  if (rel.startsWith('..') || rel.endsWith('.d.ts')) return false;
  if (rel === 'firmware/espruino.ts') return false;
  return rel.startsWith('firmware/') || rel.startsWith('shared/');
}

function isAmbient(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (ts.canHaveModifiers(n) && ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return true;
  }
  return false;
}

function memberName(decl: ts.Node): string | undefined {
  const name = (decl as ts.NamedDeclaration).name;
  if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name))) return name.text;
  return undefined;
}

function isMemberDeclaration(n: ts.Node): boolean {
  return (
    ts.isPropertyDeclaration(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isGetAccessorDeclaration(n) ||
    ts.isSetAccessorDeclaration(n) ||
    ts.isPropertySignature(n) ||
    ts.isMethodSignature(n) ||
    ts.isPropertyAssignment(n) ||
    ts.isShorthandPropertyAssignment(n) ||
    ts.isEnumMember(n) ||
    (ts.isParameter(n) && ts.isConstructorDeclaration(n.parent) && (ts.getModifiers(n)?.length ?? 0) > 0)
  );
}

const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);

/**
 * A string that is only a value, never a key: a type, a module path, a property's value
 * (`{ kind: 'day' }`), an operand of an equality or a `case`. Such a string could become a key
 * only through a computed access, which reserves the keys of the object it indexes (R4).
 */
function isPlainValue(n: ts.Node): boolean {
  const p = n.parent;
  return (
    ts.isLiteralTypeNode(p) ||
    ts.isImportDeclaration(p) ||
    ts.isExportDeclaration(p) ||
    (ts.isPropertyAssignment(p) && p.initializer === n) ||
    (ts.isBinaryExpression(p) && EQUALITY.has(p.operatorToken.kind)) ||
    ts.isCaseClause(p)
  );
}

function listFiles(dir: string, exts: string[], out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const f of names) {
    if (f === 'node_modules' || f.startsWith('.')) continue;
    const p = join(dir, f);
    if (statSync(p).isDirectory()) listFiles(p, exts, out);
    else if (exts.some((e) => f.endsWith(e))) out.push(p);
  }
  return out;
}

/** R6: property names that code outside the firmware spells inside strings (the `sim.eval(...)` strings). */
export function namesUsedFromOutside(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const add = (name: string, where: string) => {
    if (!found.has(name)) found.set(name, where);
  };
  for (const dir of OUTSIDE_CODE_DIRS) {
    for (const file of listFiles(join(root, dir), ['.ts', '.js', '.mjs'])) {
      // With parent pointers: isTranslated looks at a string's call.
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const where = relative(root, file);
      const visit = (n: ts.Node): void => {
        const isString = ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n);
        if (isString && !isTranslated(n)) {
          for (const m of n.text.matchAll(/\.\s*([A-Za-z_$][\w$]*)|([A-Za-z_$][\w$]*)\s*:/g)) add(m[1] ?? m[2], where);
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
  }
  // The REPL, as the docs show it: every `bushu.a.b()` chain.
  for (const file of listFiles(root, ['.md'])) {
    const where = relative(root, file);
    for (const chain of readFileSync(file, 'utf8').matchAll(/\bbushu(?:\.[A-Za-z_$][\w$]*|\([^()]*\))+/g))
      for (const m of chain[0].matchAll(/\.([A-Za-z_$][\w$]*)/g)) add(m[1], where);
  }
  return found;
}

let cached: { key: string; result: PropertyAnalysis } | undefined;

/** Runs the analysis over the program reachable from the entry files (paths relative to root). */
export function analyseProperties(root: string, entries: string[]): PropertyAnalysis {
  const key = root + '\0' + entries.join('\0');
  if (cached && cached.key === key) return cached.result;
  const configPath = join(root, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
  // Without Node's @types: they describe a runtime the firmware never runs on, and would only
  // reserve names (start, tick, update, close...) that no Espruino object has. The program sees
  // the ES library (the built-ins, of which Espruino has a subset) and the firmware's own
  // declarations of the Espruino API; anything else the firmware touches (setTimeout) is
  // unresolved, so R2/R4 treat it as external and untyped.
  const program = ts.createProgram(
    entries.map((e) => join(root, e)),
    { ...config.options, types: [] },
  );
  const checker = program.getTypeChecker();
  const own = (sf: ts.SourceFile) => isOwnFile(root, sf.fileName);
  const ownDecl = (d: ts.Node) => own(d.getSourceFile()) && !isAmbient(d);

  const candidates = new Set<string>();
  const external = new Set<string>(); // R1
  const reserved = new Map<string, string>();
  const reserve = (name: string, why: string) => {
    if (!reserved.has(name)) reserved.set(name, why);
  };
  const where = (n: ts.Node) => {
    const sf = n.getSourceFile();
    return `${relative(root, sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  };
  const loose = (t: ts.Type) => (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;

  /** R4: every own member name reachable from a type (nested object types too) is read by name. */
  const reserveKeysOf = (t: ts.Type, why: string, seen = new Set<ts.Type>()) => {
    if (seen.has(t)) return;
    seen.add(t);
    if (t.isUnionOrIntersection()) {
      for (const u of t.types) reserveKeysOf(u, why, seen);
      return;
    }
    for (const p of checker.getPropertiesOfType(t)) {
      if (!(p.declarations ?? []).some(ownDecl)) continue;
      reserve(p.name, why);
      const decl = p.valueDeclaration ?? p.declarations?.[0];
      if (decl) reserveKeysOf(checker.getTypeOfSymbolAtLocation(p, decl), why, seen);
    }
  };

  /** Does `name` on contextual type `t` resolve to own declarations only? */
  const ownMemberOf = (t: ts.Type, name: string): boolean => {
    const parts = t.isUnion() ? t.types.filter((u) => (u.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) === 0) : [t];
    if (parts.length === 0) return false;
    let found = false;
    for (const u of parts) {
      if (loose(u)) return false;
      const p = checker.getPropertyOfType(u, name);
      if (!p) continue;
      if (!(p.declarations ?? []).every(ownDecl)) return false;
      found = true;
    }
    return found;
  };

  // `global.bushuExt = (b) => new Ext(b)` in one bundle, `global.bushuExt(b)` in another: the
  // callee is untyped, but it is our own function published on `global`, not external code.
  const published = new Set<string>();
  const globalName = (e: ts.Expression) => (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'global' ? e.name.text : undefined);
  const publishedCall = (n: ts.CallExpression | ts.NewExpression) => {
    const g = globalName(n.expression);
    return g !== undefined && published.has(g);
  };
  for (const sf of program.getSourceFiles()) {
    if (!own(sf)) continue;
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isFunctionLike(n.right)) {
        const g = globalName(n.left);
        if (g !== undefined) published.add(g);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }

  for (const sf of program.getSourceFiles()) {
    if (!own(sf)) {
      // R1: every member name declared outside the own sources.
      const visit = (n: ts.Node): void => {
        if (isMemberDeclaration(n)) {
          const name = memberName(n);
          if (name !== undefined) external.add(name);
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
      continue;
    }
    const visit = (n: ts.Node): void => {
      if (isMemberDeclaration(n)) {
        const name = memberName(n);
        if (name !== undefined) {
          if (isAmbient(n)) external.add(name);
          else candidates.add(name);
          const declName = (n as ts.NamedDeclaration).name;
          if (declName !== undefined && !ts.isIdentifier(declName)) reserve(name, `quoted key at ${where(n)}`);
        }
      }
      // R2: accesses.
      if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.name)) {
        const name = n.name.text;
        const objType = checker.getTypeAtLocation(n.expression);
        const sym = checker.getSymbolAtLocation(n.name);
        if (loose(objType)) reserve(name, `accessed on an untyped value at ${where(n)}`);
        else if (!sym || !(sym.declarations ?? []).length) reserve(name, `unresolved access at ${where(n)}`);
        else if (!(sym.declarations ?? []).every(ownDecl)) reserve(name, `external member accessed at ${where(n)}`);
      }
      // R3: object literal keys go where their contextual type says.
      if (ts.isObjectLiteralExpression(n)) {
        const ctx = checker.getContextualType(n);
        for (const p of n.properties) {
          const name = memberName(p);
          if (name === undefined) continue;
          if (ctx === undefined) continue; // a free literal: its uses are checked where it flows
          if (!ownMemberOf(ctx, name)) reserve(name, `object key for an external or untyped target at ${where(p)}`);
        }
      }
      // R4: own values handed to external code, or iterated by key.
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
        const sig = checker.getResolvedSignature(n);
        const decl = sig?.declaration;
        const calleeType = checker.getTypeAtLocation(n.expression);
        const outside = (loose(calleeType) && !publishedCall(n)) || (!loose(calleeType) && (!decl || !ownDecl(decl)));
        if (outside) for (const a of n.arguments ?? []) if (!ts.isFunctionLike(a)) reserveKeysOf(checker.getTypeAtLocation(a), `passed to external code at ${where(a)}`);
      }
      // A cast to any/unknown hides the type from every later access: treat it as an escape.
      if ((ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) && loose(checker.getTypeAtLocation(n)))
        reserveKeysOf(checker.getTypeAtLocation(n.expression), `cast to an untyped value at ${where(n)}`);
      if (ts.isForInStatement(n)) reserveKeysOf(checker.getTypeAtLocation(n.expression), `iterated with for...in at ${where(n)}`);
      // R5: names spelled as strings.
      if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && IDENT.test(n.text) && !isPlainValue(n)) reserve(n.text, `string literal at ${where(n)}`);
      // R4 again: a computed key (`o[k]`, `k in o`) may be any of o's names.
      if (ts.isElementAccessExpression(n) && !ts.isLiteralExpression(n.argumentExpression)) {
        const k = checker.getTypeAtLocation(n.argumentExpression);
        if ((k.flags & ts.TypeFlags.NumberLike) === 0) reserveKeysOf(checker.getTypeAtLocation(n.expression), `computed key at ${where(n)}`);
      }
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.InKeyword) reserveKeysOf(checker.getTypeAtLocation(n.right), `'in' test at ${where(n)}`);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }

  for (const [name, file] of namesUsedFromOutside(root)) reserve(name, `spelled in ${file}`);
  for (const name of candidates) {
    if (external.has(name)) reserve(name, 'declared outside the own sources');
    if (name.length <= 1 || KEYWORDS.has(name) || !IDENT.test(name)) reserve(name, 'short or a keyword');
  }

  const mangle = [...candidates].filter((n) => !reserved.has(n)).sort();
  const kept = new Set<string>([...external, ...reserved.keys()]);
  const ownReserved = new Map([...reserved].filter(([n]) => candidates.has(n)));
  const result = { mangle, reserved: ownReserved, kept };
  cached = { key, result };
  return result;
}

/** Short names in order of length: a..z, A..Z, $, _, then two characters. */
function* shortNames(): Generator<string> {
  const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$_';
  const rest = first + '0123456789';
  yield* first;
  for (const a of first) for (const b of rest) yield a + b;
  for (const a of first) for (const b of rest) for (const c of rest) yield a + b + c;
}

/**
 * The mapping for one device group: the names used most often (weighted per bundle, so the
 * budgeted file gets the shortest ones) get the shortest new names. `uses` counts each
 * name's occurrences in the unmangled output; a name with no use is left out.
 */
export function assignNames(analysis: PropertyAnalysis, uses: Map<string, number>): Record<string, string> {
  const names = analysis.mangle.filter((n) => (uses.get(n) ?? 0) > 0);
  names.sort((a, b) => (uses.get(b) ?? 0) * b.length - (uses.get(a) ?? 0) * a.length || (a < b ? -1 : 1));
  const cache: Record<string, string> = {};
  const gen = shortNames();
  const mangled = new Set(analysis.mangle);
  for (const name of names) {
    let next = gen.next().value as string;
    while (analysis.kept.has(next) || KEYWORDS.has(next) || mangled.has(next)) next = gen.next().value as string;
    // A rename that does not shorten is no rename.
    if (next.length < name.length) cache[name] = next;
  }
  return cache;
}

/** Counts the property-position occurrences of each name in built code (`.name`, `name:`, `name(` in a class). */
export function countUses(code: string, names: string[], into: Map<string, number>, weight: number): void {
  const wanted = new Set(names);
  for (const m of code.matchAll(/[A-Za-z_$][\w$]*/g)) if (wanted.has(m[0])) into.set(m[0], (into.get(m[0]) ?? 0) + weight);
}
