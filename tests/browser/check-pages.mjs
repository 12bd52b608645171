// Real-browser checks of the portal's pages: node check-pages.mjs BASE_URL OUT_DIR KMS_HOST
//
// Opens the catalogue, a tutorial and an error-code page in both languages at a desktop
// and a phone size in Debian's Chromium, saves a full-page screenshot of each to OUT_DIR,
// and checks what a person (or a screen reader) would notice: the status, the language,
// one heading, a title, no console errors or CSP violations, no sideways scrolling,
// alt text and labels, the skip link, and the content each page exists to show. Then
// one unknown error code must answer 404 with a page that links to the known codes.
//
// It prints one line per page and exits 1 naming every page/lang/viewport that failed.
// It only talks to BASE_URL: Chromium's own background traffic is switched off.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const LANGS = ['zh-TW', 'en'];
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900, mobile: false },
  { name: 'phone', width: 390, height: 844, mobile: true },
];
// The seed catalogue: 22 versions, Office 2016 among them under its name in each language.
const CATALOGUE_VERSIONS = 22;
const OFFICE_2016 = { 'zh-TW': 'Office 專業增強版 2016', en: 'Office 2016 Professional Plus' };
const KNOWN_CODE = '0xC004F074';

const [baseArg, outDir, kmsHost] = process.argv.slice(2);
if (!baseArg || !outDir || !kmsHost) {
  console.error('usage: node check-pages.mjs BASE_URL OUT_DIR EXPECTED_KMS_HOST');
  process.exit(2);
}
const baseUrl = baseArg.replace(/\/+$/, '');

// Each page: its address, and the checks only it needs; `check` returns problem strings.
const PAGES = [
  {
    name: 'catalogue',
    path: '/',
    check: async (page, lang) => {
      const problems = [];
      const text = await mainText(page);
      if (!text.includes(OFFICE_2016[lang])) problems.push(`does not list "${OFFICE_2016[lang]}"`);
      const rows = await page.locator('table.catalogue tbody tr').count();
      if (rows !== CATALOGUE_VERSIONS) {
        problems.push(`shows ${rows} versions, expected ${CATALOGUE_VERSIONS}`);
      }
      return problems;
    },
  },
  {
    name: 'tutorial',
    path: '/tutorials/office',
    check: async (page) => {
      const problems = [];
      const text = await mainText(page);
      if (!text.includes(kmsHost)) problems.push(`does not name the KMS host ${kmsHost}`);
      if (!text.includes(`/sethst:${kmsHost}`)) problems.push(`lacks the command /sethst:${kmsHost}`);
      return problems;
    },
  },
  {
    name: 'error',
    path: `/errors/${KNOWN_CODE}`,
    check: async (page) => ((await mainText(page)).includes(KNOWN_CODE) ? [] : [`does not show ${KNOWN_CODE}`]),
  },
];

mkdirSync(outDir, { recursive: true });
// launch() gives Chromium a fresh temporary profile of its own and removes it on close.
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
const failures = [];
try {
  for (const spec of PAGES) {
    for (const lang of LANGS) {
      for (const viewport of VIEWPORTS) {
        const label = `${spec.name} ${lang} ${viewport.name}`;
        const url = `${baseUrl}${spec.path}?lang=${encodeURIComponent(lang)}`;
        const shot = join(outDir, `${spec.name}-${lang}-${viewport.name}.png`);
        await checkPage(label, url, { lang, viewport, status: 200, shot, extra: spec.check });
      }
    }
  }
  await checkPage('not-found en desktop', `${baseUrl}/errors/0xDEADBEEF?lang=en`, {
    lang: 'en',
    viewport: VIEWPORTS[0],
    status: 404,
    shot: join(outDir, 'not-found-en-desktop.png'),
    extra: async (page) => {
      const links = await page.locator(`a[href^="/errors/${KNOWN_CODE}"]`).count();
      return links > 0 ? [] : [`does not link to /errors/${KNOWN_CODE} among the known codes`];
    },
  });
} finally {
  await browser.close();
}

if (failures.length > 0) {
  console.error(`\n${failures.length} page(s) failed:`);
  for (const { label, problems } of failures) {
    for (const problem of problems) console.error(`  ${label}: ${problem}`);
  }
  process.exit(1);
}
console.log('all pages passed');

