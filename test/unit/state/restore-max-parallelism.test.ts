/**
 * Max parallelism on restore (issue 9, A13): a job that did not set max parallelism takes it from
 * the snapshot it restores, as Flink does, so a restore that crosses the default's boundary
 * (p <= 85 gives 128 key groups, p >= 86 gives 256) keeps its key groups; a job that set a
 * different value explicitly (operator, environment or pipeline.max-parallelism) is refused with
 * a clear error, and so is a parallelism above the snapshot's max parallelism. Checked on the
 * submission (what the JobManager runs and what slot threads rebuild), without starting threads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyedProcessFunction, setExecutionContext, StreamExecutionEnvironment, type Collector, type KeyedProcessContext } from '../../../src/api/index.js';
import { writeMetadata, writeState, type CheckpointMetadata } from '../../../src/checkpoint/metadata.js';
import { packValue } from '../../../src/core/serde.js';
import { generateJobGraph, generateStreamGraph, withMaxParallelism } from '../../../src/graph/index.js';
import { buildSubmission, restoredSubmission } from '../../../src/runtime/job-submission.js';
import { SNAPSHOT_FORMAT_VERSION, type OperatorSnapshot } from '../../../src/state/index.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-maxp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

class Count extends KeyedProcessFunction<number, number, string> {
  processElement(x: number, _ctx: KeyedProcessContext<number>, out: Collector<string>): void {
    out.collect(String(x));
  }
}

interface Options {
  parallelism: number;
  configuration?: Record<string, string>;
  envMaxParallelism?: number;
  operatorMaxParallelism?: number;
}

/** The test job (numbers -> keyBy -> count -> discard) as a slot thread or the client builds it. */
function pipeline(o: Options) {
  setExecutionContext({
    executor: {
      execute: async () => {
        throw new Error('not in unit tests');
      },
    },
    parallelism: o.parallelism,
    configuration: o.configuration ?? {},
  });
  let env: StreamExecutionEnvironment;
  try {
    env = StreamExecutionEnvironment.getExecutionEnvironment();
  } finally {
    setExecutionContext(undefined);
  }
  if (o.envMaxParallelism !== undefined) env.setMaxParallelism(o.envMaxParallelism);
  const counted = env
    .fromSequence(1, 10)
    .uid('numbers')
    .keyBy((x) => x % 7)
    .process(new Count())
    .uid('count');
  if (o.operatorMaxParallelism !== undefined) counted.setMaxParallelism(o.operatorMaxParallelism);
  counted.addSink({ invoke: () => undefined }).uid('sink');
  return { jobName: 'max parallelism', env, programPath: '/nowhere/job.ts' };
}

const program = { path: '/nowhere/job.ts', args: [] };

/** A savepoint of the test job's keyed operator at `parallelism` with `maxParallelism` key groups. */
function savepoint(name: string, parallelism: number, maxParallelism: number): string {
  const fresh = buildSubmission(pipeline({ parallelism, configuration: { 'pipeline.max-parallelism': String(maxParallelism) } }), program);
  const count = fresh.job.vertices.find((v) => v.name.includes('Process'))!;
  const handles = Array.from({ length: parallelism }, (_, i) => {
    const start = Math.ceil((i * maxParallelism) / parallelism);
    const end = Math.ceil(((i + 1) * maxParallelism) / parallelism) - 1;
    const snap: OperatorSnapshot = {
      version: SNAPSHOT_FORMAT_VERSION,
      keyed: { maxParallelism, startKeyGroup: start, endKeyGroup: end, states: [] },
    };
    return writeState(packValue(snap), { operatorId: count.id, subtaskIndex: i, keyGroupRange: [start, end], hasOperatorState: false }, 'none', undefined);
  });
  const metadata: CheckpointMetadata = {
    version: 2,
    jobId: '0'.repeat(32),
    checkpointId: 7,
    timestamp: 0,
    kind: 'savepoint',
    operators: [{ operatorId: count.id, uid: 'count', name: count.name, parallelism, maxParallelism, handles }],
  };
  const dir = join(root, name);
  writeMetadata(dir, metadata);
  return dir;
}

