/**
 * Recovery benchmark (issue #9's fault injection, timed): a keyed job holding BENCH_KEYS keys of
 * ValueState (bench/jobs/recovery-job.ts) takes one checkpoint with every key, then faults are
 * injected one after another and each recovery is timed from the fault to the first record the
 * sink emits after the restore, in phases read from the timestamps the runtime records:
 *
 *   fault ─ detection ─ failure in the exception history (= job RESTARTING)
 *         ─ cancel ──── every subtask of the failed attempt ended (CANCELED/FAILED)
 *         ─ restart delay ─ job RUNNING again (the restart strategy's backoff: 0 ms here)
 *         ─ slot wait ─ the keyed subtask DEPLOYING (a lost slot thread replaced first)
 *         ─ deploy ──── the keyed subtask INITIALIZING (job module loaded in the slot thread)
 *         ─ restore ─── the keyed subtask RUNNING (its keyed state restored, operators opened)
 *         ─ first record ─ the sink's first record of the new attempt (its own Date.now())
 *
 * Faults: a subtask failure (JobMaster.injectSubtaskFailure, what POST
 * /jobs/:id/vertices/:vid/subtasks/:i/fail does), a killed TaskManager (MiniCluster.killTaskManager,
 * POST /taskmanagers/:tm/kill: its slot threads are terminated, seen at once by their exit event),
 * and a hung slot thread (a user function blocks it: only the heartbeat finds it). Every restore of
 * one job reads the same checkpoint. Then the same checkpoint's state file is restored again in this
 * thread alone (decode, then insert into a fresh backend), to split the restore.
 *
 *   npm run bench:recovery
 *   BENCH_KEYS=10000 BENCH_RUNS=1 BENCH_ONLY=hashmap npx tsx bench/recovery.ts
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildSubmission,
  captureProgram,
  compileProgram,
  decompress,
  discardCompiledProgram,
  HeapKeyedStateBackend,
  KeyGroupRange,
  LevelDbKeyedStateBackend,
  MiniCluster,
  requiredSlots,
  unpackValue,
  type JobMaster,
} from 'miniflink/internal';

const KEYS = Number(process.env['BENCH_KEYS'] ?? 1_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
/**
 * heartbeat.interval and heartbeat.timeout of each backend's cluster. The hang case (hashmap) wants
 * a short timeout; the LevelDB job keeps Flink's defaults, because its restore of 1 million keys
 * blocks the slot thread for 5 to 14 s in one stretch here (no heartbeat answered meanwhile), so a
 * 5 s timeout took the restoring thread for a hung one and killed it (a second restart).
 */
const HEARTBEAT: Record<Backend, { intervalMs: number; timeoutMs: number }> = {
  hashmap: { intervalMs: 1000, timeoutMs: 5000 },
  leveldb: { intervalMs: 10_000, timeoutMs: 50_000 },
};
/** How long a recovered job runs before the next fault. */
const SETTLE_MS = 1000;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

type Backend = 'hashmap' | 'leveldb';
type Fault = 'subtask failure' | 'TaskManager killed' | 'slot thread hangs (heartbeat)';
const PHASES = ['detection', 'cancel', 'restart delay', 'slot wait', 'deploy', 'restore', 'first record', 'total'] as const;
type Phase = (typeof PHASES)[number];
/** The phases of one recovery, and the longest time the slot thread's event loop was blocked during it. */
type Sample = Record<Phase, number> & { stall: number };

const only = process.env['BENCH_ONLY'];
/** A case: a backend, a fault, and whether the job runs with local recovery (state.backend.local-recovery). */
interface Case {
  readonly backend: Backend;
  readonly fault: Fault;
  readonly local?: boolean;
}
const allCases: Case[] = [
  { backend: 'hashmap', fault: 'subtask failure' },
  { backend: 'hashmap', fault: 'TaskManager killed' },
  { backend: 'hashmap', fault: 'slot thread hangs (heartbeat)' },
  { backend: 'hashmap', fault: 'subtask failure', local: true },
  { backend: 'leveldb', fault: 'subtask failure' },
  { backend: 'leveldb', fault: 'TaskManager killed' },
  { backend: 'leveldb', fault: 'subtask failure', local: true },
];
const caseName = (c: Case) => `${c.backend}${c.local === true ? ' (local recovery)' : ''}: ${c.fault}`;
const cases = allCases.filter((c) => only === undefined || new RegExp(only).test(caseName(c)));
/** A job per backend and local recovery setting. */
type JobKind = `${Backend}${'' | ' (local recovery)'}`;
const jobKind = (c: Case): JobKind => (c.local === true ? `${c.backend} (local recovery)` : c.backend);

