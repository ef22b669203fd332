// The container image and the compose file agree with the node and with the Kubernetes manifests.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { ROOT, healthPaths, nodeOptions, read, render } from "./project.js";

const DOCKERFILE = read("deploy", "Dockerfile");
const OPTIONS = nodeOptions();
// Continued lines joined, so that each instruction is one line.
const instructions = DOCKERFILE.replace(/\\\n\s*/g, " ");
const instruction = (name) => instructions.match(new RegExp(`^${name} (.*)$`, "m"))?.[1];

test("the image runs the node jar as a non-root user the manifests also name", () => {
  const finalName = read("node", "pom.xml").match(/<finalName>([^<]+)<\/finalName>/)[1];
  assert.ok(DOCKERFILE.includes(`/src/node/target/${finalName}.jar`), "copies the jar the node module builds");
  const uid = Number(instruction("USER").split(":")[0]);
  assert.ok(uid > 0, "USER is a numeric non-root uid");
  const deployment = render("dev").find((o) => o.kind === "Deployment" && o.metadata.name === "chatcluster-node");
  assert.equal(deployment.spec.template.spec.securityContext.runAsUser, uid);
});

test("the entrypoint is exec form, so that java gets SIGTERM and drains", () => {
  const entrypoint = JSON.parse(instruction("ENTRYPOINT"));
  assert.equal(entrypoint[0], "java");
  assert.ok(entrypoint.some((a) => a.startsWith("-XX:MaxRAMPercentage=")), "heap sized from the container's limit");
  for (const flag of ["-XX:G1PeriodicGCInterval=5000", "-XX:MinHeapFreeRatio=5", "-XX:MaxHeapFreeRatio=20"]) {
    assert.ok(entrypoint.includes(flag), `idle memory given back: ${flag}`);
  }
  assert.ok(!entrypoint.some((a) => a.startsWith("-XX:InitialRAMPercentage=")), "a heap that can shrink");
  assert.ok(entrypoint.includes("-XX:+ExitOnOutOfMemoryError"));
});

test("the health check asks the node's liveness endpoint on its port", () => {
  const check = instruction("HEALTHCHECK");
  const path = check.match(/GET (\S+) HTTP/)[1];
  assert.ok(healthPaths().includes(path), path);
  assert.equal(path, "/health/live");
  assert.ok(check.includes(`\${WEBSOCKET_PORT:-${OPTIONS.get("WEBSOCKET_PORT")}}`));
  const exposed = instruction("EXPOSE").split(/\s+/).map(Number);
  assert.ok(exposed.includes(Number(OPTIONS.get("WEBSOCKET_PORT"))) && exposed.includes(Number(OPTIONS.get("CLUSTER_PORT"))));
});

test("the build stage has every file the Maven build reads", () => {
  const allowed = readFileSync(join(ROOT, "deploy", "Dockerfile.dockerignore"), "utf8")
    .split("\n").filter((l) => l.startsWith("!")).map((l) => l.slice(1));
  const modules = [...read("pom.xml").matchAll(/<module>([^<]+)<\/module>/g)].map((m) => m[1]);
  for (const module of modules) {
    assert.ok(allowed.includes(`${module}/pom.xml`), `${module}/pom.xml is in the build context`);
    assert.ok(DOCKERFILE.includes(`COPY ${module}/pom.xml`), `the build copies ${module}/pom.xml`);
  }
  for (const copied of DOCKERFILE.matchAll(/^COPY (?!--from)(\S+)/gm)) {
    assert.ok(allowed.includes(copied[1]), `${copied[1]} is in the build context`);
  }
});

test("compose renders nginx's template completely and points it at the three nodes", () => {
  const compose = parse(read("deploy", "compose.yaml"), { merge: true });
  const nodes = Object.keys(compose.services).filter((s) => s.startsWith("node-"));
  assert.deepEqual(nodes, ["node-1", "node-2", "node-3"]);
  for (const node of nodes) {
    const env = compose.services[node].environment;
    assert.equal(env.NODE_ID, node);
    assert.equal(env.REDIS_URL, "redis://redis:6379");
    const drain = Number(env.WEBSOCKET_DRAIN_TIMEOUT ?? OPTIONS.get("WEBSOCKET_DRAIN_TIMEOUT"));
    assert.ok(parseInt(compose.services[node].stop_grace_period, 10) > drain, "stop grace period covers the drain");
  }
  assert.equal(compose.services.nginx.networks.chat.ipv4_address, compose.services["node-1"].environment.TRUSTED_PROXIES);

  // Run the nginx service's own command on the repository's template, into a scratch directory.
  const out = join(mkdtempSync(join(tmpdir(), "compose-nginx-")), "default.conf");
  const script = compose.services.nginx.command[2]
    .replace("/etc/nginx/templates-chatcluster/chatcluster.conf.template", join(ROOT, "nginx", "chatcluster.conf.template"))
    .replace("/etc/nginx/conf.d/default.conf", out)
    .replace(/&& exec nginx.*$/, "");
  execFileSync("sh", ["-c", script]);
  const conf = readFileSync(out, "utf8");
  assert.doesNotMatch(conf, /\{\{\w+\}\}/, "every placeholder is filled");
  for (const node of nodes) {
    assert.match(conf, new RegExp(`server ${node}:${OPTIONS.get("WEBSOCKET_PORT")} weight=10`));
  }
  assert.match(conf, /listen 80;/);
});
