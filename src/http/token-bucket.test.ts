// The token bucket on a hand-moved clock: what it admits, what it reports for the RateLimit-*
// headers, and that its memory stays bounded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitFor, RateLimiter, refill, take, type BucketState } from './token-bucket.js';

describe('token bucket', () => {
  it('admits a second\'s worth at once, then one request per 1/rate of clock time', () => {
    const limit = limitFor(10);
    let state: BucketState | undefined;
    const results: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      const r = take(state, limit, 1000);
      state = r.state;
      results.push(r.decision.allowed);
    }
    assert.deepEqual(results, [...Array<boolean>(10).fill(true), false, false]);
    assert.equal(take(state, limit, 1099).decision.allowed, false, '99 ms refill less than one token');
    const after = take(state, limit, 1100);
    assert.equal(after.decision.allowed, true, '100 ms refill one token at 10/s');
    assert.equal(after.decision.remaining, 0);
  });

  it('reports limit, remaining, reset and retry-after in whole numbers a client can act on', () => {
    const limit = limitFor(4);
    const first = take(undefined, limit, 0);
    assert.deepEqual(first.decision, { allowed: true, limit: 4, remaining: 3, resetSeconds: 1, retryAfterSeconds: 0 });
    let state = first.state;
    for (let i = 0; i < 3; i++) state = take(state, limit, 0).state;
    const refused = take(state, limit, 0).decision;
    assert.deepEqual(refused, { allowed: false, limit: 4, remaining: 0, resetSeconds: 1, retryAfterSeconds: 1 });
  });

  it('rounds waits up, so waiting as told always succeeds', () => {
    const limit = limitFor(0.5); // one request every two seconds
    assert.equal(limit.burst, 1);
    const { state } = take(undefined, limit, 0);
    const refused = take(state, limit, 0).decision;
    assert.equal(refused.retryAfterSeconds, 2);
    assert.equal(take(state, limit, 1999).decision.allowed, false);
    assert.equal(take(state, limit, 2000).decision.allowed, true);
  });

  it('never holds more than its burst, and a clock stepping back adds nothing', () => {
    const limit = limitFor(5);
    assert.equal(refill({ tokens: 0, at: 0 }, limit, 60_000).tokens, 5);
    assert.deepEqual(refill({ tokens: 2, at: 5000 }, limit, 4000), { tokens: 2, at: 5000 });
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter();
    const limit = limitFor(1);
    assert.equal(limiter.take('a', limit, 0).allowed, true);
    assert.equal(limiter.take('a', limit, 0).allowed, false);
    assert.equal(limiter.take('b', limit, 0).allowed, true, 'another key is not affected');
  });

  it('bounds memory by dropping the least recently used key, which can only be lenient', () => {
    const limiter = new RateLimiter(3);
    const limit = limitFor(1);
    for (const key of ['a', 'b', 'c']) limiter.take(key, limit, 0);
    limiter.take('a', limit, 0); // refused; a is now the most recently used
    limiter.take('d', limit, 0); // evicts b, the least recently used
    assert.equal(limiter.size, 3);
    assert.equal(limiter.take('a', limit, 0).allowed, false, 'a was kept');
    assert.equal(limiter.take('b', limit, 0).allowed, true, 'b was dropped and starts full');
    assert.equal(limiter.size, 3);
  });
});
