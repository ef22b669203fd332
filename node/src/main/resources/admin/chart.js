// A small line chart on a canvas: a few named series over time, the last minutes of them. No library:
// the console ships as it is, with nothing fetched from elsewhere.

const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];

export class LineChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{title: string, unit: string, windowMs: number}} options
   */
  constructor(canvas, { title, unit, windowMs }) {
    this.canvas = canvas;
    this.title = title;
    this.unit = unit;
    this.windowMs = windowMs;
    /** @type {Map<string, {t: number, v: number}[]>} */
    this.series = new Map();
    this.legend = canvas.parentElement.querySelector('.legend');
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  /** Adds one point per series (name to value) at time t; drops what left the window. */
  add(t, values) {
    for (const [name, v] of Object.entries(values)) {
      if (!this.series.has(name)) {
        this.series.set(name, []);
      }
      this.series.get(name).push({ t, v });
    }
    for (const points of this.series.values()) {
      while (points.length > 0 && points[0].t < t - this.windowMs) {
        points.shift();
      }
    }
    this.draw();
  }

  /** The latest value of every series, as the canvas's accessible description says it. */
  latest() {
    const out = {};
    for (const [name, points] of this.series) {
      if (points.length > 0) {
        out[name] = points[points.length - 1].v;
      }
    }
    return out;
  }

  draw() {
    const { canvas } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) {
      return;
    }
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const pad = { left: 48, right: 10, top: 10, bottom: 22 };
    const now = Date.now();
    const from = now - this.windowMs;
    let max = 1;
    for (const points of this.series.values()) {
      for (const p of points) {
        max = Math.max(max, p.v);
      }
    }
    max = niceCeiling(max);
    const x = (t) => pad.left + ((t - from) / this.windowMs) * (width - pad.left - pad.right);
    const y = (v) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = '#6b7280';
    g.strokeStyle = '#e5e7eb';
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const v = (max * i) / 4;
      g.beginPath();
      g.moveTo(pad.left, y(v));
      g.lineTo(width - pad.right, y(v));
      g.stroke();
      g.fillText(formatValue(v), 4, y(v) + 4);
    }
    const minutes = Math.round(this.windowMs / 60000);
    g.fillText(`-${minutes} min`, pad.left, height - 6);
    g.fillText('now', width - pad.right - 22, height - 6);
    let i = 0;
    const legend = [];
    for (const [name, points] of this.series) {
      const colour = COLOURS[i++ % COLOURS.length];
      g.strokeStyle = colour;
      g.lineWidth = 2;
      g.beginPath();
      points.forEach((p, k) => (k === 0 ? g.moveTo(x(p.t), y(p.v)) : g.lineTo(x(p.t), y(p.v))));
      g.stroke();
      const last = points.length > 0 ? points[points.length - 1].v : 0;
      legend.push({ name, colour, last });
    }
    const summary = legend.map((l) => `${l.name} ${formatValue(l.last)}`).join(', ');
    canvas.setAttribute('aria-label', `${this.title} over the last ${minutes} minutes; now: ${summary || 'no data yet'}`);
    canvas.dataset.latest = JSON.stringify(this.latest());
    if (this.legend) {
      this.legend.replaceChildren(...legend.map((l) => {
        const item = document.createElement('li');
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.background = l.colour;
        item.append(swatch, `${l.name}: ${formatValue(l.last)} ${this.unit}`);
        return item;
      }));
    }
  }
}

function niceCeiling(v) {
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 5, 10]) {
    if (v <= step * magnitude) {
      return step * magnitude;
    }
  }
  return 10 * magnitude;
}

function formatValue(v) {
  if (v >= 10000) {
    return `${Math.round(v / 1000)}k`;
  }
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
