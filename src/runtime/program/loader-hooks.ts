/**
 * Node module hooks (module.register) for job modules, on top of tsx's:
 * - `import 'miniflink'` from a job module resolves to this running miniflink, wherever the
 *   module lives (an uploaded file, a folder without node_modules);
 * - a `.ts` job module is always an ES module, even in a folder whose package.json does not say
 *   "type": "module" (tsx would compile it to CommonJS, where top-level await fails).
 */
const OWN_ENTRY = new URL('../../index.js', import.meta.url).href;
const OWN_ROOT = new URL('../../', import.meta.url).href;

type Resolve = (specifier: string, context: { parentURL?: string | undefined }, next: NextResolve) => Promise<ResolveResult>;
type NextResolve = (specifier: string, context?: { parentURL?: string | undefined }) => Promise<ResolveResult>;
interface ResolveResult {
  url: string;
  format?: string | null | undefined;
  shortCircuit?: boolean;
}

/** The resolve hook. */
export const resolve: Resolve = async (specifier, context, next) => {
  if (specifier === 'miniflink') return { url: OWN_ENTRY, format: 'module', shortCircuit: true };
  if (specifier.startsWith('miniflink/')) {
    const sub = specifier.slice('miniflink/'.length);
    if (sub === 'internal') return { url: new URL('internal.js', OWN_ROOT).href, format: 'module', shortCircuit: true };
  }
  const r = await next(specifier, context);
  if (/\.(ts|mts|tsx)$/.test(new URL(r.url).pathname) && !r.url.includes('/node_modules/')) return { ...r, format: 'module' };
  return r;
};
