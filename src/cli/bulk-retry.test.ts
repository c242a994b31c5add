// Slicing the failed queue by creation time for bulk retry with progress: adjacent half-open
// slices cover every delivery exactly once, whatever the ties, within the filter's own bounds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planSlices, type Slice } from './bulk-retry.js';

const inSlice = (t: number, s: Slice): boolean => (s.since === undefined || t >= s.since) && (s.until === undefined || t < s.until);

describe('planSlices', () => {
  it('covers every time exactly once, in slices of about the given size, newest first', () => {
    const times = Array.from({ length: 2500 }, (_, i) => 1_000_000 + Math.floor(i / 7)); // many ties
    const slices = planSlices(times, 1000, undefined, undefined);
    assert.ok(slices.length === 3, JSON.stringify(slices));
    for (const t of times) assert.equal(slices.filter((s) => inSlice(t, s)).length, 1, `time ${t}`);
    assert.equal(slices[0]?.until, undefined, 'the newest slice is open, so new failures are included');
    assert.equal(slices.at(-1)?.since, undefined);
    const sizes = slices.map((s) => times.filter((t) => inSlice(t, s)).length);
    assert.ok(sizes.every((n) => n <= 1006), `sizes ${sizes.join(',')}`);
  });

  it('keeps the filter\'s since and until as the outer bounds', () => {
    const times = Array.from({ length: 30 }, (_, i) => 100 + i);
    const slices = planSlices(times, 10, 100, 200);
    assert.equal(slices[0]?.until, 200);
    assert.equal(slices.at(-1)?.since, 100);
    for (const t of times) assert.equal(slices.filter((s) => inSlice(t, s)).length, 1);
  });

  it('never cuts twice at one time, however many deliveries share that millisecond', () => {
    assert.deepEqual(planSlices(Array<number>(5000).fill(42), 1000, undefined, undefined), [
      { since: 42, until: undefined },
      { since: undefined, until: 42 },
    ]);
  });

  it('is one open slice for nothing', () => {
    assert.deepEqual(planSlices([], 1000, undefined, undefined), [{ since: undefined, until: undefined }]);
  });
});
