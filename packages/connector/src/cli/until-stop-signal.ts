/**
 * Resolves at the first SIGINT or SIGTERM. Call it before saying that the service is up:
 * whoever reads that line may stop the service at once, and a signal that comes before the
 * handlers are in place ends the process by the default action, with no clean stop.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
