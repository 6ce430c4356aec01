import { describe, expect, it } from 'vitest';
import { addJobExports, pojoTypeByName, setPojoWarningSink } from '../../../src/core/pojo-types.js';
import { copyRecord } from '../../../src/core/record-copy.js';
import { ExecutionConfig } from '../../../src/api/execution-config.js';

describe('pojo types', () => {
  it('pojo types - registerPojoType and registerKryoType register a class; the config lists them', () => {
    class A {}
    class B {}
    const config = new ExecutionConfig();
    config.registerPojoType(A);
    config.registerPojoType(A);
    config.registerKryoType(B);
    expect(config.getRegisteredPojoTypes()).toEqual([A]);
    expect(config.getRegisteredKryoTypes()).toEqual([B]);
    expect(config.getSerializerConfig().getRegisteredPojoTypes()).toEqual([A]);
    expect(pojoTypeByName('A')?.ctor).toBe(A);
    expect(pojoTypeByName('B')?.ctor).toBe(B);
    expect(copyRecord(new B())).toBeInstanceOf(B);
  });

  it('pojo types - a class can be registered under a name of its own', () => {
    class Reading {}
    new ExecutionConfig().registerPojoType(Reading, 'com.example.Reading');
    expect(pojoTypeByName('com.example.Reading')?.ctor).toBe(Reading);
  });

  it('pojo types - what is not a record class is refused with MF_ERR_INVALID_ARGUMENT', () => {
    const config = new ExecutionConfig();
    const refused = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return `${(e as { code?: string }).code}: ${(e as Error).message}`;
      }
      return 'accepted';
    };
    expect(refused(() => config.registerPojoType(undefined as never))).toMatch(/^MF_ERR_INVALID_ARGUMENT: registerPojoType takes a class/);
    expect(refused(() => config.registerPojoType(Map))).toMatch(/^MF_ERR_INVALID_ARGUMENT: .*built-in Map/);
    class MyList extends Array {}
    expect(refused(() => config.registerPojoType(MyList))).toMatch(/built-in Array/);
    class Named {}
    config.registerPojoType(Named, 'First');
    expect(refused(() => config.registerPojoType(Named, 'Second'))).toMatch(/already registered under the name 'First'/);
  });

  it("pojo types - a class the job module exports keeps its class without registration, once the module's exports are known", () => {
    const warnings: string[] = [];
    const previous = setPojoWarningSink((m) => warnings.push(m));
    try {
      class Exported {
        constructor(public v: number) {}
        twice(): number {
          return this.v * 2;
        }
      }
      // As a module namespace handed over before its classes are defined: reading them throws until then.
      const module: { ns?: Record<string, unknown> } = {};
      addJobExports(() => {
        if (module.ns === undefined) throw new ReferenceError('not initialized yet');
        return module.ns;
      });
      module.ns = { Exported, helper: () => 1, value: 3 };
      expect(copyRecord(new Exported(2)).twice()).toBe(4);
      expect(pojoTypeByName('Exported')?.ctor).toBe(Exported);
      expect(warnings).toEqual([]);
    } finally {
      setPojoWarningSink(previous);
    }
  });
});
