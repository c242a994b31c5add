// The backlog measurement behind ingest back-pressure, on a hand-moved clock: measured once
// and then at most every MEASURE_EVERY_MS in the background, one measurement at a time; a
// failing or hung count never pins an old value, and a stale count stops refusing ingest.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { ManualClock } from '../clock.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { Backlog, checkBackpressure, MEASURE_EVERY_MS } from './backpressure.js';

const log = createLogger('silent');
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function counter(values: (number | Error)[]): { measure: () => Promise<number>; calls: () => number } {
  let calls = 0;
  return {
    measure: () => {
      const v = values[Math.min(calls, values.length - 1)];
      calls += 1;
      return v instanceof Error ? Promise.reject(v) : Promise.resolve(v ?? 0);
    },
    calls: () => calls,
  };
}

describe('Backlog', () => {
  it('waits for the first count only, then refreshes in the background, one count at a time', async () => {
    const clock = new ManualClock();
    const c = counter([5, 50]);
    const backlog = new Backlog(c.measure, clock, log);
    assert.equal(await backlog.current(), 5);
    clock.advance(MEASURE_EVERY_MS - 1);
    assert.equal(await backlog.current(), 5);
    assert.equal(c.calls(), 1, 'not stale yet: no count');
    clock.advance(1);
    const answers = await Promise.all([backlog.current(), backlog.current(), backlog.current()]);
    assert.deepEqual(answers, [5, 5, 5], 'requests do not wait for the refresh');
    await tick();
    assert.equal(c.calls(), 2, 'concurrent requests share one count');
    assert.equal(await backlog.current(), 50);
  });

  it('keeps the last count through failures, and stops enforcing once it is 30 s old', async () => {
    const clock = new ManualClock();
    const backlog = new Backlog(counter([99, new Error('database unavailable')]).measure, clock, log);
    assert.equal(await backlog.current(), 99);
    for (let elapsed = 0; elapsed < 30_000; elapsed += MEASURE_EVERY_MS) {
      clock.advance(MEASURE_EVERY_MS);
      await backlog.current();
      await tick();
    }
    assert.equal(await backlog.current(), 99, 'still within 30 s of the last good count');
    clock.advance(MEASURE_EVERY_MS);
    assert.equal(await backlog.current(), 0, 'a count older than 30 s is no reason to refuse');
  });

  it('abandons a count that never answers', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const clock = new ManualClock();
      let calls = 0;
      const backlog = new Backlog(() => {
        calls += 1;
        return calls === 1 ? Promise.resolve(1) : new Promise<number>(() => undefined);
      }, clock, log);
      assert.equal(await backlog.current(), 1);
      clock.advance(MEASURE_EVERY_MS);
      await backlog.current(); // starts a count that hangs
      clock.advance(MEASURE_EVERY_MS);
      await backlog.current();
      assert.equal(calls, 2, 'while one count is pending, no other starts');
      mock.timers.tick(5000);
      await tick();
      clock.advance(MEASURE_EVERY_MS);
      await backlog.current();
      assert.equal(calls, 3, 'after the timeout a new count starts');
    } finally {
      mock.timers.reset();
    }
  });
});

describe('checkBackpressure', () => {
  it('refuses over the bound with a 503 problem and Retry-After, and never checks when the bound is 0', async () => {
    const c = counter([11]);
    const backlog = new Backlog(c.measure, new ManualClock(), log);
    await checkBackpressure(backlog, 0);
    assert.equal(c.calls(), 0);
    await checkBackpressure(backlog, 11);
    await assert.rejects(checkBackpressure(backlog, 10), (err: unknown) => err instanceof AppError && err.status === 503 && err.code === 'backpressure' && err.headers['retry-after'] === '10');
  });
});
