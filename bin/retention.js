#!/usr/bin/env node
// The `retention` command: runs the TypeScript sources directly through tsx, so there is no build step.
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// A long simulation allocates fast, and V8 then lets its heap grow to up to four times the data it holds:
// 1.5 times here, so a run's memory follows what it keeps (a simulated year of 1,000 customers peaked at
// 501 MB instead of 935 MB, for about 1 % more time; BENCHMARKS.md). V8 reads it at each collection.
setFlagsFromString('--heap-growing-percent=50');

// The AWS SDK warns on every command under Node.js 20 that its releases after January 2027 will need
// Node.js 22. The versions package-lock.json pins run on 20; the deployed functions run on 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../local/cli.ts');
