// An esbuild plugin for the firmware build: empties the diagnostic message strings of
// shared/protocol (the `error` text of a failed decode, the message of an encoder's throw).
// The watch only ever sends the numeric status of a failure, never its text, and the texts are
// a third of the protocol's code: in flash they cost budget for nothing. The logic is untouched:
// only the message argument of these calls becomes "" (the bridge, built without this plugin,
// keeps every message).

import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';
import ts from 'typescript';

/** Callee name -> index of its message argument. */
const MESSAGE_ARG: Record<string, number> = {
  fail: 1,
  checkFrame: 1,
  checkLength: 1,
  checkRecord: 1,
  Error: 0,
  RangeError: 0,
  TypeError: 0,
};

export function stripDiagnostics(source: string, fileName: string): string {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const empty = (ctx: ts.TransformationContext) => {
    const visit = (node: ts.Node): ts.Node => {
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && ts.isIdentifier(node.expression)) {
        const i = MESSAGE_ARG[node.expression.text];
        const args = node.arguments;
        if (i !== undefined && args !== undefined && args.length > i) {
          const next = args.map((a, k) => (k === i ? ts.factory.createStringLiteral('') : (ts.visitNode(a, visit) as ts.Expression)));
          return ts.isCallExpression(node)
            ? ts.factory.updateCallExpression(node, node.expression, node.typeArguments, next)
            : ts.factory.updateNewExpression(node, node.expression, node.typeArguments, next);
        }
      }
      return ts.visitEachChild(node, visit, ctx);
    };
    return (root: ts.SourceFile) => ts.visitNode(root, visit) as ts.SourceFile;
  };
  const out = ts.transform(sf, [empty]);
  const text = ts.createPrinter().printFile(out.transformed[0]);
  out.dispose();
  return text;
}

export function stripDiagnosticsPlugin(filter: RegExp): Plugin {
  return {
    name: 'strip-diagnostics',
    setup(build) {
      build.onLoad({ filter }, async (args) => ({ contents: stripDiagnostics(await readFile(args.path, 'utf8'), args.path), loader: 'ts' }));
    },
  };
}
