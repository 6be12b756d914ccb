// Node BullMQ produces, a vigil worker consumes (run by run.sh).
//   node node_to_vigil.js PORT ECHO_QUEUE FAIL_QUEUE
// A `vigil queue work --handler echo` runs on ECHO_QUEUE and a
// `vigil queue work --handler fail` on FAIL_QUEUE. Exits 0 when every check
// passed; prints what failed otherwise.
'use strict';
const assert = require('node:assert/strict');
const { Queue, QueueEvents, Job } = require('bullmq');

const [port, echoName, failName] = process.argv.slice(2);
const connection = { host: '127.0.0.1', port: Number(port) };

// Resolves with the event's args when `queueEvents` emits `event` for `jobId`.
function eventFor(queueEvents, event, jobId, ms = 20000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" event for job ${jobId} within ${ms} ms`)), ms);
    queueEvents.on(event, function listener(args) {
      if (args.jobId !== jobId) return;
      clearTimeout(timer);
      queueEvents.off(event, listener);
      resolve(args);
    });
  });
}

// Waits until `events` is blocked reading the stream, so it sees every
// event from now on (ready alone does not mean it has started reading).
async function listening(queue, events) {
  const client = await queue.client;
  const name = `bull:${Buffer.from(queue.name).toString('base64')}:qe`;
  await events.waitUntilReady();
  for (let i = 0; i < 400; i++) {
    const list = await client.client('LIST');
    if (list.split('\n').some((l) => l.includes(` name=${name} `) && l.includes('cmd=xread'))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`QueueEvents of ${queue.name} is not reading the event stream after 10 s`);
}

async function echoQueue() {
  const queue = new Queue(echoName, { connection });
  const events = new QueueEvents(echoName, { connection });
  await listening(queue, events);
  try {
    // Our worker's blocking connections are named as BullMQ names a worker's.
    // (A vigil worker names its connection when it first waits for a job.)
    let workers = [];
    for (let i = 0; i < 200 && workers.length === 0; i++) {
      workers = await queue.getWorkers();
      if (workers.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(workers.length >= 1, 'getWorkers() sees no vigil worker');
    assert.match(workers[0].rawname, /:w:interop-echo\//);

    const data = { tenant: 'contoso', n: 1, nested: { ok: true } };
    const plain = eventFor(events, 'completed', 'node-plain');
    const job = await queue.add('hello', data, { jobId: 'node-plain' });
    const done = await plain;
    assert.deepEqual(done.returnvalue, data, 'QueueEvents completed.returnvalue is the echoed data');
    assert.equal(await job.getState(), 'completed');
    const stored = await Job.fromId(queue, job.id);
    assert.deepEqual(stored.returnvalue, data);
    assert.equal(stored.attemptsMade, 1);
    assert.ok(stored.finishedOn >= stored.processedOn, 'finishedOn >= processedOn');

    // A job with a generated id, a delayed job and prioritized jobs.
    const generated = await queue.add('gen', { g: 1 });
    assert.match(generated.id, /^\d+$/);
    assert.deepEqual(await generated.waitUntilFinished(events, 20000), { g: 1 });

    const delayedAt = Date.now();
    const delayed = await queue.add('later', { d: 1 }, { delay: 700, jobId: 'node-delayed' });
    assert.deepEqual(await delayed.waitUntilFinished(events, 20000), { d: 1 });
    const delayedJob = await Job.fromId(queue, 'node-delayed');
    assert.ok(delayedJob.processedOn >= delayedAt + 700,
      `delayed job ran ${delayedJob.processedOn - delayedAt} ms after it was added (< 700)`);

    const prio = await queue.add('urgent', { p: 2 }, { priority: 2, jobId: 'node-prio' });
    assert.deepEqual(await prio.waitUntilFinished(events, 20000), { p: 2 });
    assert.equal(await prio.getState(), 'completed');

    // A burst the prefetching worker completes in batches: every "completed"
    // event carries its own return value, and removeOnComplete: true (set
    // by Node) removes each of those jobs and no other.
    const burst = [];
    for (let i = 0; i < 30; i++) {
      burst.push({ name: 'burst', data: { b: i }, opts: { jobId: `burst-${i}`, removeOnComplete: true } });
    }
    const burstDone = burst.map((b) => eventFor(events, 'completed', b.opts.jobId));
    await queue.addBulk(burst);
    const burstArgs = await Promise.all(burstDone);
    burstArgs.forEach((args, i) => assert.deepEqual(args.returnvalue, { b: i }));
    for (const b of burst) {
      assert.equal(await Job.fromId(queue, b.opts.jobId), undefined, `${b.opts.jobId} was not removed`);
    }

    const counts = await queue.getJobCounts('completed', 'waiting', 'active', 'delayed', 'failed');
    assert.deepEqual(counts, { completed: 4, waiting: 0, paused: 0, active: 0, delayed: 0, failed: 0 });
  } finally {
    await events.close();
    await queue.close();
  }
}

async function failQueue() {
  const queue = new Queue(failName, { connection });
  const events = new QueueEvents(failName, { connection });
  await listening(queue, events);
  try {
    const failed = eventFor(events, 'failed', 'node-doomed');
    const job = await queue.add('doomed', { x: 1 },
      { jobId: 'node-doomed', attempts: 2, backoff: { type: 'fixed', delay: 300 } });
    const args = await failed;
    assert.match(args.failedReason, /failed on purpose/);
    assert.equal(await job.getState(), 'failed');
    const stored = await Job.fromId(queue, job.id);
    assert.equal(stored.attemptsMade, 2);
    assert.match(stored.failedReason, /failed on purpose/);
  } finally {
    await events.close();
    await queue.close();
  }
}

(async () => {
  await echoQueue();
  await failQueue();
  console.log('node_to_vigil: ok');
})().catch((err) => {
  console.error('node_to_vigil: FAILED:', err && err.stack || err);
  process.exit(1);
});
