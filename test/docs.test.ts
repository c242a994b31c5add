// The README tells the truth about the things a test can check: the settings table is the one
// the code describes, and every permission an API key can hold is documented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PERMISSIONS } from '../src/api-keys/keys.js';
import { describeSettings } from '../src/config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README settings table is exactly the configuration schema', () => {
  const m = /<!-- settings -->\n([\s\S]*?)\n<!-- \/settings -->/.exec(readme);
  assert.ok(m?.[1] !== undefined, 'README has a <!-- settings --> table');
  assert.equal(m[1].trim(), describeSettings().trim(), 'regenerate it with `node dist/main.js config`');
});

test('every API key permission is documented', () => {
  for (const p of PERMISSIONS) assert.ok(readme.includes(`\`${p}\``), `README names ${p}`);
});
