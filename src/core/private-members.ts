/**
 * Finds the ECMAScript `#private` instance members of a class, from its source text (there is no
 * reflection for them). Record copies and serialization (record-copy.ts, serde.ts) make instances
 * from a class's prototype and its own enumerable fields, so `#private` fields do not come along,
 * and a method that reads one throws on the copy: a class that has them cannot be a POJO type.
 *
 * The source of the class and of each class it extends is read with strings, template text,
 * comments and regular expressions blanked out, so `'#fff'` is no member. Static members
 * (`static #count`) stay with the class and are fine. Private members compiled to WeakMaps
 * (esbuild's and TypeScript's helpers for older targets) are found by the helper's call on `this`.
 */

/** The `#private` instance members of a class and the classes it extends (`#name`, or `#private members` when compiled away). */
export function privateMembersOf(cls: abstract new (...args: never[]) => unknown): string[] {
  const found: string[] = [];
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    let source: string;
    try {
      source = Function.prototype.toString.call(c);
    } catch {
      break;
    }
    if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) break;
    const own = instancePrivateNames(codeOnly(source));
    const of = c === cls ? '' : ` (of ${(c as { name?: string }).name || 'a class it extends'})`;
    for (const n of own) found.push(`${n}${of}`);
  }
  return found;
}

const NAME = '[A-Za-z_$\\u00a0-\\uffff][\\w$\\u00a0-\\uffff]*';
/** A private name, with `static` (and a modifier) before it when it declares a static member. */
const PRIVATE = new RegExp(`(\\bstatic\\s*(?:(?:async|get|set)\\b\\s*)*\\*?\\s*)?#(${NAME})`, 'g');
/** Helpers that compilers emit for private instance members on older targets (esbuild, TypeScript, Babel). */
const HELPERS = /\b(?:__privateAdd|__privateMethod|__classPrivateFieldGet|__classPrivateFieldSet|_classPrivateFieldInitSpec|_classPrivateMethodInitSpec)\s*\(\s*this\b/;

function instancePrivateNames(code: string): string[] {
  const names = new Set<string>();
  const statics = new Set<string>();
  for (const m of code.matchAll(PRIVATE)) (m[1] !== undefined ? statics : names).add(m[2]!);
  for (const s of statics) names.delete(s);
  const out = [...names].map((n) => `#${n}`);
  if (out.length === 0 && HELPERS.test(code)) out.push('#private members');
  return out;
}

/** Characters after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const KEYWORDS_BEFORE_REGEX = /(?:^|[^\w$])(?:return|typeof|instanceof|in|of|new|delete|void|throw|case|do|else|yield|await)$/;

/**
 * The source with the text of strings, template literals (their substitutions stay: they are
 * code), comments and regular expression literals replaced by spaces. A lexer good enough for
 * what Function.prototype.toString returns of a class.
 */
export function codeOnly(src: string): string {
  const out: string[] = [];
  const n = src.length;
  /** Brace depth at each open template substitution. */
  const substitutions: number[] = [];
  let braces = 0;
  let prev = '';
  let i = 0;
  const skipTemplateText = (from: number): number => {
    // From just after '`' or the '}' that closes a substitution, to just after '`' or '${'.
    let j = from;
    while (j < n) {
      const c = src[j]!;
      if (c === '\\') j += 2;
      else if (c === '`') return j + 1;
      else if (c === '$' && src[j + 1] === '{') {
        substitutions.push(braces);
        return j + 2;
      } else j++;
    }
    return n;
  };
  while (i < n) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const e = src.indexOf('\n', i);
      i = e < 0 ? n : e;
      continue;
    }
    if (c === '/' && next === '*') {
      const e = src.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
      out.push(' ');
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      i = j + 1;
      out.push(' ');
      prev = c;
      continue;
    }
    if (c === '`') {
      i = skipTemplateText(i + 1);
      out.push(' ');
      prev = '`';
      continue;
    }
    if (c === '}' && substitutions.length > 0 && substitutions[substitutions.length - 1] === braces) {
      substitutions.pop();
      i = skipTemplateText(i + 1);
      out.push(' ');
      prev = '`';
      continue;
    }
    if (c === '/' && (BEFORE_REGEX.has(prev) || (prev === 'a' && KEYWORDS_BEFORE_REGEX.test(src.slice(Math.max(0, i - 16), i).trimEnd())))) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== '\n') {
        const d = src[j]!;
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      j++;
      while (j < n && /[a-z]/i.test(src[j]!)) j++;
      i = j;
      out.push(' ');
      prev = '/';
      continue;
    }
    if (c === '{') braces++;
    else if (c === '}') braces--;
    out.push(c);
    if (!/\s/.test(c)) prev = /[\w$#]/.test(c) ? 'a' : c;
    i++;
  }
  return out.join('');
}
