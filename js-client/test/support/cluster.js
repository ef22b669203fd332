/**
 * A real local cluster for integration tests, started the way a user starts one: the launcher jar's
 * `up` (redis-server, N node processes, nginx) with a state directory, Hazelcast cluster name, Redis
 * key prefix and port of the test's own. Stopped by SIGTERM to the launcher's PID.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const LAUNCHER_JAR = join(REPO, 'cluster-manager', 'target', 'chatcluster-cluster-manager.jar');
export const NODE_JAR = join(REPO, 'node', 'target', 'chatcluster-node.jar');
const UP_TIMEOUT_MS = 120000;

/** The channels the tests use: persistent history channels and persistent presence rooms. */
export const TEST_CONFIG = `channels:
  - name: "hist-*"
    persistent: true
    historySize: 2000
  - name: "room-*"
    presence: true
    persistent: true
`;

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

export const randomId = () => Math.random().toString(36).slice(2, 10);

/** Fails with what to do when the jars are not built: the tests need them and never skip. */
export function requireJars() {
  for (const jar of [LAUNCHER_JAR, NODE_JAR]) {
    if (!existsSync(jar)) {
      throw new Error(`${jar} is missing: build the jars first with "mvn -B -ntp -q package -DskipTests" `
        + '(./run-tests.sh runs Maven before npm test)');
    }
  }
}

/**
 * Starts a cluster and resolves once the launcher printed its status table.
 * @param {{nodes?: number, env?: Record<string, string>}} [options]
 */
export async function startCluster({ nodes = 3, env = {} } = {}) {
  requireJars();
  const dir = mkdtempSync(join(tmpdir(), 'chatcluster-js-'));
  const config = join(dir, 'nodes.yaml');
  writeFileSync(config, TEST_CONFIG);
  const port = await freePort();
  const out = join(dir, 'launcher.out');
  const err = join(dir, 'launcher.err');
  const args = ['-jar', LAUNCHER_JAR, 'up', '--nodes', String(nodes), '--port', String(port),
    '--state-dir', join(dir, 'state'), '--cluster-name', `js-${randomId()}`, '--config', config,
    '--node-jar', NODE_JAR, '--node-heap', '256m'];
  const files = [openSync(out, 'w'), openSync(err, 'w')];
  const launcher = spawn('java', args, {
    env: { ...process.env, REDIS_PREFIX: `js-${randomId()}:`, ...env },
    stdio: ['ignore', ...files],
  });
  files.forEach((fd) => closeSync(fd));
  let exited = null;
  launcher.on('exit', (code, signal) => { exited = { code, signal }; });
  const output = () => `${safeRead(out)}\n${safeRead(err)}`;

  const deadline = Date.now() + UP_TIMEOUT_MS;
  while (!/^\s+node-\d+\s+\d+\s+127\.0\.0\.1:\d+/m.test(safeRead(out)) || !safeRead(out).includes('Ctrl-C')) {
    if (exited) {
      throw new Error(`launcher exited (${JSON.stringify(exited)}):\n${output()}`);
    }
    if (Date.now() > deadline) {
      launcher.kill('SIGTERM');
      throw new Error(`launcher not up within ${UP_TIMEOUT_MS} ms:\n${output()}`);
    }
    await sleep(200);
  }
  const table = safeRead(out);
  const cluster = {
    port,
    publicUrl: `ws://127.0.0.1:${port}/ws`,
    httpUrl: `http://127.0.0.1:${port}`,
    stateDir: join(dir, 'state'),
    nodes: [...table.matchAll(/^\s+(node-\d+)\s+(\d+)\s+127\.0\.0\.1:(\d+)/gm)]
      .map((m) => ({ id: m[1], pid: Number(m[2]), port: Number(m[3]), url: `ws://127.0.0.1:${m[3]}/ws` })),
    output,
    node(id) {
      return this.nodes.find((n) => n.id === id);
    },
    /** Runs a launcher command (scale, status) against this cluster; resolves with its output. */
    cli(command, ...flags) {
      return new Promise((ok, fail) => {
        const p = spawn('java', ['-jar', LAUNCHER_JAR, command, '--state-dir', join(dir, 'state'), ...flags]);
        let text = '';
        p.stdout.on('data', (d) => { text += d; });
        p.stderr.on('data', (d) => { text += d; });
        const timer = setTimeout(() => p.kill('SIGKILL'), 90000);
        p.on('exit', (code) => {
          clearTimeout(timer);
          return code === 0 ? ok(text) : fail(new Error(`${command} exited with ${code}:\n${text}`));
        });
      });
    },
    /** SIGTERM to the launcher (it drains the nodes, stops nginx and Redis); SIGKILL after 60 s. */
    async stop() {
      if (!exited) {
        launcher.kill('SIGTERM');
        const until = Date.now() + 60000;
        while (!exited && Date.now() < until) {
          await sleep(100);
        }
        if (!exited) {
          launcher.kill('SIGKILL');
          for (const n of cluster.nodes) {
            try { process.kill(n.pid, 'SIGKILL'); } catch { /* gone */ }
          }
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

function safeRead(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check()` is truthy, polling; fails with `what` after `timeoutMs`. */
export async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(20);
  }
}
