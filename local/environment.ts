/**
 * Process defaults for running the functions on a laptop. Imported first by the
 * local stack, because Powertools reads these when the handlers' logger and
 * metrics are created.
 */
// Quiet by default: POWERTOOLS_LOG_LEVEL=INFO shows every handler's log lines.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
// Metrics stay on: their embedded-metric-format lines are taken out of stdout into the local metrics (local/metrics.ts).
// The functions run on Node.js 22 on AWS; the SDK's notice about Node 20 concerns only this laptop.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
