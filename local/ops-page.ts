/**
 * The shell of the local ops dashboard's pages beside the dashboard itself (`/explain`,
 * `/dead-letters`): the CloudWatch console's colours, no script, nothing from the network.
 * What they show is anyone's input: every page escapes it with `escapeHtml`.
 */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const baseCss = `body { font: 13px/1.4 system-ui, sans-serif; margin: 0; background: #f2f3f3; color: #16191f; }
header { padding: 12px 20px; background: #232f3e; color: #fff; }
header h1 { font-size: 18px; margin: 0 0 4px; }
header p { margin: 0; color: #d5dbdb; }
header a { color: #fff; }
main { padding: 12px 16px 24px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid #d5dbdb; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid #eaeded; }
th { background: #fafafa; font-weight: 600; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
code { background: #eaeded; padding: 1px 4px; border-radius: 2px; }`;

/** A page: `title` (text), `subtitle` and `body` (HTML, escaped by the caller), and the page's own styles. */
export const opsPage = (page: { title: string; subtitle: string; body: string; css?: string; formAction?: boolean }) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'${page.formAction ? "; form-action 'self'" : ''}">
<title>Retention engine: ${escapeHtml(page.title.toLowerCase())}</title>
<style>
${baseCss}
${page.css ?? ''}
</style></head>
<body><header><h1>${escapeHtml(page.title)}</h1><p>${page.subtitle}</p></header>
<main>${page.body}</main>
</body></html>
`;