/** Opens one page in a fresh context, screenshots it, runs every check, records the result. */
async function checkPage(label, url, { lang, viewport, status, shot, extra }) {
  const context = await browser.newContext({
    viewport: { width: viewport.width, height: viewport.height },
    isMobile: viewport.mobile,
    hasTouch: viewport.mobile,
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const problems = [];
  const documentUrl = new URL(url).href;
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium reports the document's own error status (the 404 page) as a console error.
    const own = message.location().url === documentUrl && message.text().startsWith('Failed to load resource');
    if (!(own && status !== 200)) problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.url() !== documentUrl && response.status() >= 400) {
      problems.push(`${response.url()} answered ${response.status()}`);
    }
  });
  // Chromium also logs CSP violations to the console; this catches any it does not.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });

  try {
    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response) throw new Error('no response');
    if (response.status() !== status) problems.push(`HTTP status ${response.status()}, expected ${status}`);
    await page.screenshot({ path: shot, fullPage: true });
    problems.push(...(await commonProblems(page, lang, viewport)));
    problems.push(...(await extra(page, lang)));
    problems.push(...(await skipLinkProblems(page)));
    const violations = await page.evaluate(() => window.__cspViolations);
    problems.push(...violations.map((v) => `CSP violation: ${v}`));
  } catch (error) {
    problems.push(`could not be checked: ${error.message}`);
  } finally {
    await context.close();
  }

  if (problems.length === 0) {
    console.log(`ok    ${label}  ${url}`);
  } else {
    console.log(`FAIL  ${label}  ${url}`);
    failures.push({ label, problems });
  }
}

/** The checks every page must pass, whatever it shows. */
async function commonProblems(page, lang, viewport) {
  const facts = await page.evaluate(() => {
    const labelled = (el) => {
      if ((el.getAttribute('aria-label') || '').trim()) return true;
      const ids = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean);
      if (ids.some((id) => (document.getElementById(id)?.textContent || '').trim())) return true;
      return [...(el.labels || [])].some((label) => label.textContent.trim());
    };
    const describe = (el) => `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${el.name ? ` name="${el.name}"` : ''}>`;
    const controls = [...document.querySelectorAll('input, select, textarea')].filter(
      (el) => !['hidden', 'submit', 'reset', 'button', 'image'].includes(el.type),
    );
    const buttons = [...document.querySelectorAll('button, input[type=submit], input[type=reset], input[type=button]')];
    return {
      lang: document.documentElement.lang,
      h1s: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
      title: document.title.trim(),
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      imagesWithoutAlt: [...document.images].filter((img) => !img.hasAttribute('alt')).map((img) => img.src),
      unlabelled: controls.filter((el) => !labelled(el)).map(describe),
      nameless: buttons.filter((el) => !(el.textContent.trim() || el.value || labelled(el))).map(describe),
      stylesheets: document.styleSheets.length,
    };
  });
  const problems = [];
  if (facts.lang !== lang) problems.push(`<html lang="${facts.lang}">, expected "${lang}"`);
  if (facts.h1s.length !== 1) problems.push(`has ${facts.h1s.length} <h1> elements, expected exactly one`);
  else if (!facts.h1s[0]) problems.push('its <h1> is empty');
  if (!facts.title) problems.push('its <title> is empty');
  // A phone may widen innerWidth to fit wide content, so compare with the viewport too.
  const width = Math.min(facts.innerWidth, viewport.width);
  if (facts.scrollWidth > width + 1) {
    problems.push(`scrolls sideways: content ${facts.scrollWidth}px wide in a ${width}px window`);
  }
  for (const src of facts.imagesWithoutAlt) problems.push(`<img src="${src}"> has no alt attribute`);
  for (const control of facts.unlabelled) problems.push(`form control ${control} has no label`);
  for (const button of facts.nameless) problems.push(`button ${button} has no text`);
  if (facts.stylesheets === 0) problems.push('no stylesheet was applied');
  return problems;
}

/** Pressing Tab once from a freshly loaded page must land on the skip link to #main. */
async function skipLinkProblems(page) {
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    return {
      isSkipLink: Boolean(el?.matches('a.skip-link')),
      href: el?.getAttribute('href') ?? null,
      what: el ? `<${el.tagName.toLowerCase()} class="${el.className}">` : 'nothing',
      mainExists: Boolean(document.getElementById('main')),
    };
  });
  const problems = [];
  if (!focused.isSkipLink) problems.push(`Tab focuses ${focused.what}, not the skip link a.skip-link`);
  else if (focused.href !== '#main') problems.push(`the skip link points to ${focused.href}, not #main`);
  if (!focused.mainExists) problems.push('there is no element with id="main" for the skip link');
  return problems;
}

/** The text of the page's main content, hidden parts included. */
async function mainText(page) {
  return page.evaluate(() => (document.querySelector('main') ?? document.body).textContent);
}
