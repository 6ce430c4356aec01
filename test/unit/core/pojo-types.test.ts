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

  it('pojo types - one job registering two different classes under one name is refused, naming both; a name may be given to one of them', () => {
    // The reproducer: two classes named Pt (one made by a factory), registered by one job.
    const A = class Pt {
      constructor(public x = 0) {}
      kind(): string {
        return 'A';
      }
    };
    const B = (() =>
      class Pt {
        constructor(public x = 0) {}
        kind(): string {
          return 'B';
        }
      })();
    const config = new ExecutionConfig();
    config.registerPojoType(A);
    let thrown: unknown;
    try {
      config.registerKryoType(B);
    } catch (e) {
      thrown = e;
    }
    expect((thrown as { code?: string })?.code).toBe('MF_ERR_INVALID_ARGUMENT');
    expect((thrown as Error).message).toMatch(/^registerPojoType: the class Pt \(class Pt \{.*\) and the class Pt \(class Pt \{.*\), registered before, are two different classes under the name 'Pt': records of one would come back as the other\. Register one of them under a name of its own: registerPojoType\(cls, 'OtherPt'\)\.$/);
    // Nothing changed: records named Pt are still A's.
    expect(pojoTypeByName('Pt')?.ctor).toBe(A);
    expect((copyRecord(new A(1)) as InstanceType<typeof A>).kind()).toBe('A');
    config.registerPojoType(B, 'PtB');
    expect(pojoTypeByName('PtB')?.ctor).toBe(B);
    expect((copyRecord(new B(2)) as InstanceType<typeof B>).kind()).toBe('B');
    // The same class again, and another job (a restarted attempt's module) re-registering the name, are fine.
    config.registerPojoType(A);
    const Again = class Pt {};
    new ExecutionConfig().registerPojoType(Again);
    expect(pojoTypeByName('Pt')?.ctor).toBe(Again);
  });

  it('pojo types - two different exported classes of one name are refused when records of one are first copied', () => {
    const A = class Twin {
      a = 1;
    };
    const B = (() =>
      class Twin {
        b = 2;
      })();
    addJobExports(() => ({ A, B }));
    expect(() => copyRecord(new B())).toThrow(/The job module exports two different classes named Twin \(exports 'B' and 'A'\): records of one would come back as the other\. Register them under names of their own/);
  });

  it('pojo types - a class with #private instance members (its own or inherited) is refused with MF_ERR_SERIALIZATION naming the class and the members', () => {
    class Priv {
      #secret = 1;
      constructor(public a = 0) {}
      get secret(): number {
        return this.#secret;
      }
      bump(): this {
        this.#secret++;
        return this;
      }
    }
    class SubPriv extends Priv {}
    const refused = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return `${(e as { code?: string }).code}: ${(e as Error).message}`;
      }
      return 'accepted';
    };
    expect(refused(() => new ExecutionConfig().registerPojoType(Priv))).toBe(
      "MF_ERR_SERIALIZATION: The class Priv has the ECMAScript private member #secret, which no copy or serialization can carry: its instances would lose it between operators, between tasks and in state (and methods that use it would throw). Use ordinary fields in records and state (TypeScript's `private` keyword is fine), as Flink's POJO rules want fields a serializer can reach.",
    );
    expect(refused(() => new ExecutionConfig().registerPojoType(SubPriv, 'Sub'))).toMatch(/^MF_ERR_SERIALIZATION: The class Sub has the ECMAScript private member #secret \(of Priv\), which/);
    expect(pojoTypeByName('Priv')).toBeUndefined();
    // Exported (registered on first sight): the copy fails, naming the class, instead of losing the field.
    class Hidden {
      #n = 5;
      n(): number {
        return this.#n;
      }
    }
    addJobExports(() => ({ Hidden }));
    expect(refused(() => copyRecord(new Hidden(), "'Map' (1/1)"))).toMatch(/^MF_ERR_SERIALIZATION: Operator 'Map' \(1\/1\): Could not copy record \{\} for the next operator: The class Hidden has the ECMAScript private member #n, which no copy/);
    // TypeScript's `private` is an ordinary field, and static #private members stay with the class.
    class Fine {
      private x = 1;
      static #instances = 0;
      constructor() {
        Fine.#instances++;
      }
      static made(): number {
        return Fine.#instances;
      }
      get value(): number {
        return this.x;
      }
    }
    new ExecutionConfig().registerPojoType(Fine);
    expect(copyRecord(new Fine()).value).toBe(1);
    expect(Fine.made()).toBe(1);
  });
});
