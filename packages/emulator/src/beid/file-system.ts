/**
 * The card's MF → DF → EF tree, built from the files' absolute paths (`3F00DF014031`), and
 * the "current DF / current EF" state SELECT moves (RM17 §2; beid-card.md §3.1).
 */
const MF = '3F00';

export class CardFileSystem {
  private readonly files: ReadonlyMap<string, Uint8Array>;
  private readonly directories = new Set<string>([MF]);
  private currentDf = MF;
  private currentEf: string | undefined;

  constructor(files: ReadonlyMap<string, Uint8Array>) {
    this.files = files;
    for (const path of files.keys()) {
      if (!path.startsWith(MF) || path.length % 4 !== 0) throw new RangeError(`file path ${path} is not absolute`);
      for (let end = 8; end < path.length; end += 4) this.directories.add(path.slice(0, end));
    }
  }

  /** After reset the MF is current and no EF is selected. */
  reset(): void {
    this.currentDf = MF;
    this.currentEf = undefined;
  }

  /** Content of the current EF, or undefined when a DF was selected last. */
  get selectedFile(): Uint8Array | undefined {
    return this.currentEf === undefined ? undefined : this.files.get(this.currentEf);
  }

  get selectedPath(): string {
    return this.currentEf ?? this.currentDf;
  }

  private enter(path: string): boolean {
    if (this.directories.has(path)) {
      this.currentDf = path;
      this.currentEf = undefined;
      return true;
    }
    if (this.files.has(path)) {
      this.currentDf = path.slice(0, -4);
      this.currentEf = path;
      return true;
    }
    return false;
  }

  /** P1 02: a child of the current DF, or of the MF (the card lets DF00/DF01 be selected from anywhere). */
  selectFid(fid: string): boolean {
    const id = fid.toUpperCase();
    if (id === MF) return this.enter(MF);
    return this.enter(this.currentDf + id) || this.enter(MF + id);
  }

  /** P1 08: a path from the MF, with or without the leading 3F00 real middleware disagree about. */
  selectPath(path: string): boolean {
    let rest = path.toUpperCase();
    if (rest.startsWith(MF)) rest = rest.slice(4);
    let at = MF;
    for (let i = 0; i < rest.length; i += 4) {
      const next = at + rest.slice(i, i + 4);
      const last = i + 4 >= rest.length;
      if (this.directories.has(next)) at = next;
      else if (last && this.files.has(next)) at = next;
      else return false;
    }
    return this.enter(at);
  }

  /** P1 04 with a DF's AID. */
  selectDirectory(path: string): boolean {
    return this.enter(path);
  }
}
