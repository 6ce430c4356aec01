// The packages test/integration/bundle.test.ts writes into node_modules of a copy of this folder.
declare module 'mf-fake-pkg' {
  export function shout(word: string): string;
}
declare module 'mf-fake-native' {
  export function native(): string;
}
