/** Percentile by nearest rank over a copy of the samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function summary(samples: readonly number[]): string {
  return `p50 ${percentile(samples, 50).toFixed(2)} ms  p99 ${percentile(samples, 99).toFixed(2)} ms  (n=${samples.length})`;
}

export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * Interleaved rounds on a shared, loaded machine: each round runs every contender back to back,
 * and the report is the median over rounds of each round's p50 and p99, with the ratio of each
 * round's p50 to the floor's p50 in that same round (so load that shifts between rounds cancels).
 */
export class Rounds {
  private readonly p50 = new Map<string, number[]>();
  private readonly p99 = new Map<string, number[]>();
  private readonly ratios = new Map<string, number[]>();
  private readonly current = new Map<string, number>();

  record(label: string, samples: readonly number[]): void {
    const push = (map: Map<string, number[]>, v: number): void => void map.set(label, [...(map.get(label) ?? []), v]);
    const p50 = percentile(samples, 50);
    push(this.p50, p50);
    push(this.p99, percentile(samples, 99));
    this.current.set(label, p50);
  }

  /** Closes a round: each contender's p50 over the floor's p50 in this round. */
  endRound(floor: string): void {
    const base = this.current.get(floor) ?? Number.NaN;
    for (const [label, p50] of this.current) this.ratios.set(label, [...(this.ratios.get(label) ?? []), p50 / base]);
    this.current.clear();
  }

  print(floor: string): void {
    const rounds = this.p50.get(floor)?.length ?? 0;
    console.log(`  medians over ${rounds} interleaved rounds (ratio: p50 / floor p50 of the same round)`);
    for (const [label, p50s] of this.p50) {
      const ratio = median(this.ratios.get(label) ?? []);
      console.log(`  ${label.padEnd(44)} p50 ${median(p50s).toFixed(2)} ms  p99 ${median(this.p99.get(label) ?? []).toFixed(2)} ms  ×${ratio.toFixed(2)}${label === floor ? ' (floor)' : ''}`);
    }
  }
}

/** One timed contender: a label and the work of one sample. */
export type Contender = readonly [label: string, work: () => Promise<unknown>];

export interface Samples {
  readonly times: number[];
  /** CPU of this whole process (all its threads) per sample, ms. */
  readonly cpu: number[];
}

/**
 * Runs every contender once per turn, `reads` turns: load that comes and goes on a shared
 * machine then lands on all of them alike, instead of on whichever block it hit. The order
 * rotates every turn (from `firstTurn`), so no contender is always the one that runs first
 * after something else touched the card.
 */
export async function interleaved(contenders: readonly Contender[], reads: number, firstTurn = 0): Promise<Map<string, Samples>> {
  const out = new Map<string, Samples>(contenders.map(([label]) => [label, { times: [], cpu: [] }]));
  for (let i = 0; i < reads; i++) {
    const shift = (firstTurn + i) % contenders.length;
    for (const [label, work] of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
      const before = process.cpuUsage();
      const time = await timed(work);
      const used = process.cpuUsage(before);
      const samples = out.get(label);
      samples?.times.push(time);
      samples?.cpu.push((used.user + used.system) / 1000);
    }
  }
  return out;
}
