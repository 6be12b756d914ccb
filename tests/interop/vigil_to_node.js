// vigil produces (`vigil queue add`, run by run.sh before this starts), a
// Node BullMQ Worker consumes.
//   node vigil_to_node.js PORT QUEUE
// Jobs waiting when it starts (see run.sh):
//   plain    {"n":1}                      -> returns n + 1
//   flaky    attempts 3, backoff fixed:300 -> throws twice, then succeeds
//   later    delay 1500                    -> must not run before it is due
//   p3, p1, p2  priorities 3, 1, 2         -> run in the order p1, p2, p3
'use strict';
const assert = require('node:assert/strict');
const { Queue, Worker, Job } = require('bullmq');

const [port, name] = process.argv.slice(2);
const connection = { host: '127.0.0.1', port: Number(port) };
const expected = ['plain', 'flaky', 'later', 'p1', 'p2', 'p3'];

(async () => {
  const queue = new Queue(name, { connection });
  const order = [];
  const runs = {};  // name -> [processedOn of each run]
  const finished = new Set();
  let worker;
  const allDone = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `not every job finished within 30 s: done ${JSON.stringify([...finished])}`)), 30000);
    worker = new Worker(name, async (job) => {
      order.push(job.name);
      (runs[job.name] = runs[job.name] || []).push(Date.now());
      if (job.name === 'flaky' && job.attemptsMade < 2) throw new Error(`flaky attempt ${job.attemptsMade + 1}`);
      if (job.name === 'plain') return job.data.n + 1;
      return { name: job.name };
    }, { connection, concurrency: 1 });
    worker.on('completed', (job) => {
      finished.add(job.name);
      if (expected.every((n) => finished.has(n))) { clearTimeout(timer); resolve(); }
    });
    worker.on('error', reject);
  });
  try {
    await allDone;
    const get = (id) => Job.fromId(queue, id);

    const plain = await get('plain');
    assert.equal(plain.returnvalue, 2);
    assert.equal(await plain.getState(), 'completed');
    assert.deepEqual(plain.data, { n: 1 });

    const flaky = await get('flaky');
    assert.equal(await flaky.getState(), 'completed');
    assert.equal(flaky.attemptsMade, 3);
    assert.equal(runs.flaky.length, 3);
    for (let i = 1; i < 3; i++) {
      assert.ok(runs.flaky[i] - runs.flaky[i - 1] >= 290,
        `retry ${i} came ${runs.flaky[i] - runs.flaky[i - 1]} ms after the failure (backoff 300)`);
    }

    const later = await get('later');
    assert.ok(later.processedOn >= later.timestamp + 1500,
      `delayed job ran ${later.processedOn - later.timestamp} ms after it was added (< 1500)`);
    assert.equal(await later.getState(), 'completed');

    const prioOrder = order.filter((n) => n.startsWith('p') && n !== 'plain');
    assert.deepEqual(prioOrder, ['p1', 'p2', 'p3'], `prioritized jobs ran as ${order}`);
    assert.ok(order.indexOf('plain') < order.indexOf('p1'), `a job without priority runs first: ${order}`);
    const p1 = await get('p1');
    assert.equal(p1.priority, 1);
    assert.deepEqual(p1.returnvalue, { name: 'p1' });
    console.log(`vigil_to_node: ok (order ${order.join(' ')})`);
  } finally {
    if (worker) await worker.close();
    await queue.close();
  }
})().catch((err) => {
  console.error('vigil_to_node: FAILED:', err && err.stack || err);
  process.exit(1);
});
