#!/usr/bin/env node
// Process entry (the `hookrelay` bin): hands argv and the environment to the CLI. Commands
// that keep running (serve, worker, listen) exit through their signal handlers.
import { run } from './cli/index.js';

const args = process.argv.slice(2);
const code = await run(args.length === 0 ? ['serve'] : args, process.env);
if (code !== 0) process.exit(code);
