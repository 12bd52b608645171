// The staff flow in a real browser: node admin-flow.mjs BASE_URL OUT_DIR USERNAME PASSWORD
//
// Signs in with an account whose password was set by someone else (so the portal first
// asks for a new one), opens the dashboard, edits Office 2016's licence term, finds the
// new term on the public software list, creates a deployment token for a computer lab,
// revokes the download tokens issued before today, subscribes to the daily digest in
// English and makes a licence calendar link — saving a screenshot at each step. Exits 1
// naming the step that failed. It only talks to BASE_URL.

import { expect, start } from './flow.mjs';

const [baseArg, outDir, username, password] = process.argv.slice(2);
if (!baseArg || !outDir || !username || !password) {
  console.error('usage: node admin-flow.mjs BASE_URL OUT_DIR USERNAME PASSWORD');
  process.exit(2);
}
const base = baseArg.replace(/\/+$/, '');
const NEW_PASSWORD = 'a fresh passphrase only I know';
const NEW_END = '2027-06-30';
const { page, step, finish } = await start(outDir, 'admin');

await step('sign-in', async () => {
  await page.goto(`${base}/admin/login?lang=en`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  expect(new URL(page.url()).pathname === '/admin/password', `after sign-in: ${page.url()}`);
});

await step('password', async () => {
  await page.fill('#current', password);
  await page.fill('#new', NEW_PASSWORD);
  await page.fill('#confirm', NEW_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  expect(new URL(page.url()).pathname === '/admin', `after the password change: ${page.url()}`);
});

await step('dashboard', async () => {
  expect(await page.locator('h1').count() === 1, 'one heading');
  expect(await page.locator('svg[role=img]').count() >= 1, 'the activations chart');
  const text = await page.textContent('main');
  expect(text.includes(username), 'the signed-in account is shown');
});

await step('edit-term', async () => {
  await page.goto(`${base}/admin/catalogue/versions/office-2016-proplus/edit?lang=en`);
  await page.fill('#f-term_end', NEW_END);
  await Promise.all([page.waitForNavigation(), page.click('form.edit-form button[type=submit]')]);
  expect(!page.url().includes('/edit'), `saved and left the form: ${page.url()}`);
});

await step('catalogue', async () => {
  await page.goto(`${base}/?lang=en&q=office+2016`);
  const row = page.locator('table.catalogue tbody tr', { hasText: 'Office 2016 Professional Plus' });
  const text = await row.textContent();
  expect(text.includes(NEW_END), `the new term is on the public list: ${text}`);
  expect(!text.includes('Ended'), `an end date in the future is not ended: ${text}`);
});

await step('deployment', async () => {
  await page.goto(`${base}/admin/deployments?lang=en`);
  await page.fill('#f-unit', 'EE-301 computer lab');
  await page.selectOption('#f-version', 'office-2019-proplus');
  await Promise.all([page.waitForNavigation(), page.click('form.edit-form button[type=submit]')]);
  const url = new URL(page.url());
  expect(url.searchParams.get('done') === 'created', `created: ${page.url()}`);
  const row = page.locator('table.edit-table tbody tr', { hasText: 'EE-301 computer lab' });
  expect(await row.count() === 1, 'the new deployment is listed');
  const zip = await row.locator('a', { hasText: 'Download the deployment zip' }).getAttribute('href');
  expect(/^\/admin\/deployments\/[0-9a-f]{24}\/zip$/.test(zip), `its zip: ${zip}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(!overflow, 'no sideways scrolling');
});

await step('downloads', async () => {
  await page.goto(`${base}/admin/downloads?lang=en`);
  expect((await page.textContent('h1')).includes('Download tokens'), 'the downloads page');
  const today = new Date().toISOString().slice(0, 10);
  const form = page.locator('form.edit-form', { hasText: 'Revoke every download before a date' });
  await form.locator('#f-before').fill(today);
  await Promise.all([page.waitForNavigation(), form.locator('button[type=submit]').click()]);
  const revoked = new URL(page.url()).searchParams.get('revoked');
  expect(revoked !== null, `revoked: ${page.url()}`);
  expect(await page.locator('p[role=status]').count() === 1, 'says what it revoked');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(!overflow, 'no sideways scrolling');
});

await step('mail', async () => {
  await page.goto(`${base}/admin/mail?lang=en`);
  expect((await page.textContent('h1')).includes('E-mail notifications'), 'the mail page');
  await page.fill('#f-email', 'it-desk@example.edu');
  await page.selectOption('#f-lang', 'en');
  await page.check('#f-digest');
  await page.check('#f-alerts');
  await Promise.all([page.waitForNavigation(), page.click('form.edit-form button[type=submit]')]);
  expect(await page.locator('p[role=status]').count() === 1, 'says it is saved');
  expect(await page.inputValue('#f-email') === 'it-desk@example.edu', 'keeps the address');
  await Promise.all([page.waitForNavigation(), page.click('#calendar button[type=submit]')]);
  const link = await page.inputValue('#calendar-link');
  expect(/\/calendar\.ics\?key=\d+\.1\.[0-9a-f]{64}$/.test(link), `the calendar link: ${link}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(!overflow, 'no sideways scrolling');
});

await finish();