const restore = (path: string) => ({ savepointPath: path, allowNonRestoredState: false });
const countVertex = (job: { vertices: readonly { name: string; maxParallelism: number; id: string }[] }) => job.vertices.find((v) => v.name.includes('Process'))!;

describe('max parallelism on restore', () => {
  const sp128 = savepoint('p2-128', 2, 128);

  it('max parallelism - a job restored at p=100 (default 256) without setting it takes 128 from the snapshot; slot threads build the same graph', () => {
    const s = buildSubmission(pipeline({ parallelism: 100 }), program, restore(sp128));
    expect(countVertex(s.job).maxParallelism).toBe(128);
    expect(s.restore?.checkpointId).toBe(7);
    // What a slot thread does: build the graph from the program, apply the program's values.
    const rebuilt = generateJobGraph(generateStreamGraph(pipeline({ parallelism: 100 }).env, 'max parallelism'));
    expect(countVertex(rebuilt).maxParallelism).toBe(256);
    expect(withMaxParallelism(rebuilt, s.program.restoredMaxParallelism).fingerprint).toBe(s.job.fingerprint);
    expect(rebuilt.fingerprint).not.toBe(s.job.fingerprint);
  });

  it('max parallelism - restoring again a submission that took it (a rescale falling back to the old graph) changes nothing', () => {
    const s = buildSubmission(pipeline({ parallelism: 100 }), program, restore(sp128));
    const again = restoredSubmission(s, sp128, false);
    expect(again.job.fingerprint).toBe(s.job.fingerprint);
    expect(again.program.restoredMaxParallelism).toEqual(s.program.restoredMaxParallelism);
  });

  it('max parallelism - at p=86, the first parallelism whose default is 256, too', () => {
    const s = buildSubmission(pipeline({ parallelism: 86 }), program, restore(sp128));
    expect(countVertex(s.job).maxParallelism).toBe(128);
  });

  it('max parallelism - a snapshot with 256 key groups restored at p=2 (default 128) keeps 256', () => {
    const s = buildSubmission(pipeline({ parallelism: 2 }), program, restore(savepoint('p4-256', 4, 256)));
    expect(countVertex(s.job).maxParallelism).toBe(256);
  });

  it('max parallelism - without a restore nothing changes', () => {
    const s = buildSubmission(pipeline({ parallelism: 100 }), program);
    expect(countVertex(s.job).maxParallelism).toBe(256);
  });

  it.each([
    ['pipeline.max-parallelism', { configuration: { 'pipeline.max-parallelism': '256' } }],
    ['env.setMaxParallelism', { envMaxParallelism: 256 }],
    ['the operator setMaxParallelism', { operatorMaxParallelism: 256 }],
  ])('max parallelism - set explicitly to another value (%s): refused with a clear error', (_what, o) => {
    expect(() => buildSubmission(pipeline({ parallelism: 100, ...o }), program, restore(sp128))).toThrow(
      /The maximum parallelism \(256\) of the restored job is not identical to the maximum parallelism \(128\) of operator/,
    );
  });

  it('max parallelism - set explicitly to the snapshot value: restores', () => {
    const s = buildSubmission(pipeline({ parallelism: 100, configuration: { 'pipeline.max-parallelism': '128' } }), program, restore(sp128));
    expect(countVertex(s.job).maxParallelism).toBe(128);
  });

  it('max parallelism - a parallelism above the snapshot max parallelism is refused, as in Flink', () => {
    expect(() => buildSubmission(pipeline({ parallelism: 200 }), program, restore(sp128))).toThrow(
      /The maximum parallelism \(128\) of the restored state is lower than the configured parallelism \(200\)/,
    );
  });
});
