/**
 * Long ride alerts (Flink training, "long-ride-alerts"): the ids of taxi rides that last more than
 * two hours, as soon as that is known, from a stream of START and END events that are somewhat out
 * of order (an END may even precede its START).
 *
 * As the training's solution: timestamps and watermarks from assignTimestampsAndWatermarks with
 * forBoundedOutOfOrderness(60 s); per ride (keyBy rideId) a KeyedProcessFunction keeps the first
 * event it sees in ValueState and, for a START, sets an event-time timer two hours after the start.
 * The END, when it comes first or before the timer, decides; otherwise the timer fires: the ride is
 * still going after two hours. Each long ride is reported exactly once.
 *   npx miniflink run -t local -p 2 examples/long-ride-alerts.ts [rides, default 10000] [ms to sleep per event, default 0]
 */
import {
  Duration,
  KeyedProcessFunction,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type KeyedProcessContext,
  type OnTimerContext,
  type ValueState,
} from 'miniflink';
import { TaxiRideGenerator, type TaxiRide } from './taxi-data.js';

const TWO_HOURS = Duration.ofHours(2).toMillis();

/** The training's AlertFunction. */
export class AlertFunction extends KeyedProcessFunction<number, TaxiRide, number> {
  private rideState!: ValueState<TaxiRide>;
  override open(): void {
    this.rideState = this.getRuntimeContext().getState(new ValueStateDescriptor<TaxiRide>('ride event'));
  }
  processElement(ride: TaxiRide, ctx: KeyedProcessContext<number>, out: Collector<number>): void {
    const firstRideEvent = this.rideState.value();
    if (firstRideEvent === null) {
      // Whatever event comes first, remember it; a START may go on too long without an END.
      this.rideState.update(ride);
      if (ride.isStart) ctx.timerService().registerEventTimeTimer(timerTime(ride));
      return;
    }
    if (ride.isStart) {
      if (rideTooLong(ride, firstRideEvent)) out.collect(ride.rideId);
    } else {
      // The first event was the START: its timer has not fired (else the state would be empty).
      ctx.timerService().deleteEventTimeTimer(timerTime(firstRideEvent));
      if (rideTooLong(firstRideEvent, ride)) out.collect(ride.rideId);
    }
    // Both events seen: the state can go.
    this.rideState.clear();
  }
  override onTimer(_timestamp: number, _ctx: OnTimerContext<number>, out: Collector<number>): void {
    // Fires only for a ride still going two hours after its start.
    out.collect(this.rideState.value()!.rideId);
    // Clearing prevents a second alert when the END comes (whose event is then kept, as the
    // training's solution does).
    this.rideState.clear();
  }
}

/** Whether the ride lasted more than two hours. */
function rideTooLong(start: TaxiRide, end: TaxiRide): boolean {
  return end.eventTime - start.eventTime > TWO_HOURS;
}

/** Two hours after the START. */
function timerTime(start: TaxiRide): number {
  return start.eventTime + TWO_HOURS;
}

const rides = Number(process.argv[2] ?? 10_000);
const sleepMillisPerEvent = Number(process.argv[3] ?? 0);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env
  .addSource(new TaxiRideGenerator(rides, sleepMillisPerEvent), 'Taxi Rides')
  .uid('rides')
  .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<TaxiRide>(Duration.ofSeconds(60)).withTimestampAssigner((ride) => ride.eventTime))
  .keyBy((ride) => ride.rideId)
  .process(new AlertFunction())
  .uid('alerts')
  .print();
await env.execute('Long Taxi Rides');
