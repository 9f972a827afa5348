import { inflateSync, crc32 as zlibCrc32 } from 'node:zlib';
import t from 'tap';
import { formatTick, niceTicks, PALETTE, renderFigurePng, renderFigureSvg, renderPng, renderSvg, type PlotSpec } from '../../src/report/line-plot.js';
import { blankRaster, crc32, encodePng } from '../../src/report/png.js';
import { renderIntervalPng, renderIntervalSvg } from '../../src/report/interval-plot.js';

/** Parses a PNG: checks signature and every chunk's CRC (against node:zlib's), returns IHDR and the raw rows. */
function decode(png: Buffer): { width: number; height: number; rgb: Uint8Array } {
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('bad signature');
  let pos = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (png.readUInt32BE(pos + 8 + len) !== zlibCrc32(png.subarray(pos + 4, pos + 8 + len))) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 2) throw new Error('not 8-bit RGB');
    }
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const rows = inflateSync(Buffer.concat(idat));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    if (rows[y * (1 + width * 3)] !== 0) throw new Error('unexpected filter');
    rgb.set(rows.subarray(y * (1 + width * 3) + 1, (y + 1) * (1 + width * 3)), y * width * 3);
  }
  return { width, height, rgb };
}

t.test('crc32 matches zlib', async (t) => {
  for (const s of ['', 'IEND', 'The quick brown fox']) t.equal(crc32(Buffer.from(s)) ^ 0xffffffff, zlibCrc32(Buffer.from(s)) | 0);
});

t.test('a raster round-trips through our PNG encoder and an independent decoder', async (t) => {
  const r = blankRaster(3, 2);
  r.pixels.set([255, 0, 0], 0);
  r.pixels.set([0, 0, 255], (1 * 3 + 2) * 3);
  const back = decode(encodePng(r));
  t.equal(back.width, 3);
  t.equal(back.height, 2);
  t.same(Array.from(back.rgb), Array.from(r.pixels));
  t.throws(() => blankRaster(0, 4), /positive integers/);
});

t.test('niceTicks and formatTick', async (t) => {
  t.same(niceTicks(0, 20000, 6), [0, 5000, 10000, 15000, 20000]);
  t.same(niceTicks(-0.12, 1.05, 5), [0, 0.25, 0.5, 0.75, 1]);
  t.same(niceTicks(3, 3), [3]);
  t.equal(formatTick(15000), '15k');
  t.equal(formatTick(0.25), '0.25');
  t.equal(formatTick(-1200), '-1.2k');
});

t.test('a learning curve draws its series in its colour, and the SVG has the same points', async (t) => {
  const x = [0, 1000, 2000, 3000];
  const y = [-1, -0.5, 0.5, 0.9];
  const spec = { title: 'test', xLabel: 'steps', yLabel: 'score', series: [{ label: 'a', x, y, lo: y.map((v) => v - 0.1), hi: y.map((v) => v + 0.1) }] };
  const { width, height, rgb } = decode(renderPng(spec));
  t.equal(width, 720);
  t.equal(height, 440);
  let inked = 0;
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] === PALETTE[0][0] && rgb[i + 1] === PALETTE[0][1] && rgb[i + 2] === PALETTE[0][2]) inked++;
  t.ok(inked > 500, `${inked} pixels in the series colour`);
  const svg = renderSvg(spec);
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const polyline = /<polyline points="([^"]+)"/.exec(svg);
  t.equal(polyline?.[1].split(' ').length, 4);
  t.match(svg, /<polygon points="[^"]+" fill="rgb\(0,114,178\)" fill-opacity="0.2"/);
  t.throws(() => renderPng({ ...spec, series: [{ label: 'empty', x: [], y: [] }] }), /no finite data/);
});

