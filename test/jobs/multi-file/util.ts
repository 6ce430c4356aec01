/** Another .ts file of the multi-file job, imported as './util.js'. */
export function label(n: number): string {
  return `#${String(n).padStart(2, '0')}`;
}
