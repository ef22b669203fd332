// What the deployment files are checked against: the rendered manifests and the node's own sources.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEPLOY = join(ROOT, "deploy");
export const OVERLAYS = join(DEPLOY, "k8s", "overlays");

export function read(...path) {
  return readFileSync(join(ROOT, ...path), "utf8");
}

export function overlays() {
  return readdirSync(OVERLAYS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
}

/** The objects `kubectl kustomize` renders for an overlay. */
export function render(overlay) {
  const out = execFileSync("kubectl", ["kustomize", join(OVERLAYS, overlay)], { encoding: "utf8" });
  return parseAllDocuments(out).map((doc) => doc.toJS()).filter(Boolean);
}

/** The node's options as ConfigOption declares them: env name to default value. */
export function nodeOptions() {
  const source = read("node", "src", "main", "java", "chatcluster", "node", "config", "ConfigOption.java");
  const options = new Map();
  for (const m of source.matchAll(/^\s+[A-Z_]+\("[^"]+", "([A-Z_]+)", Type\.\w+, "([^"]*)"/gm)) {
    options.set(m[1], m[2]);
  }
  return options;
}

/** The paths the node's health routes serve. */
export function healthPaths() {
  const source = read("node", "src", "main", "java", "chatcluster", "node", "ops", "HealthRoutes.java");
  return [...source.matchAll(/router\.get\("([^"]+)"\)/g)].map((m) => m[1]);
}
