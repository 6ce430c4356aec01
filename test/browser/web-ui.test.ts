/// <reference lib="dom" />
/**
 * The web UI in a real browser: Debian's chromium driven by playwright-core. A job module is
 * uploaded and run from the UI, then watched (list, graph, metrics, subtasks, checkpoints and the
 * barrier timeline, logs) and acted on (savepoint, rescale, fault injection and the restart,
 * cancel), with no console error on any page. `npm start` shows its live job within 5 seconds, and
 * Ctrl-C ends it cleanly; a taken port is named with how to choose another.
 *
 * Screenshots go to test/.tmp/screenshots (cleared when this file starts, kept after a failure);
 * with MINIFLINK_UPDATE_SCREENSHOTS=1 the README's tour images in docs/ui/ are taken from them.
 * In CI (CI=true) a missing chromium fails; elsewhere these tests skip, saying why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test/.tmp/screenshots');
const DOCS = join(ROOT, 'docs/ui');
const available = existsSync(CHROMIUM);
if (!available && process.env['CI'] === 'true') throw new Error(`The web UI tests need Debian's chromium at ${CHROMIUM} (.ci/run installs it with apt-get): it is missing.`);
if (!available) console.warn(`web UI tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium; in CI they always run).`);

let browser: Browser | undefined;
let cluster: ChildProcess | undefined;
let base = '';
/** Console errors and page errors of every page, with the page they came from. */
const consoleErrors: string[] = [];
/** Flink's 404 for the checkpoint settings of a job without checkpointing: the UI asks once per job page. */
const EXPECTED_404 = /\/checkpoints\/config$/;

beforeAll(async () => {
  if (!available) return;
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stopCluster(cluster);
});

/** The pages a test opened: closed after it, also when it failed (a page left open goes on polling a stopped cluster). */
const pages = new Set<Page>();
afterEach(async () => {
  for (const page of pages) await page.close().catch(() => {});
  pages.clear();
});

async function newPage(): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
  pages.add(page);
  page.on('console', (m) => {
    if (m.type() === 'error' && !(m.text().includes('404') && EXPECTED_404.test(m.location().url))) consoleErrors.push(`${page.url()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${String(e)}`));
  return page;
}
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  if (process.env['MINIFLINK_UPDATE_SCREENSHOTS'] === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(join(SHOTS, `${name}.png`), join(DOCS, `${name}.png`));
  }
}
const text = (page: Page, selector: string) => page.locator(selector).innerText();

