// Espruino's Storage.writeJSON drops quotes on keys that are identifiers ({steps:107}) and
// Storage.readJSON accepts that back, along with single quotes and \xXX escapes. Node's
// JSON.parse rejects all three, so the simulator carries its own small reader and writer.

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Serialises like writeJSON: identifier keys unquoted, functions and undefined skipped. */
export function espruinoStringify(v: unknown): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'undefined' || typeof v === 'function') return undefined;
  if (ArrayBuffer.isView(v)) return espruinoStringify(Array.prototype.slice.call(v));
  if (Array.isArray(v)) return '[' + v.map((x) => espruinoStringify(x) ?? 'null').join(',') + ']';
  const o = v as Record<string, unknown>;
  if (typeof o.toJSON === 'function') return espruinoStringify(o.toJSON());
  const parts: string[] = [];
  for (const k of Object.keys(o)) {
    const s = espruinoStringify(o[k]);
    if (s !== undefined) parts.push((IDENT.test(k) ? k : JSON.stringify(k)) + ':' + s);
  }
  return '{' + parts.join(',') + '}';
}

/** Parses Espruino's liberal JSON. Throws a SyntaxError with the offset on bad input. */
export function espruinoParse(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`readJSON: ${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const str = (q: string): string => {
    let out = '';
    i++;
    while (i < text.length && text[i] !== q) {
      let c = text[i++];
      if (c === '\\') {
        c = text[i++];
        const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '0': '\0' };
        if (c === 'x' || c === 'u') {
          const n = c === 'x' ? 2 : 4;
          const hex = text.slice(i, i + n);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail('bad escape');
          c = String.fromCharCode(parseInt(hex, 16));
          i += n;
        } else if (c in simple) c = simple[c];
        else if (c === undefined) fail('unterminated string');
      }
      out += c;
    }
    if (text[i] !== q) fail('unterminated string');
    i++;
    return out;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') return i++, o;
      for (;;) {
        ws();
        let key: string;
        if (text[i] === '"' || text[i] === "'") key = str(text[i]);
        else {
          const m = /^[A-Za-z0-9_$]+/.exec(text.slice(i));
          if (!m) fail('expected a key');
          key = m![0];
          i += key.length;
        }
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        o[key] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return i++, o;
        else fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const a: unknown[] = [];
      ws();
      if (text[i] === ']') return i++, a;
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return i++, a;
        else fail("expected ',' or ']'");
      }
    }
    if (c === '"' || c === "'") return str(c);
    const m = /^(-?(?:0x[0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)|true|false|null|undefined)/.exec(text.slice(i));
    if (!m) fail('unexpected ' + (c === undefined ? 'end' : JSON.stringify(c)));
    i += m![0].length;
    const w = m![0];
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
    if (w === 'undefined') return undefined;
    return Number(w);
  };
  const v = value();
  ws();
  if (i < text.length) fail('trailing characters');
  return v;
}
