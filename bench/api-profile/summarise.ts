// Self and inclusive time per function of a V8 .cpuprofile (from `node --cpu-prof`), the top N.
// Usage: node --import tsx bench/api-profile/summarise.ts <file.cpuprofile> [top=40] [filter]
// `filter` keeps only functions whose name or file contains it (inclusive view of one area).
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(z.object({
    id: z.number(),
    callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    children: z.array(z.number()).optional(),
  })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const [file, topArg, filter] = process.argv.slice(2);
if (!file) throw new Error('usage: summarise.ts <file.cpuprofile> [top] [filter]');
const profile = profileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
const top = Number(topArg ?? 40);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const keyOf = (id: number): string => {
  const n = byId.get(id);
  if (!n) return '?';
  const url = n.callFrame.url.replace(/^file:\/\/.*?\/(node_modules|packages)\//, '$1/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`;
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
for (const [i, sample] of profile.samples.entries()) {
  const dt = (profile.timeDeltas[i] ?? 0) / 1000;
  total += dt;
  const k = keyOf(sample);
  self.set(k, (self.get(k) ?? 0) + dt);
  // Each function counted once per sample, however deep its recursion.
  const seen = new Set<string>();
  for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
    const key = keyOf(id);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
  }
}

const show = (title: string, map: Map<string, number>): void => {
  console.log(`${title} (of ${total.toFixed(0)} ms sampled)`);
  const rows = [...map].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, ms] of rows) console.log(`  ${ms.toFixed(1).padStart(9)} ms  ${k}`);
};
show('self time', self);
show('inclusive time', inclusive);