describe.skipIf(!available)('web UI', () => {
  it('web UI - upload and run a job, watch it, savepoint, rescale, inject a fault and see the restart, cancel', async () => {
    ({ cluster, base } = await startCluster([
      'taskmanager.numberOfTaskSlots=4',
      'execution.checkpointing.interval=300ms',
      'metrics.fetcher.update-interval=0',
      'web.refresh-interval=400ms',
      `execution.checkpointing.savepoint-dir=${join(ROOT, 'test/.tmp/ui-savepoints')}`,
      'restart-strategy.type=fixed-delay',
      'restart-strategy.fixed-delay.delay=200ms',
    ]));
    const page = await newPage();

    // Submit: upload the module, see it listed, run it; the UI goes to the job.
    await page.goto(`${base}/#/submit`);
    await page.locator('#jarfile').setInputFiles(join(ROOT, 'test/jobs/ticker-job.ts'));
    await page.locator('#upload button[type=submit]').click();
    await page.locator('.jar', { hasText: 'ticker-job.ts' }).waitFor();
    await shot(page, 'submit');
    await page.locator('.jar', { hasText: 'ticker-job.ts' }).locator('[data-run]').click();
    await page.waitForURL(/#\/job\/[0-9a-f]{32}$/);
    const jobId = /#\/job\/([0-9a-f]{32})/.exec(page.url())![1]!;

    // Listed as running.
    await page.goto(`${base}/#/jobs`);
    await page.locator(`#running-jobs tr[data-job="${jobId}"]`, { hasText: 'RUNNING' }).waitFor();
    expect(await text(page, `#running-jobs tr[data-job="${jobId}"]`)).toContain('ticker-job');

    // The graph (laid out by dagre): a box per chain (at p=1 the source and the map chain), with
    // live records; the vertex table.
    await page.goto(`${base}/#/job/${jobId}`);
    await page.locator('svg.dag a.vertex').first().waitFor();
    expect(await page.locator('svg.dag a.vertex').count()).toBe(2);
    expect(await page.locator('svg.dag path.edge').count()).toBe(1);
    await page.waitForFunction(() => /Out [1-9]/.test(document.querySelector('svg.dag')?.textContent ?? '') && /In [1-9]/.test(document.querySelector('svg.dag')?.textContent ?? ''), undefined, { timeout: 20_000 });
    expect(await text(page, '#vertices')).toMatch(/Source: Custom Source -> Map\s+RUNNING\s+1/);
    await page.waitForFunction(() => (document.querySelector('#throughput')?.textContent ?? '').includes('records/s') && !(document.querySelector('#throughput')?.textContent ?? '').includes('Collecting'), undefined, { timeout: 20_000 });
    await shot(page, 'job-graph');

    // A vertex: its subtasks with metrics, TaskManager and attempt.
    await page.locator('svg.dag a.vertex', { hasText: 'Map' }).first().click();
    await page.locator('#subtasks table').waitFor();
    expect(await page.locator('#subtasks tbody tr').count()).toBe(1);
    expect(await text(page, '#subtasks')).toMatch(/RUNNING\s+0\s+[0-9a-f]{8}/);

    // Checkpoints: counts, history, the barrier timeline of one checkpoint naming the slowest subtask.
    await page.goto(`${base}/#/job/${jobId}/checkpoints`);
    await page.locator('#cp-history tr[data-checkpoint]').first().waitFor({ timeout: 20_000 });
    await page.locator('svg.timeline').waitFor({ timeout: 20_000 });
    // An acknowledgement mark per subtask; its phases' bars may all be 0 ms wide, so not drawn.
    expect(await page.locator('svg.timeline line.ack').count()).toBeGreaterThan(0);
    expect(await text(page, '#slowest')).toMatch(/^Slowest subtask: .+ \(\d\/\d\), acknowledged after \d+ms; most of its time went to .+\.$/);
    expect(await text(page, '#cp-detail')).toContain('First barrier');
    await shot(page, 'checkpoints');

    // The answer to whether the job checkpoints fails (a 503 of a busy cluster) three times on each
    // page: the page says it could not tell and asks again, and the checkpoints show. (Before, the
    // page said "not enabled" until it was opened again.) A page of its own: the 503s are console errors.
    const flaky = await browser!.newPage();
    pages.add(flaky);
    flaky.on('pageerror', (e) => consoleErrors.push(`${flaky.url()}: ${String(e)}`));
    let failures = 3;
    await flaky.route(/\/checkpoints\/config$/, (route) => {
      if (failures === 0) return route.continue();
      failures--;
      return route.fulfill({ status: 503, json: { errors: ['Service temporarily unavailable'] } });
    });
    await flaky.goto(`${base}/#/job/${jobId}/checkpoints`);
    await flaky.locator('#tab', { hasText: 'Could not ask the cluster whether this job checkpoints' }).waitFor({ timeout: 20_000 });
    await flaky.locator('#cp-history tr[data-checkpoint]').first().waitFor({ timeout: 20_000 });
    expect(failures).toBe(0);
    failures = 3;
    await flaky.goto(`${base}/#/job/${jobId}`);
    await flaky.locator('#cp-chart', { hasText: 'Could not ask the cluster whether this job checkpoints' }).waitFor({ timeout: 20_000 });
    await flaky.locator('#cp-chart', { hasText: 'Checkpoint duration' }).waitFor({ timeout: 20_000 });
    expect(failures).toBe(0);
    await flaky.close();

    // A savepoint from the UI.
    await page.locator('button[data-action=savepoint]').click();
    await page.locator('#message .message.ok', { hasText: 'Savepoint completed: file:' }).waitFor({ timeout: 30_000 });

    // Rescale to 2: the graph comes back with parallelism 2 (the map no longer chains to the non-parallel source).
    await page.goto(`${base}/#/job/${jobId}`);
    await page.locator('svg.dag a.vertex').first().waitFor();
    await page.locator('#rescale-p').fill('2');
    await page.locator('button[data-action=rescale]').click();
    await page.locator('#message .message.ok', { hasText: 'Rescaled to parallelism 2.' }).waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => (document.querySelector('svg.dag')?.textContent ?? '').includes('Parallelism 2 · RUNNING'), undefined, { timeout: 30_000 });
    expect(await page.locator('svg.dag a.vertex').count()).toBe(3);

    // Inject a fault: the exception shows, the job restarts from a checkpoint and runs again.
    await page.locator('#fault-vertex').selectOption({ label: 'Map' });
    await page.locator('button[data-action=fail]').click();
    await page.locator('#message .message.ok', { hasText: 'Injected a failure into Map' }).waitFor();
    await page.goto(`${base}/#/job/${jobId}/exceptions`);
    await page.locator('details.exception', { hasText: 'InjectedFailure' }).waitFor({ timeout: 20_000 });
    await page.goto(`${base}/#/job/${jobId}/checkpoints`);
    await page.locator('.restore', { hasText: 'Latest restore: checkpoint' }).waitFor({ timeout: 30_000 });
    await page.locator('#job-state', { hasText: 'RUNNING' }).waitFor({ timeout: 30_000 });
    await shot(page, 'restore');

    // Logs of the JobManager and a TaskManager, as Flink's dashboard shows them.
    await page.goto(`${base}/#/jobmanager/log`);
    await page.locator('pre.log', { hasText: 'Received JobGraph submission' }).waitFor();
    expect(await text(page, 'pre.log')).toContain('switched from RUNNING to FAILED');
    await page.goto(`${base}/#/taskmanagers`);
    await page.locator('#tms tbody tr a').first().click();
    await page.locator('#tab table').first().waitFor();
    await page.locator('nav.tabs a', { hasText: 'Log' }).first().click();
    await page.locator('pre.log', { hasText: 'org.apache.flink.runtime.taskmanager.Task' }).waitFor();

    // Cancel.
    await page.goto(`${base}/#/job/${jobId}`);
    await page.locator('button[data-action=cancel]').click();
    await page.locator('#job-state', { hasText: 'CANCELED' }).waitFor({ timeout: 30_000 });
    await page.goto(`${base}/#/overview`);
    await page.locator(`#completed-jobs tr[data-job="${jobId}"]`, { hasText: 'CANCELED' }).waitFor();
    await shot(page, 'overview');
    await page.close();
    expect(consoleErrors).toEqual([]);
  }, 240_000);

  it('web UI - a job without checkpointing, quoted program arguments, a refused empty subtask, an opened exception that stays open, throughput back to 0 after cancel', async () => {
    const other = await startCluster(['metrics.fetcher.update-interval=0', 'web.refresh-interval=300ms', 'restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.delay=100ms']);
    try {
      const page = await newPage();
      // The first listing of a vertex's metrics comes back empty, as for a job whose tasks have not
      // registered theirs yet (seen under load): the throughput chart stayed at 0 for good before.
      let listings = 0;
      await page.route(/\/jobs\/[0-9a-f]{32}\/vertices\/[^/]+\/metrics$/, (route) => (listings++ === 0 ? route.fulfill({ json: [] }) : route.continue()));
      await page.goto(`${other.base}/#/submit`);
      await page.locator('#jarfile').setInputFiles(join(ROOT, 'test/jobs/args-job.ts'));
      await page.locator('#upload button[type=submit]').click();
      const jar = page.locator('.jar', { hasText: 'args-job.ts' });
      await jar.waitFor();
      await jar.locator('[name=args]').fill(`--name "hello world" --q 'a b'`);
      await jar.locator('[data-run]').click();
      await page.waitForURL(/#\/job\/[0-9a-f]{32}$/);
      const jobId = /#\/job\/([0-9a-f]{32})/.exec(page.url())![1]!;
      // The arguments as a shell splits them.
      await page.locator('#job-name', { hasText: 'args ["--name","hello world","--q","a b"]' }).waitFor();
      // No checkpointing: the page still shows the graph and the vertices, and says so.
      await page.locator('#vertices table').waitFor();
      expect(await text(page, '#cp-chart')).toContain('Checkpointing is not enabled for this job');
      await page.waitForFunction(() => /now · [1-9][\d,.]* records\/s/.test(document.querySelector('#throughput')?.textContent ?? ''), undefined, { timeout: 20_000 });
      // An empty subtask index is refused, not read as 0.
      await page.locator('#fault-subtask').fill('');
      await page.locator('button[data-action=fail]').click();
      await page.locator('#message .message.error', { hasText: 'Give the index of the subtask to fail' }).waitFor();
      expect(((await (await fetch(`${other.base}/jobs/${jobId}/exceptions`)).json()) as { exceptionHistory: { entries: unknown[] } }).exceptionHistory.entries).toEqual([]);
      await page.locator('#fault-subtask').fill('0');
      await page.locator('button[data-action=fail]').click();
      await page.locator('#message .message.ok', { hasText: 'Injected a failure' }).waitFor();
      await page.goto(`${other.base}/#/job/${jobId}/checkpoints`);
      await page.locator('#tab', { hasText: 'Checkpointing is not enabled for this job' }).waitFor();
      await page.goto(`${other.base}/#/job/${jobId}/exceptions`);
      const exception = page.locator('details.exception').first();
      await exception.waitFor();
      expect(await exception.locator('summary').innerText()).toContain('InjectedFailure: Failure injected into');
      await exception.locator('summary').click();
      await page.waitForTimeout(1200); // Four refreshes.
      expect(await exception.getAttribute('open')).not.toBeNull();
      // Canceled: the sources emit nothing more, and the chart says so.
      await page.goto(`${other.base}/#/job/${jobId}`);
      await page.waitForFunction(() => /now · [1-9][\d,.]* records\/s/.test(document.querySelector('#throughput')?.textContent ?? ''), undefined, { timeout: 20_000 });
      await page.locator('button[data-action=cancel]').click();
      await page.locator('#job-state', { hasText: 'CANCELED' }).waitFor({ timeout: 20_000 });
      await page.waitForFunction(() => (document.querySelector('#throughput')?.textContent ?? '').includes('now · 0.0 records/s'), undefined, { timeout: 10_000 });
      await page.close();
      expect(consoleErrors).toEqual([]);
    } finally {
      await stopCluster(other.cluster);
    }
  }, 120_000);

  it('web UI - benchmark scheduling choices from the submit page: progress, a row per combination with exact tasks and slots, the chart; the REST checks', async () => {
    const other = await startCluster(['web.refresh-interval=300ms']);
    try {
      const page = await newPage();
      await page.goto(`${other.base}/#/submit`);
      await page.locator('#jarfile').setInputFiles(join(ROOT, 'test/jobs/bench-ui-job.ts'));
      await page.locator('#upload button[type=submit]').click();
      const jar = page.locator('.jar', { hasText: 'bench-ui-job.ts' });
      await jar.waitFor();
      await jar.locator('[name=args]').fill('5000');
      await jar.locator('[name=b-parallelism]').fill('1,2');
      await jar.locator('[name=b-runs]').fill('1');
      await jar.locator('[data-bench]').click();
      await jar.locator('.bench-result table.bench tbody tr').nth(3).waitFor({ timeout: 120_000 });
      const rows = await jar.locator('.bench-result table.bench tbody tr').allInnerTexts();
      // Chained: source+map, then sum+sink: 2 vertices; unchained: 4 (parallelism times that), one group.
      const cells = rows.map((r) => r.split('\t').map((c) => c.trim()));
      expect(cells.map((c) => [c[0], c[6], c[7]])).toEqual([
        ['chaining=on parallelism=1', '2', '1'],
        ['chaining=on parallelism=2', '4', '2'],
        ['chaining=off parallelism=1', '4', '1'],
        ['chaining=off parallelism=2', '8', '2'],
      ]);
      for (const c of cells) expect(Number(c[1]!.replace(/,/g, ''))).toBeGreaterThan(0);
      expect(await jar.locator('.bench-chart svg rect').count()).toBe(4);
      await shot(page, 'bench');
      // The exchange within a slot thread as a choice (pipeline.local-exchange.by-reference).
      await jar.locator('[name=b-chaining]').uncheck();
      await jar.locator('[name=b-local]').check();
      await jar.locator('[name=b-parallelism]').fill('1');
      await jar.locator('[data-bench]').click();
      await jar.locator('.bench-result table.bench tbody tr', { hasText: 'local-exchange=by-reference' }).waitFor({ timeout: 120_000 });
      const local = (await jar.locator('.bench-result table.bench tbody tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim()));
      expect(local.map((c) => [c[0], c[6], c[7]])).toEqual([
        ['local-exchange=serialized parallelism=1', '2', '1'],
        ['local-exchange=by-reference parallelism=1', '2', '1'],
      ]);
      await jar.locator('[name=b-local]').uncheck();
      // A benchmark that would take long: its Cancel button ends it, and the page says so.
      await jar.locator('[name=args]').fill('1000000000');
      await jar.locator('[data-bench]').click();
      await jar.locator('[data-bench-cancel]').click({ timeout: 30_000 });
      await jar.locator('.bench-result p.error', { hasText: 'The benchmark was canceled' }).waitFor({ timeout: 30_000 });
      await page.close();
      expect(consoleErrors).toEqual([]);

      // REST: a bad matrix or runs is 400, an unknown trigger 404.
      const jarId = ((await (await fetch(`${other.base}/jars`)).json()) as { files: Array<{ id: string }> }).files[0]!.id;
      const post = (body: unknown) => fetch(`${other.base}/jars/${jarId}/bench`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const bad = await post({ matrix: ['colour=red'] });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { errors: string[] }).errors[0]).toMatch(/--matrix takes <dimension>=<value>/);
      expect((await post({ runs: 0 })).status).toBe(400);
      expect((await post({ matrix: 'parallelism=1,2', runs: 150 })).status).toBe(400);
      expect((await fetch(`${other.base}/jars/${jarId}/bench/0123`)).status).toBe(404);
    } finally {
      await stopCluster(other.cluster);
    }
  }, 240_000);

  it('web UI - npm start shows its live job within 5 seconds, and Ctrl-C stops everything', async () => {
    const started = Date.now();
    // `npm start` as a user types it (another port than 8081: tests run beside other clusters).
    const npm = spawn('npm', ['start', '--', '-D', 'rest.port=0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let url = '';
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      url = await new Promise<string>((resolve, reject) => {
        const t = setInterval(() => {
          const m = /Web UI: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
          if (m) {
            clearInterval(t);
            resolve(m[1]!);
          }
        }, 25);
        npm.once('exit', (code) => {
          clearInterval(t);
          reject(new Error(`npm start exited ${code}: ${out}`));
        });
      });
      const page = await newPage();
      await page.goto(`${url}/`);
      await page.locator('#running-jobs tr', { hasText: 'Live sensors' }).filter({ hasText: 'RUNNING' }).waitFor({ timeout: 10_000 });
      const seenAfter = Date.now() - started;
      await page.locator('#running-jobs a', { hasText: 'Live sensors' }).click();
      await page.waitForFunction(() => /Out [1-9]/.test(document.querySelector('svg.dag')?.textContent ?? ''), undefined, { timeout: 20_000 });
      await shot(page, 'npm-start');
      await page.close();
      expect(out).toMatch(/Job 'Live sensors' \([0-9a-f]{32}\) is running: http:\/\/127\.0\.0\.1:\d+\/#\/job\/[0-9a-f]{32}/);
      expect(seenAfter, `the live job was seen ${seenAfter} ms after npm start`).toBeLessThan(5000);
    } finally {
      // Ctrl-C: SIGINT to the terminal's process group (npm and the cluster).
      const exited = new Promise<number | null>((resolve) => (npm.exitCode !== null ? resolve(npm.exitCode) : npm.once('exit', (code) => resolve(code))));
      try {
        process.kill(-npm.pid!, 'SIGINT');
      } catch {
        // Already gone.
      }
      const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 15_000))]);
      if (code === 'timeout') process.kill(-npm.pid!, 'SIGKILL');
      expect(code, out).not.toBe('timeout');
    }
    // The cluster is gone with it: nothing serves there any more.
    await expect(fetch(`${url}/overview`)).rejects.toThrow();
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it('web UI - a taken port: the cluster says so and how to choose another', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await runCli(['cluster', 'start', '-D', `rest.port=${port}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Port ${port} on 127.0.0.1 is taken`);
      expect(r.stderr).toContain(`-D rest.port=${port + 1}`);
    } finally {
      server.close();
    }
  }, 60_000);
});
