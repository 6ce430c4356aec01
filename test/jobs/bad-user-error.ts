// A map function that throws on one record.
import { StreamExecutionEnvironment } from 'miniflink';

function parsePrice(s: string): number {
  const n = Number(s);
  if (Number.isNaN(n)) throw new TypeError(`not a price: '${s}'`);
  return n;
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromElements('1.5', '2', 'abc', '4').map(parsePrice).print();
await env.execute('user error');
