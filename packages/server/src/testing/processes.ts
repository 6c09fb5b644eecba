import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Real processes for the server tests: the `facepay` CLI from source (as `pnpm facepay`
// runs it) and Debian's redis-server, each on a free port with its own temp directory.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const CLI = join(ROOT, 'packages', 'cli', 'src', 'main.ts');
const NODE_ARGS = ['--conditions=source', '--import', 'tsx', CLI];

/** The environment a test server gets: quiet logs, this machine's PATH. */
function childEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith('FACEPAY_') || key === 'NODE_ENV') delete base[key];
  return { ...base, FACEPAY_LOG_LEVEL: 'warn', ...env };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `facepay <args>` to completion. */
export function runCli(args: string[], env?: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

export interface TestMerchant {
  id: string;
  secret_key: string;
}

export async function createMerchant(dataDir: string, origin: string, extra: string[] = [], env?: Record<string, string | undefined>): Promise<TestMerchant> {
  const result = await runCli(['merchant', 'create', '--name', 'Test shop', '--origin', origin, '--data', dataDir, ...extra], env);
  if (result.code !== 0) throw new Error(`merchant create failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as TestMerchant;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stderr so far (logs, warnings). */
  stderr(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `facepay serve --port 0` and resolves once it printed its URL. */
export function startServerProcess(options: { dataDir: string; args?: string[]; env?: Record<string, string | undefined> }): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...NODE_ARGS, 'serve', '--port', '0', '--data', options.dataDir, ...(options.args ?? [])], {
    cwd: ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`facepay serve printed no URL in 30 s: ${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const url = /^(http:\/\/\S+)$/m.exec(stdout)?.[1];
      if (!url) return;
      clearTimeout(timer);
      done({
        url,
        child,
        stderr: () => stderr,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`facepay serve exited (${code}) before printing its URL: ${stderr}`));
    });
  });
}

/** A fresh temp directory; `remove` deletes it. */
export async function tempDir(name: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `facepay-${name}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export interface RedisProcess {
  url: string;
  stop(): Promise<void>;
}

/** Debian's redis-server on a free port, persisting nothing, in a temp directory. */
export async function startRedis(): Promise<RedisProcess> {
  const dir = await tempDir('redis');
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir.path, '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let output = '';
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`redis-server did not start: ${output}`)), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        done();
      }
    });
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`redis-server exited (${code}): ${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await dir.remove();
    },
  };
}
