import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// src/version.ts and dist/version.js both sit one level below the package root.
const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8')) as { version: string };

export const VERSION: string = pkg.version;
export const USER_AGENT = `hookrelay/${VERSION}`;