t.test('a figure of panels: a grid of plots, each series inside its own panel, one shared legend', async (t) => {
  const panel = (k: number): PlotSpec => ({
    title: `env ${k}`,
    xLabel: 'steps',
    yLabel: 'score',
    series: [{ label: `arm ${k}`, x: [0, 100, 200], y: [0, 0.5, 1], lo: [0, 0.4, 0.9], hi: [0, 0.6, 1], color: PALETTE[k] }],
  });
  const fig = { title: 'four envs', panels: [0, 1, 2, 3].map(panel), legend: [0, 1, 2, 3].map((k) => ({ label: `arm ${k}`, color: PALETTE[k] })), columns: 2, panelWidth: 300, panelHeight: 200 };
  const { width, height, rgb } = decode(renderFigurePng(fig));
  t.equal(width, 600, 'two columns');
  const panelsTop = height - 2 * 200;
  t.ok(panelsTop > 30 && panelsTop < 120, `two rows under the title and legend (top at ${panelsTop})`);
  for (let k = 0; k < 4; k++) {
    const [x0, y0] = [(k % 2) * 300, panelsTop + Math.floor(k / 2) * 200];
    let inside = 0;
    let outside = 0;
    for (let y = panelsTop; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 3;
        if (rgb[o] !== PALETTE[k][0] || rgb[o + 1] !== PALETTE[k][1] || rgb[o + 2] !== PALETTE[k][2]) continue;
        if (x >= x0 && x < x0 + 300 && y >= y0 && y < y0 + 200) inside++;
        else outside++;
      }
    }
    t.ok(inside > 150 && outside === 0, `panel ${k}: ${inside} pixels of its colour inside its cell, ${outside} outside`);
  }
  const svg = renderFigureSvg(fig);
  t.equal(svg.match(/<g class="panel" transform="translate\((\d+),(\d+)\)">/g)?.length, 4);
  t.match(svg, `<g class="panel" transform="translate(300,${panelsTop + 200})">`, 'the last panel bottom right');
  t.equal(svg.match(/<\/g>/g)?.length, 4);
  t.throws(() => renderFigurePng({ ...fig, panels: [] }), /no panels to draw/);
});

t.test('an interval plot: per row a bar over the interval and a tick at the estimate, on one axis', async (t) => {
  const rows = [
    { label: 'a', point: 0.5, lo: 0.2, hi: 0.6, color: PALETTE[0] },
    { label: 'b', point: 0.9, lo: 0.8, hi: 1.0, color: PALETTE[1] },
  ];
  const spec = { title: 'iqm', xLabel: 'score', rows, vLines: [{ x: 1, label: 'expert' }, { x: 5, label: 'off the axis' }] };
  const { width, rgb } = decode(renderIntervalPng(spec));
  // The x extent of each row's full-colour tick and of its shaded bar, from the pixels.
  const columns = (c: readonly number[], alpha: boolean) => {
    const xs: number[] = [];
    for (let i = 0; i < rgb.length; i += 3) {
      const match = alpha ? [0, 1, 2].every((k) => Math.abs(rgb[i + k] - Math.round(0.35 * c[k] + 0.65 * 255)) <= 1) : [0, 1, 2].every((k) => rgb[i + k] === c[k]);
      if (match) xs.push((i / 3) % width);
    }
    return [Math.min(...xs), Math.max(...xs)];
  };
  const [tickA] = columns(PALETTE[0], false);
  const [tickB] = columns(PALETTE[1], false);
  const [barA0, barA1] = columns(PALETTE[0], true);
  const [barB0, barB1] = columns(PALETTE[1], true);
  const scale = (barA1 - barA0) / 0.4;
  t.ok(Math.abs((tickB - tickA) / scale - 0.4) < 0.02, 'ticks 0.4 apart on the axis');
  t.ok(Math.abs((barB1 - barB0) / scale - 0.2) < 0.02, "b's bar spans 0.2");
  t.ok(Math.abs((barB0 - barA0) / scale - 0.6) < 0.02, 'bars start 0.6 apart');
  t.ok(tickA > barA0 && tickA < barA1, "a's estimate inside its bar");
  const svg = renderIntervalSvg(spec);
  t.equal(svg.match(/<g class="row">/g)?.length, 2);
  t.match(svg, '>expert</text>');
  t.notMatch(svg, 'off the axis', 'reference lines outside the range are left out');
  t.throws(() => renderIntervalPng({ ...spec, rows: [] }), /no rows to draw/);
});