/** One line of the job's marker file: `<word> <attempt> <ts> ...`. */
interface Marker {
  readonly word: string;
  readonly attempt: number;
  readonly ts: number;
  readonly rest: number[];
}

function markers(file: string): Marker[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [word, attempt, ts, ...rest] = l.split(' ');
      return { word: word!, attempt: Number(attempt), ts: Number(ts), rest: rest.map(Number) };
    });
}

/** Polls `f` every 20 ms until it returns something, failing after `timeoutMs` with `what`. */
async function waitFor<T>(f: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}`);
    await sleep(20);
  }
}

interface CheckpointSample {
  loadMs: number;
  durationMs: number;
  syncMs: number;
  asyncMs: number;
  rawSize: number;
  stateSize: number;
  /** The state file restored again in this thread: md5, decompress and unpack; then into a fresh backend. */
  decodeMs: number;
  insertMs: number;
  /** The longest time the slot thread's event loop was blocked during the checkpoint, ms. */
  stallMs: number;
}

/** The longest event-loop block of the slot thread that ended between `from` and `to` (0: none over 200 ms). */
const longestStall = (file: string, from: number, to: number) => Math.max(0, ...markers(file).filter((m) => m.word === 'stall' && m.ts >= from && m.ts <= to).map((m) => m.rest[0]!));

const samples = new Map<string, Sample[]>(cases.map((c) => [caseName(c), []]));
const checkpoints = new Map<JobKind, CheckpointSample[]>();

/** Injects `fault` into the running job; returns when it happened (Date.now()). */
async function inject(fault: Fault, jm: JobMaster, cluster: MiniCluster, keyedVertex: string, markerFile: string, hangFile: string): Promise<number> {
  if (fault === 'subtask failure') {
    const t = Date.now();
    jm.injectSubtaskFailure(keyedVertex, 0);
    return t;
  }
  if (fault === 'TaskManager killed') {
    const t = Date.now();
    cluster.killTaskManager(cluster.taskManagers[0]!.id, 'killed by bench/recovery.ts');
    return t;
  }
  // The source sees the file within 10 ms and writes when it starts blocking its thread.
  writeFileSync(hangFile, '');
  const attempt = jm.attempt;
  return (await waitFor(() => markers(markerFile).find((m) => m.word === 'hang' && m.attempt === attempt), 10_000, () => 'the source to hang')).ts;
}

/** Injects one fault, waits for the first record after the restore, and reads the phases. */
async function recover(fault: Fault, jm: JobMaster, cluster: MiniCluster, keyedVertex: string, markerFile: string, hangFile: string): Promise<Sample> {
  const attempt = jm.attempt;
  const failures = jm.failures.length;
  // The failed attempt's subtasks: the JobMaster keeps updating these objects until they end.
  const old = [...jm.subtasks.values()];
  const t0 = await inject(fault, jm, cluster, keyedVertex, markerFile, hangFile);
  const first = await waitFor(
    () => {
      if (jm.status === 'FAILED' || jm.status === 'CANCELED' || jm.status === 'FINISHED') throw new Error(`${fault}: the job is ${jm.status}: ${jm.failure?.name}: ${jm.failure?.message}\n${jm.failure?.stack ?? ''}`);
      return markers(markerFile).find((m) => m.word === 'first' && m.attempt > attempt);
    },
    300_000,
    () => `the first record after ${fault} (job ${jm.status}, attempt ${jm.attempt}; failures since the fault: ${JSON.stringify(jm.failures.slice(failures).map((x) => `${x.error.name}: ${x.error.message}`))})`,
  );
  if (first.attempt !== attempt + 1 || jm.attempt !== attempt + 1) throw new Error(`${fault}: expected one restart (attempt ${attempt + 1}), the job is at attempt ${jm.attempt}: ${JSON.stringify(jm.failures.slice(failures).map((f) => f.error.message))}`);
  // The count restored from the checkpoint holds every key once: the first record counts 2.
  if (first.rest[1]! < 2) throw new Error(`${fault}: the first record after the restore is ${JSON.stringify(first.rest)}: the keyed state was not restored`);
  const failure = jm.failures[failures];
  if (!failure) throw new Error(`${fault}: no failure in the exception history`);
  const ended = Math.max(...old.map((s) => s.timestamps.CANCELED ?? s.timestamps.FAILED ?? s.timestamps.FINISHED ?? NaN));
  const running = jm.statusTimestamps.RUNNING!;
  // The keyed subtask's RUNNING reaches the JobMaster as a message of its thread: under load it
  // can come after the source's marker of the first record (an npm test run saw it missing).
  const keyed = await waitFor(
    () => {
      const ts = jm.subtasks.get(`${keyedVertex}/0`)!.timestamps;
      return ts.RUNNING !== undefined ? ts : undefined;
    },
    10_000,
    () => `the keyed subtask to report RUNNING after ${fault}`,
  );
  const restarting = jm.statusTimestamps.RESTARTING!;
  const phases: Sample = {
    detection: failure.timestamp - t0,
    // A slot thread's loss fails its subtasks in the same turn as RESTARTING.
    cancel: Math.max(0, ended - restarting),
    'restart delay': running - Math.max(ended, restarting),
    'slot wait': keyed.DEPLOYING! - running,
    deploy: keyed.INITIALIZING! - keyed.DEPLOYING!,
    restore: keyed.RUNNING! - keyed.INITIALIZING!,
    // The JobMaster notes RUNNING when the message arrives, which may be after the first record.
    'first record': Math.max(0, first.ts - keyed.RUNNING!),
    total: first.ts - t0,
    stall: 0,
  };
  if (Object.values(phases).some((x) => !Number.isFinite(x))) throw new Error(`${fault}: a timestamp is missing: ${JSON.stringify(phases)}`);
  await sleep(SETTLE_MS);
  phases.stall = longestStall(markerFile, t0, first.ts + SETTLE_MS);
  if (jm.attempt !== attempt + 1 || jm.status !== 'RUNNING') throw new Error(`${fault}: the job restarted again (attempt ${jm.attempt}, ${jm.status})`);
  return phases;
}

/** The checkpoint's keyed state file restored again in this thread: decode, then insert into a fresh backend. */
async function restoreAlone(backend: Backend, file: string, compression: Parameters<typeof decompress>[1], checksum: string, work: string): Promise<{ decodeMs: number; insertMs: number }> {
  const t0 = performance.now();
  const stored = readFileSync(file);
  if (createHash('md5').update(stored).digest('hex') !== checksum) throw new Error(`The checksum of ${file} does not match`);
  const snap = unpackValue(decompress(stored, compression)) as { keyed: { maxParallelism: number; startKeyGroup: number; endKeyGroup: number } };
  const t1 = performance.now();
  const { maxParallelism, startKeyGroup, endKeyGroup } = snap.keyed;
  const range = new KeyGroupRange(startKeyGroup, endKeyGroup);
  const b = backend === 'hashmap' ? new HeapKeyedStateBackend(maxParallelism, range) : new LevelDbKeyedStateBackend(join(work, 'leveldb-alone'), maxParallelism, range);
  await b.open();
  const t2 = performance.now();
  await b.restore([snap.keyed as Parameters<typeof b.restore>[0][number]]);
  const t3 = performance.now();
  await b.dispose();
  return { decodeMs: t1 - t0, insertMs: t3 - t2 };
}

/** One job on a cluster of its own: load every key, one checkpoint, then each fault of this backend in turn. */
async function runBackend(kind: JobKind, faults: Fault[]): Promise<void> {
  const backend: Backend = kind.startsWith('leveldb') ? 'leveldb' : 'hashmap';
  const local = kind.endsWith('(local recovery)');
  const work = mkdtempSync(join(tmpdir(), 'miniflink-bench-recovery-'));
  const markerFile = join(work, 'marker.txt');
  const hangFile = join(work, 'hang');
  const path = here('jobs/recovery-job.ts');
  const compiledPath = await compileProgram(path);
  const args = [String(KEYS), markerFile, hangFile];
  const configuration = {
    'state.backend.type': backend,
    'execution.checkpointing.dir': join(work, 'checkpoints'),
    'restart-strategy.type': 'fixed-delay',
    'restart-strategy.fixed-delay.attempts': '1000',
    'restart-strategy.fixed-delay.delay': '0 ms',
    ...(local ? { 'state.backend.local-recovery': 'true', 'execution.checkpointing.local-backup.dirs': join(work, 'local') } : {}),
  };
  let cluster: MiniCluster | undefined;
  try {
    const pipeline = await captureProgram({ path, compiledPath, args, configuration }, `bench-recovery-${Math.random()}`);
    const submission = buildSubmission(pipeline, { path, compiledPath, args });
    const keyedVertex = submission.job.vertices.find((v) => v.inputs.length > 0)!.id;
    cluster = new MiniCluster({
      numTaskManagers: 1,
      slotsPerTaskManager: requiredSlots(submission.job),
      heartbeatIntervalMs: HEARTBEAT[backend].intervalMs,
      heartbeatTimeoutMs: HEARTBEAT[backend].timeoutMs,
      taskManagerRestartDelayMs: 0,
    });
    await cluster.start();
    const jm = cluster.dispatcher.submitJob(submission);
    const loaded = await waitFor(() => markers(markerFile).find((m) => m.word === 'loaded'), 600_000, () => `${KEYS} keys of state (job ${jm.status})`);
    const loadMs = loaded.ts - markers(markerFile).find((m) => m.word === 'first')!.ts;
    const c = await jm.coordinator.trigger('checkpoint', undefined);
    await sleep(300);
    const stallMs = longestStall(markerFile, c.timestamp, c.completedAt + 300);
    const handle = c.metadata.operators.flatMap((o) => o.handles).find((h) => h.keyGroupRange !== undefined)!;
    // Kept aside for the restore alone (the checkpoint directory goes with the job); small state is inline in _metadata.
    const stateCopy = join(work, 'state-copy');
    if (handle.file !== undefined) copyFileSync(join(c.dir!, handle.file), stateCopy);
    else writeFileSync(stateCopy, handle.inline!);
    process.stderr.write(`${kind}: ${KEYS} keys loaded in ${loadMs} ms, checkpoint ${c.id} in ${c.durationMs} ms\n`);
    for (const fault of faults) {
      const phases = await recover(fault, jm, cluster, keyedVertex, markerFile, hangFile);
      if (local) {
        const sources = [...(jm.restored?.subtasks.values() ?? [])];
        if (!sources.some((x) => x.local > 0)) throw new Error(`${kind}: no subtask restored from its local copy: ${JSON.stringify(sources)}`);
      }
      samples.get(caseName({ backend, fault, local }))!.push(phases);
      process.stderr.write(`  ${fault}: ${PHASES.map((p) => `${p} ${phases[p]}`).join(', ')}, longest block ${phases.stall}\n`);
    }
    await cluster.close();
    cluster = undefined;
    const alone = await restoreAlone(backend, stateCopy, handle.compression, handle.checksum, work);
    const l = checkpoints.get(kind) ?? [];
    l.push({ loadMs, durationMs: c.durationMs, syncMs: c.syncMs, asyncMs: c.asyncMs, rawSize: c.rawSize, stateSize: c.stateSize, stallMs, ...alone });
    checkpoints.set(kind, l);
  } finally {
    await cluster?.close();
    discardCompiledProgram(compiledPath);
    rmSync(work, { recursive: true, force: true });
  }
}

const backends = [...new Set(cases.map((c) => jobKind(c)))];
/** The 1-minute load average after each job: this machine is shared, and other work slows every phase. */
const loads: number[] = [loadavg()[0]!];
for (let i = 0; i < RUNS; i++) {
  for (const kind of backends) {
    await runBackend(kind, cases.filter((c) => jobKind(c) === kind).map((c) => c.fault));
    loads.push(loadavg()[0]!);
  }
  process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
}

// ---- report ----
const f = (x: number, d = 0) => x.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d });
const med = <T>(xs: T[], get: (x: T) => number) => median(xs.map(get));
const heartbeats = [...new Set(cases.map((c) => c.backend))].map((b) => `${b} jobs: heartbeat.interval ${f(HEARTBEAT[b].intervalMs)} ms, heartbeat.timeout ${f(HEARTBEAT[b].timeoutMs)} ms`).join('; ');
const lines: string[] = [
  `Machine: ${machine}; ${f(KEYS)} keys; median of ${RUNS} runs (each run: one job per backend, its faults in turn, every restore from the same checkpoint); 1-minute load average ${f(Math.min(...loads), 1)}-${f(Math.max(...loads), 1)} (${availableParallelism()} cores).`,
  `Settings: fixed-delay restart strategy, delay 0 ms; cluster.taskmanager.restart-delay 0 ms; ${heartbeats}; buffer timeout 5 ms; p=1, one TaskManager with one slot.`,
  '',
  '### From the fault to the first record after the restore (ms, median; total also min-max)',
  '',
  `| case | ${PHASES.join(' | ')} | longest block of the slot thread |`,
  `|---|${PHASES.map(() => '---:').join('|')}|---:|`,
];
for (const c of cases) {
  const s = samples.get(caseName(c))!;
  const totals = s.map((x) => x.total);
  const cells = PHASES.map((p) => (p === 'total' ? `${f(median(totals))} (${f(Math.min(...totals))}-${f(Math.max(...totals))})` : f(med(s, (x) => x[p]))));
  lines.push(`| ${caseName(c)} | ${cells.join(' | ')} | ${f(med(s, (x) => x.stall))} |`);
}
lines.push('', '### Restore against checkpoint (medians)', '');
lines.push(
  '| backend | load ms (every key once) | checkpoint ms (sync + async) | longest block of the slot thread in the checkpoint ms | state MB (raw / stored) | restore in the job ms (subtask failure) | keys/s restored | restore / checkpoint | restore alone: decode ms | restore alone: insert ms |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
);
for (const backend of backends) {
  const k = checkpoints.get(backend)!;
  const restores = samples.get(caseName({ backend: backend.startsWith('leveldb') ? 'leveldb' : 'hashmap', fault: 'subtask failure', local: backend.endsWith('(local recovery)') })) ?? samples.get(caseName(cases.find((c) => jobKind(c) === backend)!))!;
  const restoreMs = med(restores, (x) => x.restore);
  const ckptMs = med(k, (x) => x.durationMs);
  const cells = [
    f(med(k, (x) => x.loadMs)),
    `${f(ckptMs)} (${f(med(k, (x) => x.syncMs), 1)} + ${f(med(k, (x) => x.asyncMs))})`,
    f(med(k, (x) => x.stallMs)),
    `${f(med(k, (x) => x.rawSize) / 2 ** 20, 1)} / ${f(med(k, (x) => x.stateSize) / 2 ** 20, 1)}`,
    f(restoreMs),
    f(KEYS / (restoreMs / 1000)),
    `${f(restoreMs / ckptMs, 2)}x`,
    f(med(k, (x) => x.decodeMs)),
    f(med(k, (x) => x.insertMs)),
  ];
  lines.push(`| ${backend} | ${cells.join(' | ')} |`);
}
// Local recovery against storage: the restore phase of a subtask failure, each pair from the same runs.
const pairs = (['hashmap', 'leveldb'] as const).filter((b) => samples.has(caseName({ backend: b, fault: 'subtask failure' })) && samples.has(caseName({ backend: b, fault: 'subtask failure', local: true })));
if (pairs.length > 0) {
  lines.push('', '### Local recovery: the restore of a subtask failure (ms, median; goal: local at most 0.2x of storage)', '', '| backend | restore from storage | restore from the local copy | local / storage | checkpoint ms without / with the local copy |', '|---|---:|---:|---:|---:|');
  for (const b of pairs) {
    const remote = med(samples.get(caseName({ backend: b, fault: 'subtask failure' }))!, (x) => x.restore);
    const local = med(samples.get(caseName({ backend: b, fault: 'subtask failure', local: true }))!, (x) => x.restore);
    const ck = (k: JobKind) => f(med(checkpoints.get(k)!, (x) => x.durationMs));
    lines.push(`| ${b} | ${f(remote)} | ${f(local)} | ${f(local / remote, 3)}x | ${ck(b)} / ${ck(`${b} (local recovery)`)} |`);
  }
}
lines.push('', '<details><summary>Every run</summary>', '', `| case | run | ${PHASES.join(' | ')} | longest block |`, `|---|---:|${PHASES.map(() => '---:').join('|')}|---:|`);
for (const c of cases) samples.get(caseName(c))!.forEach((s, i) => lines.push(`| ${caseName(c)} | ${i + 1} | ${PHASES.map((p) => f(s[p])).join(' | ')} | ${f(s.stall)} |`));
lines.push('', '| backend | run | load ms | checkpoint ms | block in checkpoint ms | decode alone ms | insert alone ms |', '|---|---:|---:|---:|---:|---:|---:|');
for (const b of backends) checkpoints.get(b)!.forEach((k, i) => lines.push(`| ${b} | ${i + 1} | ${f(k.loadMs)} | ${f(k.durationMs)} | ${f(k.stallMs)} | ${f(k.decodeMs)} | ${f(k.insertMs)} |`));
lines.push('', '</details>');
console.log(lines.join('\n'));
