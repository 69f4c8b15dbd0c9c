// Espruino does not hoist function declarations: `f(); function f(){}` fails there, at top level
// and inside functions, because a declaration only defines its name when execution reaches it.
// This finds calls that run before the declaration they call has run.
//
// The approximation (honest rather than complete): a call `f()` whose callee resolves, through
// the scopes, to `function f(){}` declared later in the text is reported when it runs during
// the declaring scope's own execution before the declaration:
// - directly in that scope's body, or inside functions invoked on the spot on the way (IIFEs,
//   `.call`, and callbacks of forEach/map/filter/... which run at once);
// - inside a named function (declaration or `var g = function/arrow`) that is itself called,
//   by the same rule, before the declaration of f.
// A call inside any other function (an event handler, a method, a callback handed to a timer)
// is taken as running later and is not reported. esbuild's IIFE bundle wraps every module in
// one arrow invoked on the spot, so the bundle's top level is checked like a script's.

import type { Node } from 'acorn';
import type { Violation } from './subset.ts';

type AnyNode = Node & Record<string, any>;

interface Scope {
  parent: Scope | undefined;
  fn: AnyNode; // the function (or Program) this scope belongs to
  names: Record<string, AnyNode | null>; // FunctionDeclaration, or null for any other binding
}

interface Call {
  node: AnyNode;
  name: string;
  scope: Scope;
  fns: AnyNode[]; // enclosing functions, outermost (Program) first
}

const IMMEDIATE_CALLBACK = ['forEach', 'map', 'filter', 'reduce', 'some', 'every', 'find', 'findIndex', 'sort'];
const FUNCTION_TYPES = ['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'];

function declare(scope: Scope, name: string, decl: AnyNode | null): void {
  // A name bound twice in one scope (var f; function f(){}) is ambiguous: treat it as not a function.
  scope.names[name] = Object.prototype.hasOwnProperty.call(scope.names, name) ? null : decl;
}

function declarePattern(scope: Scope, p: AnyNode): void {
  if (p.type === 'Identifier') declare(scope, p.name, null);
  else if (p.type === 'AssignmentPattern') declarePattern(scope, p.left);
  else if (p.type === 'RestElement') declarePattern(scope, p.argument);
  else if (p.type === 'ArrayPattern') for (const e of p.elements) e && declarePattern(scope, e);
  else if (p.type === 'ObjectPattern') for (const q of p.properties) declarePattern(scope, q.type === 'Property' ? q.value : q);
}

function functionScope(s: Scope): Scope {
  let f = s;
  while (f.parent && f.parent.fn === s.fn) f = f.parent;
  return f;
}

/** True when a function expression runs where it stands (IIFE, .call/.apply, array callbacks). */
function invokedOnTheSpot(fn: AnyNode, parent: AnyNode | undefined, grand: AnyNode | undefined): boolean {
  if (!parent) return false;
  if (parent.type === 'CallExpression' && parent.callee === fn) return true;
  if (parent.type === 'MemberExpression' && parent.object === fn && grand?.type === 'CallExpression' && ['call', 'apply'].includes(parent.property.name)) return true;
  if (parent.type === 'CallExpression' && parent.arguments.includes(fn) && parent.callee.type === 'MemberExpression' && IMMEDIATE_CALLBACK.includes(parent.callee.property.name)) return true;
  return false;
}

