#!/usr/bin/env node
// The `retention` command: runs the TypeScript sources directly through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every command under Node.js 20 that its releases after January 2027 will need
// Node.js 22. The versions package-lock.json pins run on 20; the deployed functions run on 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../local/cli.ts');
