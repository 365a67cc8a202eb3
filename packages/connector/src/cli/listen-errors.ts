/** A clear line for the two ways binding a loopback port fails, instead of a Node stack. */
export function explainListenError(error: unknown, what: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const port = (error as { port?: number } | undefined)?.port;
  const at = port === undefined ? '' : ` ${port}`;
  if (code === 'EADDRINUSE') return new Error(`${what} cannot listen: port${at} is already in use (another connector?). Choose another with --port, or stop the other one.`);
  // Windows reserves blocks of ports (winnat, Hyper-V, WSL) that netstat does not show.
  if (code === 'EACCES') return new Error(`${what} cannot listen: port${at} is reserved or not permitted here. Choose another with --port.`);
  return error instanceof Error ? error : new Error(String(error));
}
