// Checks built JavaScript against what the Espruino interpreter really supports
// (../shared/ESPRUINO.md): parse the emitted bundle and report every construct it lacks.
// The bundle is checked, not the TypeScript, because the bundler may inject helpers of its own.

import { parse, type Node } from 'acorn';
import { full } from 'acorn-walk';
import { checkHoisting, checkVarHoisting } from './hoisting.ts';

export interface Violation {
  line: number;
  what: string;
}

const FORBIDDEN_NODES: Record<string, string> = {
  ArrayPattern: 'destructuring',
  ObjectPattern: 'destructuring',
  AssignmentPattern: 'default parameter or destructuring default',
  RestElement: 'rest parameter',
  SpreadElement: 'spread',
  ChainExpression: 'optional chaining (?.)',
  AwaitExpression: 'await',
  YieldExpression: 'generator',
  LabeledStatement: 'labelled statement',
  MetaProperty: 'new.target / import.meta',
};
const FORBIDDEN_GLOBALS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'Proxy', 'Reflect', 'BigInt']);
const BUILTIN_PROTOTYPES = new Set(['Array', 'String', 'Function', 'Number', 'Boolean', 'RegExp', 'Date', 'Promise']);

export function checkEspruinoSubset(code: string): Violation[] {
  const out: Violation[] = [];
  const ast = parse(code, { ecmaVersion: 2022, locations: true, sourceType: 'script' });
  const at = (n: Node) => (n as Node & { loc: { start: { line: number } } }).loc.start.line;
  full(ast, (node: any) => {
    const what = FORBIDDEN_NODES[node.type];
    if (what) out.push({ line: at(node), what });
    if (node.type === 'BinaryExpression' && node.operator === '**') out.push({ line: at(node), what: '** operator' });
    if (node.type === 'AssignmentExpression' && node.operator === '**=') out.push({ line: at(node), what: '**= operator' });
    if ((node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') && (node.async || node.generator))
      out.push({ line: at(node), what: node.async ? 'async function' : 'generator' });
    if (node.type === 'Property' && node.computed) out.push({ line: at(node), what: 'computed key' });
    if (node.type === 'PropertyDefinition' && node.value === null) out.push({ line: at(node), what: 'class field without initializer' });
    if (node.type === 'Identifier' && FORBIDDEN_GLOBALS.has(node.name)) out.push({ line: at(node), what: `${node.name} is missing` });
    // Espruino's regular expressions silently fail to match counted quantifiers ({4}, {2,3}):
    // found on the real Bangle.js 2 emulator, where /^[0-9a-f]{12}$/ never matched.
    if (node.type === 'Literal' && node.regex && /\{[0-9]+(,[0-9]*)?\}/.test(node.regex.pattern))
      out.push({ line: at(node), what: 'counted regex quantifier {n} (never matches on Espruino)' });
    if (node.type === 'MemberExpression' && !node.computed && node.object.type === 'Identifier') {
      const o = node.object.name;
      const p = node.property.name;
      if (o === 'Array' && (p === 'from' || p === 'of')) out.push({ line: at(node), what: `Array.${p} is missing` });
      if (o === 'Math' && ['trunc', 'hypot', 'imul', 'fround'].includes(p)) out.push({ line: at(node), what: `Math.${p} is missing` });
    }
    if (node.type === 'MemberExpression' && !node.computed && node.property.name === 'prototype' && node.object.type === 'Identifier' && BUILTIN_PROTOTYPES.has(node.object.name))
      out.push({ line: at(node), what: `${node.object.name}.prototype methods are undefined` });
  });
  for (const v of checkHoisting(ast, at)) out.push(v);
  for (const v of checkVarHoisting(ast, at)) out.push(v);
  return out.sort((a, b) => a.line - b.line);
}
