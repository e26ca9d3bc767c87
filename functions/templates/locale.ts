/**
 * Locale resolution for templates and pages, apart from the renderer so a page
 * needs no MJML. Picks the template locale: exact match (e.g. "ms-MY"), then the language ("ms"), then "en". */
export function resolveLocale(available: string[], requested: string | undefined): string {
  // BCP 47 tags are case-insensitive; accept "ms_MY" too, as some platforms send it.
  const find = (tag: string) => available.find((locale) => locale.toLowerCase() === tag.toLowerCase());
  const wanted = requested?.trim().replace(/_/g, '-') ?? '';
  const match = (wanted && find(wanted)) || (wanted && find(wanted.split('-')[0]!)) || find('en');
  if (!match) throw new Error(`no template for locale "${requested ?? ''}" and no "en" fallback (have: ${available.join(', ') || 'none'})`);
  return match;
}
