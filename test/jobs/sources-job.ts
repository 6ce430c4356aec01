// Every built-in bounded source; arguments: <text file> <socket port>.
import { StreamExecutionEnvironment } from 'miniflink';

const [file, port] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const tagged = (src: string) => (v: unknown) => `${src}:${String(v)}`;
const all = env
  .fromElements('a', 'b')
  .map(tagged('elements'))
  .union(
    env.fromCollection(new Set([10, 20, 30])).map(tagged('collection')),
    env.fromSequence(5, 9).map(tagged('sequence')),
    env.readTextFile(file!).map(tagged('file')),
    env.socketTextStream('127.0.0.1', Number(port)).map(tagged('socket')),
  );
const out = await all.executeAndCollect('sources');
console.log(`RESULT ${JSON.stringify(out.sort())}`);
