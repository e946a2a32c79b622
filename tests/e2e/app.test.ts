// End to end in Debian's Chromium: the renderer's production build (dist/renderer, built by `npm test` before vitest
// runs), served over HTTP with the app's CSP, opening real captures from ../shared/captures through the browser
// implementation of the preload API. Expectations about the captures come from tshark's reading of them
// (../shared/captures/oracle), never from our own output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needChromium, needShared, repoRoot, sharedCaptures } from '../support/require';
import { canvasInk, launch, openCapture, pf, rendererDist, serve, settle, type Browser, type TestServer } from './support';

const skip = needChromium() ?? needShared();

interface OracleStream {
  stream: number; client: string; server: string; frames: number; first_frame: number; last_frame: number;
  handshake: { syn_frame: number | null; synack_frame: number | null; ack_frame: number | null };
  analysis: Record<string, { count: number; frames: number[] }>;
}
const oracle = (name: string) => JSON.parse(readFileSync(join(sharedCaptures, 'oracle', `${name}.json`), 'utf8')) as {
  frames: number; tcp: { streams: OracleStream[] };
};

describe.skipIf(skip)('the app in Chromium', () => {
  let server: TestServer;
  let b: Browser;
  let tmp: string;

  beforeAll(async () => {
    if (!existsSync(join(rendererDist, 'index.html'))) {
      throw new Error(`${rendererDist}/index.html is missing: run \`node scripts/build.mjs\` (npm test does) first`);
    }
    tmp = mkdtempSync(join(tmpdir(), 'pf-e2e-'));
    const gz = join(tmp, 'smtp.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(sharedCaptures, 'zeek__smtp.pcap'))));
    server = await serve(rendererDist, sharedCaptures, {
      'smtp.pcap.gz': gz, 'sample.pcapng': join(repoRoot, 'assets/samples/01-tcp-handshake-data-close.pcapng'),
    });
    b = await launch();
  });

  afterAll(async () => {
    await b?.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('steps through a TCP handshake with the keyboard', async () => {
    const name = 'chrissanders-packets__tcp_handshake.pcapng';
    const truth = oracle(name);
    await openCapture(b.page, server.url, name, 60_000, '&pdb=1');
    let st = await pf(b.page);
    expect(st.renderer).toBe('webgl');
    expect(st.framesLoaded).toBe(truth.frames);
    expect(st.cspViolations).toEqual([]);
    expect(st.errors).toEqual([]);

    // Conversation list: the one TCP stream tshark sees, with its endpoints and packet count.
    const [stream] = truth.tcp.streams;
    expect(st.conversations.filter((c) => c.protocol === 'tcp').map((c) => [c.client, c.server, c.packets]))
      .toEqual([[stream.client, stream.server, stream.frames]]);
    const rows = await b.page.locator('.conv-row').allInnerTexts();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(`${stream.client} → ${stream.server}`);
    expect(st.lanes).toEqual([stream.client.split(':')[0], stream.server.split(':')[0]]);

    // Opening shows frame 1 (the SYN) drawn and selected; the other two are not sent yet.
    expect(st.cursor.frame).toBe(stream.handshake.syn_frame);
    expect(st.highlightedFrame).toBe(1);
    expect([st.arrowsDrawn, st.ghosts]).toEqual([1, 2]);
    await b.page.waitForFunction(() => window.__pfTest.detailsFrame === 1);
    await expect.poll(() => b.page.locator('[data-testid=details-label]').innerText()).toMatch(/\[SYN\] Seq=0/);

    const seen: Record<number, unknown> = {};
    const expectFrame = async (frame: number, label: RegExp, drawn: number) => {
      await b.page.waitForFunction((f) => window.__pfTest.detailsFrame === f && window.__pfTest.highlightedFrame === f, frame);
      await settle(b.page);
      const s = await pf(b.page);
      expect(s.cursor.frame).toBe(frame);
      expect(s.selectedFrame).toBe(frame);
      expect(s.arrowsDrawn).toBe(drawn);
      expect(await b.page.locator('.details').getAttribute('data-frame')).toBe(String(frame));
      expect(await b.page.locator('[data-testid=details-label]').innerText()).toMatch(label);
      return s;
    };
    await b.page.keyboard.press('ArrowRight');
    st = await expectFrame(stream.handshake.synack_frame!, /\[SYN, ACK\] Seq=0 Ack=1/, 2);
    seen[2] = st.cursor;
    const shot2 = await b.page.screenshot();
    await b.page.keyboard.press('ArrowRight');
    st = await expectFrame(stream.handshake.ack_frame!, /\[ACK\] Seq=1 Ack=1/, 3);
    expect(st.ghosts).toBe(0);
    // The details pane shows the layers (Wireshark names), the explanation and the TCP endpoints' states.
    const details = await b.page.locator('.details').innerText();
    expect(details).toContain('Transmission Control Protocol');
    expect(details).toMatch(/handshake/i);
    expect(details).toMatch(/ESTABLISHED/);
    expect(await b.page.locator('.hex-line').count()).toBeGreaterThan(2);

    // Back to frame 2: exactly the state shown before.
    await b.page.keyboard.press('ArrowLeft');
    st = await expectFrame(2, /\[SYN, ACK\]/, 2);
    expect(st.cursor).toEqual(seen[2]);
    const again = await b.page.screenshot();
    expect(again.length).toBeGreaterThan(20_000);
    expect(Math.abs(again.length - shot2.length) / shot2.length).toBeLessThan(0.02);

    // Home: nothing sent yet; End: everything arrived. The diagram has colour only where arrows are drawn.
    await b.page.keyboard.press('Home');
    await b.page.waitForFunction(() => window.__pfTest.cursor.frame === 0);
    await settle(b.page);
    st = await pf(b.page);
    expect([st.arrowsDrawn, st.ghosts]).toEqual([0, 3]);
    const blankish = (await canvasInk(b.page)).colourful;
    await b.page.keyboard.press('End');
    await b.page.waitForFunction(() => window.__pfTest.cursor.frame === 3);
    await settle(b.page);
    expect((await pf(b.page)).arrowsDrawn).toBe(3);
    const ink = await canvasInk(b.page);
    expect(ink.colourful).toBeGreaterThan(blankish + 500);
    expect(ink.colours).toBeGreaterThan(20);
  });

  it('lists the conversations of a real capture, filters with tshark names and steps by conversation event', async () => {
    const name = 'zeek__smtp.pcap';
    const truth = oracle(name);
    await openCapture(b.page, server.url, name);
    const st = await pf(b.page);
    expect(st.framesLoaded).toBe(truth.frames);
    const tcp = st.conversations.filter((c) => c.protocol === 'tcp').map((c) => `${c.client} ${c.server} ${c.packets}`).sort();
    expect(tcp).toEqual(truth.tcp.streams.map((s) => `${s.client} ${s.server} ${s.frames}`).sort());

    // tcp.analysis.retransmission: the frames tshark flags (retransmissions, fast and spurious ones included).
    const retrans = new Set<number>();
    for (const s of truth.tcp.streams) for (const k of ['retransmission', 'fast_retransmission', 'spurious_retransmission']) for (const f of s.analysis[k]?.frames ?? []) retrans.add(f);
    await b.page.locator('#filter-input').fill('tcp.analysis.retransmission');
    await b.page.keyboard.press('Enter');
    await b.page.waitForFunction(() => window.__pfTest.filterMatches !== null);
    await settle(b.page);
    expect(await b.page.evaluate(() => [window.__pfTest.filterMatches, window.__pfTest.shownFrames])).toEqual([retrans.size, retrans.size]);

    // tcp.port == 25: the frames of tshark's TCP streams on that port (ICMP errors quoting them are not TCP here).
    const port25 = truth.tcp.streams.filter((s) => s.server.endsWith(':25') || s.client.endsWith(':25'));
    const port25Frames = port25.reduce((n, s) => n + s.frames, 0);
    await b.page.locator('#filter-input').fill('tcp.port == 25');
    await b.page.keyboard.press('Enter');
    await b.page.waitForFunction((n) => window.__pfTest.shownFrames === n, port25Frames);
    const smtp = port25[0];

    // A bad filter says why and keeps the previous one.
    await b.page.locator('#filter-input').fill('tcp.prot == 25');
    await b.page.keyboard.press('Enter');
    await expect.poll(() => b.page.locator('.filter-msg[role=alert]').innerText()).toMatch(/unknown field "tcp.prot"/);
    expect((await pf(b.page)).shownFrames).toBe(port25Frames);

    // Next/previous event of the current conversation stays in the SMTP stream.
    await b.page.locator('#filter-input').fill('');
    await b.page.keyboard.press('Enter');
    await b.page.waitForFunction((n) => window.__pfTest.shownFrames > n, port25Frames);
    await b.page.locator('#filter-input').blur();
    await b.page.locator(`.conv-row:has-text("${smtp.client} → ${smtp.server}")`).click();
    await b.page.waitForFunction((f) => window.__pfTest.cursor.frame === f, smtp.first_frame);
    const visited: number[] = [];
    for (let i = 0; i < 5; i++) {
      await b.page.keyboard.press('Shift+ArrowRight');
      await settle(b.page);
      visited.push((await pf(b.page)).cursor.frame);
    }
    expect(visited[0]).toBeGreaterThan(smtp.first_frame);
    expect(visited.every((f, i) => i === 0 || f > visited[i - 1])).toBe(true);
    for (const f of visited) expect(f).toBeLessThanOrEqual(smtp.last_frame);
  });

  it('reads a gzip-compressed capture and exports the diagram as SVG and PNG', async () => {
    await openCapture(b.page, server.url, 'smtp.pcap.gz');
    const st = await pf(b.page);
    expect(st.framesLoaded).toBe(oracle('zeek__smtp.pcap').frames);
    await b.page.keyboard.press('End');
    await settle(b.page);
    const download = b.page.waitForEvent('download');
    await b.page.getByRole('button', { name: 'Export' }).click();
    await b.page.getByRole('menuitem', { name: 'Diagram as SVG' }).click();
    const file = join(tmp, 'export.svg');
    await (await download).saveAs(file);
    const svg = readFileSync(file, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<line');
    expect(statSync(file).size).toBeGreaterThan(2000);

    const pngDownload = b.page.waitForEvent('download');
    await b.page.getByRole('button', { name: 'Export' }).click();
    await b.page.getByRole('menuitem', { name: 'Diagram as PNG' }).click();
    const png = join(tmp, 'export.png');
    await (await pngDownload).saveAs(png);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: the diagram's size at 2× scale.
    const [w, h] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
    const size = await b.page.evaluate(() => { const c = document.querySelector('.diagram-canvas')!; return [c.clientWidth, c.clientHeight]; });
    expect([w, h]).toEqual([size[0] * 2, size[1] * 2]);
    expect((await pf(b.page)).cspViolations).toEqual([]);
  });

  it('opens a capture dropped on the window (the first bundled sample)', async () => {
    await b.page.goto(`${server.url}/index.html`);
    await b.page.waitForFunction(() => window.__pfTest?.ready);
    await expect.poll(() => b.page.locator('.empty-card').innerText()).toMatch(/Open a capture/);
    await b.page.evaluate(async () => {
      const bytes = await (await fetch('/captures/sample.pcapng')).arrayBuffer();
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], '01-tcp-handshake-data-close.pcapng'));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await b.page.waitForFunction(() => window.__pfTest.loadDone && window.__pfTest.draws > 0);
    const st = await pf(b.page);
    expect(st.file).toBe('01-tcp-handshake-data-close.pcapng');
    expect(st.framesLoaded).toBe(14); // assets/samples/README.md
    expect(st.conversations.map((c) => [c.protocol, c.client, c.server])).toEqual([['tcp', '10.10.1.2:41352', '10.10.2.2:7070']]);
  });

  it('switches theme and presentation mode from the keyboard', async () => {
    const theme = await b.page.evaluate(() => document.documentElement.dataset.theme);
    await b.page.keyboard.press('t');
    await expect.poll(() => b.page.evaluate(() => document.documentElement.dataset.theme)).not.toBe(theme);
    await b.page.keyboard.press('m');
    await expect.poll(() => b.page.evaluate(() => document.documentElement.classList.contains('presentation'))).toBe(true);
    await b.page.keyboard.press('m');
    await b.page.keyboard.press('t');
  });
});
