// End-to-end test of the dashboard in headless Chromium (Debian's chromium, driven by
// playwright-core): a real server process with the demo district on loopback; log in, open the
// overview, drill into a commune, issue a plan, create an enrollment code, download a report.
// Screenshots of every step are kept in target/e2e-screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
const serverBin = process.env.SOTAY_SERVER_BIN || path.join(targetDir, 'debug', 'sotay-server');
const shots = path.join(root, 'target', 'e2e-screenshots');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

let server, browser, page, base, password, dataDir;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

async function shot(name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  dataDir = mkdtempSync(path.join(tmpdir(), 'sotay-e2e-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(serverBin, ['serve', '--demo', '--addr', `127.0.0.1:${port}`, '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  password = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/mật khẩu: (\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  // Wait until it answers.
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/login`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  // A small laptop screen.
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true, locale: 'vi-VN' });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('log in and see the overview of the plan', async () => {
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login$/);
  await shot('01-login');
  await page.fill('#login', 'admin');
  await page.fill('#password', 'sai-mat-khau');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('.flash.err'), /không đúng/);
  await page.fill('#password', password);
  await page.click('main button[type=submit]');
  await page.waitForURL(`${base}/`);
  assert.match(await page.textContent('h1'), /Tổng quan/);
  assert.match(await page.textContent('main'), /Chỉ tiêu 1/);
  assert.equal(await page.locator('svg.chart').count(), 1);
  assert.equal(await page.locator('#units tbody tr').count(), 4, 'three communes and the total');
  // The demo opens on this year's plan, with work done: not every commune is late.
  assert.match(await page.textContent('main'), new RegExp(`năm ${new Date(Date.now() + 7 * 3600e3).getUTCFullYear()}`));
  assert.match(await page.textContent('#units'), /Đã nộp/);
  await shot('02-overview');
});

test('drill into a commune and one of its villages', async () => {
  await page.click('#units >> text=Xã Bình Chánh');
  assert.match(await page.textContent('h1'), /Bình Chánh/);
  assert.match(await page.textContent('#units'), /Thôn 1/);
  await shot('03-commune');
  await page.click('#units >> text=Thôn 1');
  assert.equal(await page.locator('#households tbody tr').count(), 20);
  await shot('04-village');
});

test('record an awareness activity for a commune', async () => {
  await page.goto(`${base}/units`);
  await page.click('text=Xã Bình Chánh');
  await page.click('a.button:has-text("Ghi hoạt động tuyên truyền")');
  // The form proposes today, which falls within the current year's plan (the demo issues one).
  assert.match(await page.inputValue('#date'), /^\d{4}-\d{2}-\d{2}$/);
  await page.selectOption('#kind', 'school_talk');
  await page.fill('#topic', 'Luật Trẻ em và kỹ năng phòng, chống xâm hại');
  await page.fill('#audience', '320');
  await page.check('input[name=new_law]');
  await shot('05-activity-form');
  await page.click('#activity-form button[type=submit]');
  await page.waitForURL(/\/units\/[0-9a-f-]+$/).catch(async () => { throw new Error(await page.textContent('main')); });
  assert.match(await page.textContent('#activities'), /Luật Trẻ em/);
});

test('issue a plan to the units below', async () => {
  await page.goto(`${base}/plans`);
  await shot('06-plans');
  await page.click('#new-plan button[type=submit]');
  await page.waitForURL(/\/plans\/[0-9a-f-]+$/);
  await page.fill('#number', '15/KH-MTTQ-BTT');
  await shot('07-plan-edit');
  await page.click('button[value=issue]');
  await page.waitForURL(/\/plans\/[0-9a-f-]+$/);
  assert.match(await page.textContent('main'), /Đã ban hành/);
  await shot('08-plan-issued');
});

test('create an enrollment code with a QR code', async () => {
  await page.goto(`${base}/people`);
  await page.fill('#name', 'Trưởng ban công tác Mặt trận thôn 2');
  await page.selectOption('#role', 'village_head');
  await page.click('form[action="/people/users"] button[type=submit]');
  const row = page.locator('tr', { hasText: 'Trưởng ban công tác Mặt trận thôn 2' });
  await row.locator('text=Cấp mã đăng ký').click();
  const code = (await page.textContent('#enrollment-code')).trim();
  assert.match(code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.equal(await page.locator('svg.qr').count(), 1);
  await shot('09-enrollment-code');
});

test('download the milestone report as DOCX and XLSX', async () => {
  await page.goto(`${base}/reports`);
  await shot('10-reports');
  const [docx] = await Promise.all([page.waitForEvent('download'), page.click('#own-reports >> text=Word (DOCX) >> nth=0')]);
  assert.match(docx.suggestedFilename(), /\.docx$/);
  const bytes = readFileSync(await docx.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip container');
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('#own-reports >> text=Excel (XLSX) >> nth=0')]);
  assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
});

test('log out', async () => {
  await page.click('text=Đăng xuất');
  await page.waitForURL(/\/login$/);
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login$/);
});
