/**
 * WordCount: counts words of a few lines of text with a rolling keyed sum.
 *   npx tsx examples/word-count.ts
 *   npx miniflink run -t local -p 2 examples/word-count.ts
 */
import { StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env
  .fromElements('to be or not to be', 'that is the question', 'whether tis nobler in the mind to suffer')
  .flatMap<{ word: string; count: number }>((line, out) => {
    for (const word of line.split(/\s+/)) if (word) out.collect({ word, count: 1 });
  })
  .keyBy((r) => r.word)
  .sum('count')
  .print();
await env.execute('WordCount');
