import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running one of our modules: `program` is its path relative to the module `from`
 * (the caller's import.meta.url), without extension. Built (dist/), that is the .js file. Under tsx
 * (tests, benchmarks) the caller is TypeScript, and on Node 20 tsx's loader hooks do not reach worker
 * threads: the thread registers them itself, then loads the program.
 */
export function threadProgram(from: string, program: string, options: WorkerOptions): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`${program}.js`, from), options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const href = JSON.stringify(new URL(`${program}.ts`, from).href);
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${href}); });`, { ...options, eval: true });
}
