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
// What SES's GetAccount answers locally (aws-ses-v2-local reads it from here): an account out of the
// sandbox with a generous send rate, so the sender's pace (below the quota) costs a simulation nothing.
process.env.AWS_SES_ACCOUNT ??= JSON.stringify({
  DedicatedIpAutoWarmupEnabled: false,
  Details: {
    AdditionalContactEmailAddresses: [],
    ContactLanguage: 'EN',
    MailType: 'MARKETING',
    ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
    UseCaseDescription: 'Retention campaigns, run locally',
    WebsiteURL: 'https://shop.example',
  },
  EnforcementStatus: 'HEALTHY',
  ProductionAccessEnabled: true,
  SendingEnabled: true,
  SendQuota: { Max24HourSend: 1_000_000, MaxSendRate: 500, SentLast24Hours: 0 },
  SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
});
