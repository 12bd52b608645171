// Single sign-on in a real browser: node sso-flow.mjs BASE_URL OUT_DIR ACCOUNT EXPECTED
//
// Opens the portal's sign-in page, follows "Sign in with …" to the OpenID provider
// (tests/browser/oidc-provider.mjs), signs in there as ACCOUNT, consents, and checks where
// the browser lands: EXPECTED is `admin` or `viewer` (the dashboard, with that role) or
// `refused` (the sign-in page again, status 403, saying why). A screenshot at each step
// ({ACCOUNT}-{step}.png). Exits 1 naming the step that failed.

import { expect, signInAtProvider, start } from './flow.mjs';

const [baseArg, outDir, account, expected] = process.argv.slice(2);
if (!baseArg || !outDir || !account || !['admin', 'viewer', 'refused'].includes(expected)) {
  console.error('usage: node sso-flow.mjs BASE_URL OUT_DIR ACCOUNT admin|viewer|refused');
  process.exit(2);
}
const base = baseArg.replace(/\/+$/, '');
// The provider's own pages are not under test; the portal's refusal is meant to be 403.
const ignore = (message) => !message.location().url.startsWith(base)
  || (expected === 'refused' && /status of 403/.test(message.text()));
const { page, step, finish } = await start(outDir, `sso-${account}`, ignore);
// Loopback only: what the provider's pages would fetch from elsewhere is not fetched.
await page.route((url) => !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname), (route) => route.abort());

await step('login-page', async () => {
  await page.goto(`${base}/admin/login?lang=en`);
  const button = page.locator('a.button', { hasText: 'Sign in with the campus account' });
  expect(await button.count() === 1, 'the campus sign-in button');
  await Promise.all([page.waitForNavigation(), button.click()]);
  expect(!page.url().startsWith(base), `at the provider: ${page.url()}`);
});

await step('provider', async () => {
  await signInAtProvider(page, account, base);
  expect(page.url().startsWith(base), `back at the portal: ${page.url()}`);
});

await step('landing', async () => {
  const text = await page.textContent('main');
  if (expected === 'refused') {
    expect(page.url().includes('/admin/login/sso/callback'), `stays on the sign-in: ${page.url()}`);
    expect(text.includes(`The campus account ${account} may not use the staff pages`), `says why: ${text}`);
    expect(await page.locator('a.button', { hasText: 'Sign in with the campus account' }).count() === 1, 'offers to try again');
  } else {
    expect(new URL(page.url()).pathname === '/admin', `on the dashboard: ${page.url()}`);
    expect(text.includes(account), `signed in as ${account}: ${text.slice(0, 200)}`);
    const viewerNote = await page.locator('.admin-bar + p.note').count();
    expect((expected === 'viewer') === (viewerNote === 1), `the role is ${expected}`);
  }
});

await finish();
