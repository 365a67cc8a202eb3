// What each sub-command of the desktop bundle evaluates: the output bytes of every module
// reachable through static imports from the module the command loads on demand. The bundle
// is one file (Node's single executables take one script), so this is what matters at start.

/** Modules whose code a command runs, by the first module it loads. */
export const COMMAND_ROOTS = {
  'start-up (every command)': 'packages/connector/src/desktop/main.ts',
  'api (process)': 'packages/connector/src/api/start.ts',
  'sandbox (process)': 'packages/connector/src/sandbox/server.ts',
  '--virtual-card (sandbox, when asked)': 'packages/emulator/src/virtual-card.ts',
  'PC/SC binding + koffi (sandbox)': 'packages/smartcard/src/pcsc/native.ts',
  'cert': 'packages/connector/src/cli/cert-commands.ts',
  'card': 'packages/connector/src/cli/card-commands.ts',
};

function staticClosure(metafile, root) {
  const seen = new Set();
  const stack = [root];
  while (stack.length > 0) {
    const path = stack.pop();
    if (seen.has(path) || !metafile.inputs[path]) continue;
    seen.add(path);
    for (const imp of metafile.inputs[path].imports) {
      if (imp.kind !== 'dynamic-import' && !imp.external) stack.push(imp.path);
    }
  }
  return seen;
}

/** `{ name: bytes }` for every command root, plus the whole bundle. */
export function loadReport(metafile) {
  const [output] = Object.values(metafile.outputs);
  const bytesOf = (path) => output.inputs[path]?.bytesInOutput ?? 0;
  const report = { 'whole bundle': output.bytes };
  for (const [name, root] of Object.entries(COMMAND_ROOTS)) {
    let bytes = 0;
    for (const path of staticClosure(metafile, root)) bytes += bytesOf(path);
    report[name] = bytes;
  }
  return report;
}
