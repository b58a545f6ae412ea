import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Copies the static viewer (index.html + assets/) into a run folder so the folder is a publishable site. Runs in a
 * child process with this process's Node flags: a Vite build of the viewer, when needed, takes several hundred MB
 * and prints bundler warnings. Resolves with null on success, or with the reason it failed (the run stays valid).
 */
export function copyViewerInto(runDir: string, log: (line: string) => void): Promise<string | null> {
  const entry = fileURLToPath(new URL('./copyViewerChild.ts', import.meta.url));
  const execArgv = process.execArgv.filter((arg, i, all) => !arg.includes('preflight') && !(arg === '--require' && all[i + 1]?.includes('preflight')));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...execArgv, entry, runDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.startsWith('Building')) log(line);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => resolve(error.message));
    child.on('close', (code) => {
      if (code === 0) resolve(null);
      else resolve(stderr.trim().split('\n').filter((l) => /error/i.test(l)).slice(-1)[0] ?? `exit code ${code}`);
    });
  });
}
