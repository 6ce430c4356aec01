/**
 * Strings as msgpack keeps them: its UTF-8 has no lone surrogates (ES2024's isWellFormed and
 * toWellFormed; Node 20 has both, the TypeScript library of this project's target does not).
 */

/** Whether a string is valid UTF-16 (no lone surrogate): what msgpack's UTF-8 keeps. */
export const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** An object key as it comes back from msgpack: each lone surrogate made U+FFFD. */
export const msgpackKey = (k: string): string => (wellFormed(k) ? k : (k as unknown as { toWellFormed(): string }).toWellFormed());
