/**
 * Headless Chromium for the end-to-end tests: Debian's `chromium` (or
 * CHROMIUM_PATH) through playwright-core, with one page whose errors are kept.
 */
import { chromium } from 'playwright-core';

export const openChromium = async (viewport: { width: number; height: number }) => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport });
  /** What the page logged as errors: a working page logs none. */
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  return { browser, page, pageErrors };
};
