// The Node BullMQ side of bench_redis_queue (bench/bench_redis_queue.cc),
// which runs it as a child process against its own redis-server:
//
//   node bench/node/bullmq_bench.js --port P --jobs N --concurrency C [--latency-jobs L]
//
// throughput: N no-op jobs added first (addBulk, 1,000 at a time), then a
//   Worker with concurrency C runs them; jobs/s from the Worker's start
//   until its N-th "completed" event.
// latency (when L > 0): an idle Worker (concurrency 1); L times: add one
//   job, note when the processor starts it (enqueue -> start, including the
//   add's round trip), wait for its completion, pause 2 ms so the worker is
//   blocked again.
// Prints one JSON line: {"jobs_per_s", "add_per_s", "redis_us_per_job",
// "worker_us_per_job", "p50_ms", "p99_ms"}: the server's CPU time (INFO cpu)
// and this process's while the Worker ran, per job.
// Needs bullmq on NODE_PATH (bench_redis_queue installs it into the build tree).
'use strict';

const { Queue, Worker } = require('bullmq');
const { performance } = require('perf_hooks');

function parseArgs(argv) {
  const out = { port: 0, jobs: 20000, concurrency: 1, latencyJobs: 0 };
  for (let i = 2; i < argv.length; i += 2) {
    const value = Number(argv[i + 1]);
    switch (argv[i]) {
      case '--port': out.port = value; break;
      case '--jobs': out.jobs = value; break;
      case '--concurrency': out.concurrency = value; break;
      case '--latency-jobs': out.latencyJobs = value; break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
    if (!Number.isInteger(value) || value < 0) throw new Error(`bad value for ${argv[i]}`);
  }
  if (out.port <= 0) throw new Error('--port is required');
  return out;
}

// The server's CPU time so far (used_cpu_user + used_cpu_sys), in s.
async function redisCpuSeconds(queue) {
  const info = await (await queue.client).info('cpu');
  const field = (name) => Number((info.match(new RegExp(`${name}:([0-9.]+)`)) || [])[1]);
  return field('used_cpu_user') + field('used_cpu_sys');
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)];
}

async function throughput(connection, jobs, concurrency) {
  const name = `node-tp-${concurrency}-${process.pid}`;
  const queue = new Queue(name, { connection });
  const addStart = performance.now();
  for (let i = 0; i < jobs; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(jobs, i + 1000); ++j) batch.push({ name: 'noop', data: { n: j } });
    await queue.addBulk(batch);
  }
  const addSeconds = (performance.now() - addStart) / 1000;

  let done = 0;
  let finish;
  const allDone = new Promise((resolve) => { finish = resolve; });
  const cpuBefore = await redisCpuSeconds(queue);
  const ownBefore = process.cpuUsage();
  const start = performance.now();
  const worker = new Worker(name, async () => null, { connection, concurrency });
  worker.on('completed', () => {
    if (++done === jobs) finish(performance.now());
  });
  worker.on('error', (e) => { console.error(`worker error: ${e.message}`); });
  const end = await allDone;
  const own = process.cpuUsage(ownBefore);
  const cpuSeconds = (await redisCpuSeconds(queue)) - cpuBefore;
  await worker.close();
  await queue.close();
  return {
    jobsPerS: jobs / ((end - start) / 1000),
    addPerS: jobs / addSeconds,
    redisUsPerJob: (cpuSeconds * 1e6) / jobs,
    workerUsPerJob: (own.user + own.system) / jobs,
  };
}

async function latency(connection, count) {
  const name = `node-lat-${process.pid}`;
  const queue = new Queue(name, { connection });
  let started = null;
  let completed = null;
  const worker = new Worker(name, async () => { started(performance.now()); return null; },
    { connection, concurrency: 1 });
  worker.on('completed', () => completed());
  await worker.waitUntilReady();
  await sleep(200);  // let it block on the marker
  const samples = [];
  for (let i = 0; i < count; ++i) {
    const startedAt = new Promise((resolve) => { started = resolve; });
    const done = new Promise((resolve) => { completed = resolve; });
    const t0 = performance.now();
    await queue.add('noop', { n: i });
    samples.push((await startedAt) - t0);
    await done;
    await sleep(2);
  }
  await worker.close();
  await queue.close();
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function main() {
  const args = parseArgs(process.argv);
  const connection = { host: '127.0.0.1', port: args.port };
  const tp = await throughput(connection, args.jobs, args.concurrency);
  const out = { jobs_per_s: tp.jobsPerS, add_per_s: tp.addPerS, redis_us_per_job: tp.redisUsPerJob,
    worker_us_per_job: tp.workerUsPerJob, p50_ms: null, p99_ms: null };
  if (args.latencyJobs > 0) {
    const lat = await latency(connection, args.latencyJobs);
    out.p50_ms = lat.p50;
    out.p99_ms = lat.p99;
  }
  console.log(JSON.stringify(out));
}

main().then(() => process.exit(0), (e) => {
  console.error(`bullmq_bench: ${e.stack || e}`);
  process.exit(1);
});
