/**
 * Rides and fares (Flink training, "rides-and-fares"): each taxi ride's START event enriched with
 * its fare, from two streams that arrive in their own order.
 *
 * As the training's solution: rides (START events only) keyed by rideId, fares keyed by rideId,
 * connected; a RichCoFlatMapFunction keeps whichever of the two comes first in keyed ValueState and
 * emits the pair when the other comes, so each ride is emitted once, with its fare. Printed as
 * `[rideId, totalFare]`.
 *   npx miniflink run -t local -p 2 examples/rides-and-fares.ts [rides, default 10000]
 */
import { RichCoFlatMapFunction, StreamExecutionEnvironment, ValueStateDescriptor, type Collector, type ValueState } from 'miniflink';
import { TaxiFareGenerator, TaxiRideGenerator, type TaxiFare, type TaxiRide } from './taxi-data.js';

/** The training's EnrichmentFunction. */
export class EnrichmentFunction extends RichCoFlatMapFunction<TaxiRide, TaxiFare, [TaxiRide, TaxiFare]> {
  private rideState!: ValueState<TaxiRide>;
  private fareState!: ValueState<TaxiFare>;
  override open(): void {
    this.rideState = this.getRuntimeContext().getState(new ValueStateDescriptor<TaxiRide>('saved ride'));
    this.fareState = this.getRuntimeContext().getState(new ValueStateDescriptor<TaxiFare>('saved fare'));
  }
  flatMap1(ride: TaxiRide, out: Collector<[TaxiRide, TaxiFare]>): void {
    const fare = this.fareState.value();
    if (fare !== null) {
      this.fareState.clear();
      out.collect([ride, fare]);
    } else this.rideState.update(ride);
  }
  flatMap2(fare: TaxiFare, out: Collector<[TaxiRide, TaxiFare]>): void {
    const ride = this.rideState.value();
    if (ride !== null) {
      this.rideState.clear();
      out.collect([ride, fare]);
    } else this.fareState.update(fare);
  }
}

const rides = Number(process.argv[2] ?? 10_000);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const starts = env
  .addSource(new TaxiRideGenerator(rides), 'rides')
  .filter((r) => r.isStart)
  .keyBy((r) => r.rideId);
const fares = env.addSource(new TaxiFareGenerator(rides), 'fares').keyBy((f) => f.rideId);
starts
  .connect(fares)
  .flatMap(new EnrichmentFunction())
  .uid('enrichment')
  .name('enrichment')
  .map(([ride, fare]) => [ride.rideId, fare.totalFare])
  .print();
await env.execute('Join Rides with Fares');
