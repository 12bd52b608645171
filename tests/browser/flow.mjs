// What the staff-flow scripts share: Debian's Chromium started headless with the flags
// this machine needs, and steps that each end in a screenshot or stop the script naming
// the step that failed (exit 1). Page errors and console errors are collected; `finish`
// fails on any.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/// Starts Chromium with one page; `prefix` names the screenshots `{prefix}-{step}.png`.
/// Console errors `ignore(message)` accepts (e.g. the status of a refusal the flow means
/// to reach, or another site's page) are not problems.
export async function start(outDir, prefix, ignore = () => false) {
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !ignore(m)) problems.push(`console: ${m.text()}`);
  });

  async function step(name, action) {
    try {
      await action();
      await page.screenshot({ path: join(outDir, `${prefix}-${name}.png`), fullPage: true });
      console.log(`ok   ${name}`);
    } catch (error) {
      await page.screenshot({ path: join(outDir, `${prefix}-${name}-failed.png`), fullPage: true }).catch(() => {});
      console.log(`FAIL ${name}: ${error.message}`);
      await browser.close();
      process.exit(1);
    }
  }

  async function finish() {
    await browser.close();
    if (problems.length) {
      console.log(`FAIL console: ${problems.join('; ')}`);
      process.exit(1);
    }
  }

  return { page, step, finish };
}

/// Throws `message` unless `condition` holds.
export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/// At the test OpenID provider's pages (oidc-provider.mjs): signs in as `account`, consents
/// the first time, and waits until the browser is back at `base` — or, when `download`
/// is given, until that download starts.
export async function signInAtProvider(page, account, base, download = null) {
  await page.fill('input[name=login]', account);
  await page.fill('input[name=password]', 'any password the test provider takes');
  await Promise.all([page.waitForNavigation().catch(() => {}), page.click('button[type=submit]')]);
  const back = download ?? page.waitForURL((url) => url.href.startsWith(base), { timeout: 15000 });
  if (!page.url().startsWith(base)) {
    await Promise.all([back, page.click('button[type=submit]')]);
  }
  return back;
}
