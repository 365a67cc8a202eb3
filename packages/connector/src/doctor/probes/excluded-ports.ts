/** A block of TCP ports Windows reserved (Hyper-V, WSL, Docker's winnat): binds there fail with EACCES. */
export interface PortRange {
  readonly start: number;
  readonly end: number;
  /** `*` in netsh's output: an administered exclusion, not a dynamic one. */
  readonly administered: boolean;
}

/** Parses `netsh interface ipv4 show excludedportrange protocol=tcp`. */
export function parseExcludedPortRanges(output: string): PortRange[] {
  const ranges: PortRange[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\d+)\s*(\*)?\s*$/.exec(line);
    if (m?.[1] === undefined || m[2] === undefined) continue;
    ranges.push({ start: Number(m[1]), end: Number(m[2]), administered: m[3] !== undefined });
  }
  return ranges;
}

export const excludedRangeCommand = ['netsh', ['interface', 'ipv4', 'show', 'excludedportrange', 'protocol=tcp']] as const;
