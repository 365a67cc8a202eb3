/** A minimal Prometheus text-format registry: counters and one latency histogram. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly histogram = new Map<string, { buckets: number[]; sum: number; count: number }>();

  inc(name: string, help: string, labels: Record<string, string> = {}, by = 1): void {
    let c = this.counters.get(name);
    if (c === undefined) {
      c = { help, values: new Map() };
      this.counters.set(name, c);
    }
    const key = labelText(labels);
    c.values.set(key, (c.values.get(key) ?? 0) + by);
  }

  observeDuration(route: string, seconds: number): void {
    const key = labelText({ route });
    let h = this.histogram.get(key);
    if (h === undefined) {
      h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.histogram.set(key, h);
    }
    BUCKETS.forEach((b, i) => { if (seconds <= b && h !== undefined) h.buckets[i] = (h.buckets[i] ?? 0) + 1; });
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const out: string[] = [];
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const [labels, v] of c.values) out.push(`${name}${labels} ${v}`);
    }
    const hn = 'ds_http_request_duration_seconds';
    out.push(`# HELP ${hn} Request latency by route`, `# TYPE ${hn} histogram`);
    for (const [labels, h] of this.histogram) {
      const inner = labels.slice(1, -1);
      BUCKETS.forEach((b, i) => out.push(`${hn}_bucket{${inner},le="${b}"} ${h.buckets[i] ?? 0}`));
      out.push(`${hn}_bucket{${inner},le="+Inf"} ${h.count}`, `${hn}_sum${labels} ${h.sum}`, `${hn}_count${labels} ${h.count}`);
    }
    return `${out.join('\n')}\n`;
  }
}
