/**
 * Finding a class's `#private` instance members from its source (core/private-members.ts): what
 * strings, template text, comments and regular expressions hold is no member; static ones are
 * fine; those of a class it extends count; helpers of compiled private members are found.
 */
import { describe, expect, it } from 'vitest';
import { codeOnly, privateMembersOf } from '../../../src/core/private-members.js';

describe('private members', () => {
  it('private members - fields, methods and accessors of the class and of the classes it extends; static ones are not', () => {
    class Priv {
      #secret = 1;
      static #count = 0;
      get secret(): number {
        return this.#secret + Priv.#count;
      }
      #hidden(): string {
        return '#fff';
      }
      shown(): string {
        return this.#hidden();
      }
    }
    class Sub extends Priv {
      #own = 2;
      own(): number {
        return this.#own;
      }
    }
    class Plain {
      private tsPrivate = 1;
      static #registry = new Map<string, number>();
      color = '#fff';
      re = /#x[#]/g;
      text = `#${'y'} and #z`;
      get registrySize(): number {
        return Plain.#registry.size + this.tsPrivate;
      }
      // #commented
      /* #blocked */
    }
    expect(privateMembersOf(Priv).sort()).toEqual(['#hidden', '#secret']);
    expect(privateMembersOf(Sub).sort()).toEqual(['#hidden (of Priv)', '#own', '#secret (of Priv)']);
    expect(privateMembersOf(Plain)).toEqual([]);
    expect(privateMembersOf(Map)).toEqual([]);
  });

  it('private members - code inside template substitutions is code; compiled helpers count', () => {
    class T {
      #n = 1;
      show(): string {
        return `n=${this.#n}`;
      }
    }
    expect(privateMembersOf(T)).toEqual(['#n']);
    const compiled = new Function('__privateAdd', '_secret', 'return class Old { constructor() { __privateAdd(this, _secret, 1); } }')(() => {}, new WeakMap()) as new () => unknown;
    expect(privateMembersOf(compiled)).toEqual(['#private members']);
    expect(codeOnly("a = '#x' + \"#y\" + `#z${b}` / 2; c = /#w/.test(d) // #v")).not.toMatch(/#/);
    expect(codeOnly('x = a / b / c; y = #q')).toContain('a / b / c');
  });
});
