#!/usr/bin/env node
// The `retention` command: runs the TypeScript sources directly through tsx, so there is no build step.
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// A long simulation allocates fast, and V8 then lets its heap grow to up to four times the data it holds:
// 1.5 times here, so a run's memory follows what it keeps (a simulated quarter of 300 customers peaked at
// 546 MB, 351 MB with this, in the same time; BENCHMARKS.md). Read by V8 at each collection, so it holds when set now.
setFlagsFromString('--heap-growing-percent=50');

// The AWS SDK warns on every command under Node.js 20 that its releases after January 2027 will need
// Node.js 22. The versions package-lock.json pins run on 20; the deployed functions run on 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../local/cli.ts');
