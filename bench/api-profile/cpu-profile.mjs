// Preloaded with NODE_OPTIONS="--import …/cpu-profile.mjs" (Node 20 refuses --cpu-prof there):
// profiles this process from SIGUSR2 (sent once warmed up) to exit and writes
// <T1C_CPU_PROFILE_DIR>/<command>-<pid>.cpuprofile.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.T1C_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 100 });
  process.once('SIGUSR2', () => {
    session.post('Profiler.start');
    // A same-thread session answers synchronously, so this works inside 'exit'.
    process.once('exit', () => {
      session.post('Profiler.stop', (error, result) => {
        if (!error) writeFileSync(join(dir, `${process.argv.slice(2, 3).join('') || 'node'}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      });
    });
  });
}
