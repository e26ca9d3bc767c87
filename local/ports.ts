/** Where `npm start` serves each part, so `retention publish` and a browser can find them. */
export const localPorts = {
  bus: Number(process.env.RETENTION_BUS_PORT ?? 4010),
  dynamo: Number(process.env.RETENTION_DYNAMODB_PORT ?? 4011),
  ses: Number(process.env.RETENTION_SES_PORT ?? 4012),
  inbox: Number(process.env.RETENTION_INBOX_PORT ?? 8005),
  links: Number(process.env.RETENTION_LINKS_PORT ?? 4014),
  dashboard: Number(process.env.RETENTION_DASHBOARD_PORT ?? 4015),
  studio: Number(process.env.RETENTION_STUDIO_PORT ?? 4020),
};

export const localBusUrl = process.env.RETENTION_BUS_URL ?? `http://127.0.0.1:${localPorts.bus}`;