export function checkHoisting(ast: Node, at: (n: Node) => number): Violation[] {
  const calls: Call[] = [];
  const onTheSpot = new Set<AnyNode>();
  const fnName: Map<AnyNode, { name: string; scope: Scope }> = new Map();

  function visit(node: AnyNode, scope: Scope, fns: AnyNode[], parent?: AnyNode, grand?: AnyNode): void {
    let inner = scope;
    let innerFns = fns;
    if (FUNCTION_TYPES.includes(node.type)) {
      if (node.type === 'FunctionDeclaration' && node.id) {
        declare(scope, node.id.name, node);
        fnName.set(node, { name: node.id.name, scope });
      }
      if (invokedOnTheSpot(node, parent, grand)) onTheSpot.add(node);
      inner = { parent: scope, fn: node, names: {} };
      if (node.type === 'FunctionExpression' && node.id) declare(inner, node.id.name, null);
      for (const p of node.params) declarePattern(inner, p);
      innerFns = fns.concat([node]);
      const body = node.body;
      if (body.type === 'BlockStatement') {
        for (const s of body.body) visit(s, inner, innerFns, body, node);
      } else visit(body, inner, innerFns, node, parent);
      return;
    }
    if (node.type === 'VariableDeclaration') {
      const target = node.kind === 'var' ? functionScope(scope) : scope;
      for (const d of node.declarations) {
        declarePattern(target, d.id);
        if (d.init && d.id.type === 'Identifier' && FUNCTION_TYPES.includes(d.init.type)) fnName.set(d.init, { name: d.id.name, scope: target });
      }
    }
    if (node.type === 'ClassDeclaration' && node.id) declare(scope, node.id.name, null);
    if (['BlockStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement', 'SwitchStatement', 'CatchClause'].includes(node.type)) {
      inner = { parent: scope, fn: scope.fn, names: {} };
      if (node.type === 'CatchClause' && node.param) declarePattern(inner, node.param);
    }
    if (node.type === 'CallExpression' && node.callee.type === 'Identifier') calls.push({ node, name: node.callee.name, scope: inner, fns: innerFns });
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (Array.isArray(v)) {
        for (const c of v) if (c && typeof c.type === 'string') visit(c, inner, innerFns, node, parent);
      } else if (v && typeof v.type === 'string' && key !== 'loc') visit(v, inner, innerFns, node, parent);
    }
  }

  const program = ast as AnyNode;
  const top: Scope = { parent: undefined, fn: program, names: {} };
  for (const s of program.body) visit(s, top, [program], program);

  function resolve(name: string, scope: Scope): Scope | undefined {
    for (let s: Scope | undefined = scope; s; s = s.parent) if (Object.prototype.hasOwnProperty.call(s.names, name)) return s;
    return undefined;
  }

  /** Where, in the body of `owner`, the call runs: its position, or Infinity when only later. */
  function runsAt(call: Call, owner: AnyNode, seen: Set<AnyNode>): number {
    const i = call.fns.indexOf(owner);
    if (i < 0) return Infinity;
    for (let k = i + 1; k < call.fns.length; k++) {
      const f = call.fns[k];
      if (onTheSpot.has(f)) continue;
      const named = fnName.get(f);
      if (!named || seen.has(f)) return Infinity;
      seen.add(f);
      let first = Infinity;
      for (const c of calls) {
        if (c.name !== named.name || resolve(c.name, c.scope) !== named.scope) continue;
        first = Math.min(first, runsAt(c, owner, seen));
      }
      return first;
    }
    return call.node.start;
  }

  const out: Violation[] = [];
  for (const call of calls) {
    const s = resolve(call.name, call.scope);
    const decl = s && s.names[call.name];
    if (!s || !decl || decl.start < call.node.start) continue;
    if (runsAt(call, s.fn, new Set()) < decl.start) out.push({ line: at(call.node), what: `${call.name}() called before its function declaration (line ${at(decl)}): Espruino does not hoist` });
  }
  return out;
}

/**
 * Espruino does not hoist `var` either: `function f(){ t = 5; return t; var t; }` assigns the
 * OUTER `t`, because the declaration only makes `t` local when execution reaches it (checked on
 * the real interpreter). Minifiers produce this shape (terser moves inlined parameters into a
 * `var` after the `return`). Reported: a reference to a name, directly in a function's own body
 * (not in a nested function, which runs later), that comes before the first `var` declaration of
 * that name in the same function, when no parameter or let/const of the function binds it.
 */
export function checkVarHoisting(ast: Node, at: (n: Node) => number): Violation[] {
  const out: Violation[] = [];
  const isFunction = (n: AnyNode) => FUNCTION_TYPES.includes(n.type);
  const children = (n: AnyNode): AnyNode[] => {
    const r: AnyNode[] = [];
    for (const key of Object.keys(n)) {
      if (key === 'loc') continue;
      const v = n[key];
      if (Array.isArray(v)) for (const c of v) c && typeof c.type === 'string' && r.push(c);
      else if (v && typeof v.type === 'string') r.push(v);
    }
    return r;
  };
  const check = (fn: AnyNode): void => {
    // First `var` position of each name in this function (not in nested functions); names a
    // parameter binds are local from the start.
    const firstVar = new Map<string, AnyNode>();
    const params = new Set<string>();
    const collectParams = (p: AnyNode) => {
      if (p.type === 'Identifier') params.add(p.name);
      else if (p.type === 'AssignmentPattern') collectParams(p.left);
    };
    for (const p of fn.params ?? []) collectParams(p);
    const nested: AnyNode[] = [];
    const scanVars = (n: AnyNode): void => {
      if (n !== fn && isFunction(n)) {
        nested.push(n);
        return;
      }
      if (n.type === 'VariableDeclaration' && n.kind === 'var')
        for (const d of n.declarations) if (d.id.type === 'Identifier' && !firstVar.has(d.id.name)) firstVar.set(d.id.name, d);
      for (const c of children(n)) scanVars(c);
    };
    scanVars(fn);
    if (firstVar.size > 0) {
      const refs = (n: AnyNode, parent: AnyNode | undefined): void => {
        if (n !== fn && isFunction(n)) return;
        if (n.type === 'Identifier' && firstVar.has(n.name) && !params.has(n.name)) {
          const decl = firstVar.get(n.name) as AnyNode;
          const isKey = parent && ((parent.type === 'MemberExpression' && parent.property === n && !parent.computed) || (parent.type === 'Property' && parent.key === n && !parent.computed));
          if (!isKey && n.start < decl.start)
            out.push({ line: at(n), what: `${n.name} used before its var declaration (line ${at(decl)}): Espruino does not hoist var, so this is the outer ${n.name}` });
        }
        for (const c of children(n)) refs(c, n);
      };
      refs(fn, undefined);
    }
    for (const f of nested) check(f);
  };
  check(ast as AnyNode);
  return out;
}
