import { RichSourceFunction, Watermark, type SourceContext } from 'miniflink';
export type Step = { k?: string; v?: number; t?: number } | { wm: number } | { sleep: number } | { nots: true; k: string; v: number };
export interface Ev { k: string; v: number; t: number }
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Plays steps: e(k,v,t) collectWithTimestamp; W(n) emitWatermark; sleep. */
export class Script extends RichSourceFunction<Ev> {
  constructor(private readonly steps: Step[]) { super(); }
  async run(ctx: SourceContext<Ev>): Promise<void> {
    for (const s of this.steps) {
      if ('wm' in s) ctx.emitWatermark(new Watermark(s.wm));
      else if ('sleep' in s) await sleep(s.sleep);
      else if ('nots' in s) await ctx.collect({ k: s.k, v: s.v, t: NaN });
      else await ctx.collectWithTimestamp(s as Ev, (s as Ev).t);
    }
  }
  cancel(): void {}
}
export const e = (k: string, v: number, t: number): Step => ({ k, v, t });
export const W = (wm: number): Step => ({ wm });
export const S = (ms: number): Step => ({ sleep: ms });
