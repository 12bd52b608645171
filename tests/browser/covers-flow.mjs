// A new campus licence offered from /admin, in a real browser:
// node covers-flow.mjs BASE_URL OUT_DIR USERNAME PASSWORD
//
// Signs in (choosing a new password, as a first sign-in must), adds "Windows 11
// Education" (covering Windows 11 Education and Enterprise) and "Office LTSC Professional
// Plus 2024" (with Project and Visio) as versions by ticking products of the product
// table, then downloads each from its public page as a person would and saves the zips
// as OUT_DIR/windows-11-education.zip and OUT_DIR/office-ltsc-2024.zip, with a screenshot
// at each step. Exits 1 naming the step that failed. It only talks to BASE_URL.

import { join } from 'node:path';
import { expect, start } from './flow.mjs';

const [baseArg, outDir, username, password] = process.argv.slice(2);
if (!baseArg || !outDir || !username || !password) {
  console.error('usage: node covers-flow.mjs BASE_URL OUT_DIR USERNAME PASSWORD');
  process.exit(2);
}
const base = baseArg.replace(/\/+$/, '');
const NEW_PASSWORD = 'another passphrase for the lab';
const { page, step, finish } = await start(outDir, 'covers');

/// Fills the new-version form and ticks the named products in the named release.
async function addVersion({ product, slug, nameZh, nameEn, family, release, products, upgrade }) {
  await page.goto(`${base}/admin/catalogue/versions/new?product=${product}&lang=en`);
  await page.fill('#f-slug', slug);
  await page.fill('#f-name_zh', nameZh);
  await page.fill('#f-name_en', nameEn);
  await page.selectOption('#f-family', family);
  await page.check('input[name=seats_kind][value=campus]');
  await page.fill('#f-term_start', '2026-03-01');
  await page.fill('#f-term_end', '2029-02-28');
  await page.check('#f-kms_activated');
  const group = page.locator('details.release', { has: page.locator('summary', { hasText: new RegExp(`^${release}$`) }) });
  expect(await group.count() === 1, `one group for ${release}`);
  if (!(await group.evaluate((details) => details.open))) await group.locator('summary').click();
  for (const name of products) {
    await group.getByLabel(name, { exact: true }).check();
  }
  if (upgrade) await page.check('#f-edition_upgrade');
  await page.screenshot({ path: join(outDir, `covers-form-${slug}.png`), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('form.edit-form button[type=submit]')]);
  expect(page.url().includes('/admin/catalogue?done=created'), `saved: ${page.url()}`);
}

/// Opens the version's public page, clicks its download and saves the zip.
async function download(slug) {
  await page.goto(`${base}/catalog/${slug}?lang=en`);
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`a[href="/download/${slug}"]`),
  ]);
  await file.saveAs(join(outDir, `${slug}.zip`));
}

await step('sign-in', async () => {
  await page.goto(`${base}/admin/login?lang=en`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  await page.fill('#current', password);
  await page.fill('#new', NEW_PASSWORD);
  await page.fill('#confirm', NEW_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form button[type=submit]')]);
  expect(new URL(page.url()).pathname === '/admin', `signed in: ${page.url()}`);
});

await step('add-windows', () => addVersion({
  product: 'windows-enterprise',
  slug: 'windows-11-education',
  nameZh: 'Windows 11 教育版',
  nameEn: 'Windows 11 Education',
  family: 'windows',
  release: 'Windows 11',
  products: ['Windows 11 Education', 'Windows 11 Enterprise'],
  upgrade: true,
}));

await step('add-office', () => addVersion({
  product: 'office-professional-plus',
  slug: 'office-ltsc-2024',
  nameZh: 'Office LTSC 專業增強版 2024',
  nameEn: 'Office LTSC Professional Plus 2024',
  family: 'office',
  release: 'Office LTSC 2024',
  products: ['Office LTSC Professional Plus 2024', 'Project Professional 2024', 'Visio LTSC Professional 2024'],
  upgrade: false,
}));

await step('download-windows', async () => {
  await download('windows-11-education');
  const text = await page.textContent('main');
  expect(text.includes('Windows 11 Enterprise'), 'the page lists what the activator activates');
});

await step('download-office', async () => {
  await download('office-ltsc-2024');
  const text = await page.textContent('main');
  expect(text.includes('Visio LTSC Professional 2024'), 'the page lists Visio');
});

await finish();
