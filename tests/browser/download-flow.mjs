// Downloads behind a campus sign-in, in a real browser:
//   node download-flow.mjs BASE_URL OUT_DIR ACCOUNT EXPECTED
//
// Opens a version's download; the portal sends the browser to the OpenID provider
// (oidc-provider.mjs), where it signs in as ACCOUNT. EXPECTED `downloads` means the zip
// arrives, a second one too without signing in again, and a third is refused as over the
// per-person limit (the portal is started with 2 a day); `refused` means the portal
// answers 403 saying this account may not download. Exits 1 naming the step that failed.

import { expect, signInAtProvider, start } from './flow.mjs';

const [baseArg, outDir, account, expected] = process.argv.slice(2);
if (!baseArg || !outDir || !account || !['downloads', 'refused'].includes(expected)) {
  console.error('usage: node download-flow.mjs BASE_URL OUT_DIR ACCOUNT downloads|refused');
  process.exit(2);
}
const base = baseArg.replace(/\/+$/, '');
const url = `${base}/download/office-2019-proplus?lang=en`;
// The provider's own pages are not under test; the refusals are meant.
const ignore = (message) => !message.location().url.startsWith(base)
  || /status of (403|429)/.test(message.text());
const { page, step, finish } = await start(outDir, `download-${account}`, ignore);
await page.route((u) => !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname), (route) => route.abort());

async function zipFrom(download) {
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  return readFileSync(path);
}

await step('to-provider', async () => {
  await page.goto(url);
  expect(!page.url().startsWith(base), `sent to sign in: ${page.url()}`);
});

if (expected === 'refused') {
  await step('refused', async () => {
    await signInAtProvider(page, account, base);
    const text = await page.textContent('main');
    expect(text.includes(`The campus account ${account} is not among those the licences cover`), `says why: ${text}`);
  });
} else {
  await step('first-download', async () => {
    const download = await signInAtProvider(page, account, base, page.waitForEvent('download', { timeout: 15000 }));
    const zip = await zipFrom(download);
    expect(zip.subarray(0, 2).toString() === 'PK', 'a zip');
  });
  await step('second-download', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.goto(url).catch(() => {})]);
    expect((await zipFrom(download)).length > 100, 'a second zip, without signing in again');
  });
  await step('over-the-limit', async () => {
    const response = await page.goto(url);
    expect(response.status() === 429, `the third in a day is refused: ${response.status()}`);
  });
}

await finish();
