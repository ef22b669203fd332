// Every overlay renders, every object is valid against the Kubernetes schemas, and the objects agree
// with each other and with the node: selectors, ports, probes, env, Secrets, drain window.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { healthPaths, nodeOptions, overlays, read, render } from "./project.js";

const NODE = "chatcluster-node";
const OPTIONS = nodeOptions();
const README = read("deploy", "README.md");

async function model(object) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : [null, object.apiVersion];
  const module = await import(group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`);
  assert.ok(module[object.kind], `no schema for ${object.apiVersion} ${object.kind}`);
  return new module[object.kind](object);
}

const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v) && Object.keys(selector ?? {}).length > 0;

const SELECTORS = {
  Service: (o) => o.spec.selector,
  PodDisruptionBudget: (o) => o.spec.selector.matchLabels,
  NetworkPolicy: (o) => o.spec.podSelector.matchLabels,
};

function workloads(objects) {
  return objects.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind));
}

function podsSelectedBy(objects, selector) {
  return workloads(objects).filter((w) => matches(selector, w.spec.template.metadata.labels));
}

function containerPort(workload, nameOrNumber) {
  const ports = workload.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
  return ports.find((p) => p.name === nameOrNumber || p.containerPort === nameOrNumber);
}

/** The node's environment as the Deployment sets it: literal values and ConfigMap entries. */
function nodeEnv(objects, deployment) {
  const container = deployment.spec.template.spec.containers[0];
  const env = {};
  for (const from of container.envFrom ?? []) {
    const map = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === from.configMapRef?.name);
    Object.assign(env, map?.data);
  }
  for (const e of container.env ?? []) {
    env[e.name] = e.value ?? e.valueFrom;
  }
  return env;
}

/** The shell command in deploy/README.md that contains these words, with its continued lines. */
function documentedCommand(words) {
  const start = README.indexOf(words);
  if (start < 0) return "";
  const end = README.slice(start).search(/[^\\]\n/);
  return README.slice(start, end < 0 ? undefined : start + end + 1);
}

const setting = (env, name) => Number(typeof env[name] === "string" ? env[name] : OPTIONS.get(name));

for (const overlay of overlays()) {
  describe(`overlay ${overlay}`, () => {
    const objects = render(overlay);
    const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === NODE);
    const env = deployment ? nodeEnv(objects, deployment) : {};

    test("renders the nodes and what they need", () => {
      const kinds = new Set(objects.map((o) => o.kind));
      for (const kind of ["Deployment", "Service", "Ingress", "ConfigMap", "PodDisruptionBudget",
        "HorizontalPodAutoscaler", "NetworkPolicy"]) {
        assert.ok(kinds.has(kind), `no ${kind}`);
      }
      assert.ok(deployment, `no Deployment ${NODE}`);
    });

    test("every object is valid against the Kubernetes schemas", async () => {
      for (const object of objects) {
        const m = await model(object);
        assert.doesNotThrow(() => m.validate(), `${object.kind} ${object.metadata.name}`);
      }
    });

    test("selectors match the pods' labels", () => {
      for (const w of workloads(objects)) {
        assert.ok(matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels), `${w.kind} ${w.metadata.name}`);
      }
      for (const o of objects.filter((o) => o.kind in SELECTORS)) {
        assert.ok(podsSelectedBy(objects, SELECTORS[o.kind](o)).length > 0, `${o.kind} ${o.metadata.name} selects no pods`);
      }
    });

    test("Service, Ingress and NetworkPolicy ports exist on the pods they reach", () => {
      for (const svc of objects.filter((o) => o.kind === "Service")) {
        for (const pod of podsSelectedBy(objects, svc.spec.selector)) {
          for (const port of svc.spec.ports) {
            assert.ok(containerPort(pod, port.targetPort ?? port.port), `${svc.metadata.name} ${port.name}`);
          }
        }
      }
      for (const ingress of objects.filter((o) => o.kind === "Ingress")) {
        const paths = ingress.spec.rules.flatMap((r) => r.http.paths);
        assert.ok(paths.some((p) => p.path === "/ws"), "the Ingress routes /ws");
        for (const { backend } of paths) {
          const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === backend.service.name);
          assert.ok(svc, `Ingress backend ${backend.service.name}`);
          assert.ok(svc.spec.ports.some((p) => p.name === backend.service.port.name), `port ${backend.service.port.name}`);
        }
        assert.equal(ingress.metadata.annotations["nginx.ingress.kubernetes.io/session-cookie-name"], "ccroute");
        assert.ok(Number(ingress.metadata.annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"])
          > 2 * setting(env, "WEBSOCKET_PING_INTERVAL"), "the ingress outlasts two pings");
      }
      for (const policy of objects.filter((o) => o.kind === "NetworkPolicy")) {
        for (const pod of podsSelectedBy(objects, policy.spec.podSelector.matchLabels)) {
          for (const port of policy.spec.ingress.flatMap((rule) => rule.ports ?? [])) {
            assert.ok(containerPort(pod, port.port), `${policy.metadata.name} port ${port.port}`);
          }
        }
      }
    });

    test("the node listens where the manifests send traffic", () => {
      assert.equal(containerPort(deployment, "websocket").containerPort, setting(env, "WEBSOCKET_PORT"));
      assert.equal(containerPort(deployment, "relay").containerPort, setting(env, "RELAY_HTTP_PORT"));
      assert.equal(containerPort(deployment, "hazelcast").containerPort, setting(env, "CLUSTER_PORT"));
      assert.equal(env.WEBSOCKET_HOST, "0.0.0.0");
      assert.deepEqual(env.NODE_ID, { fieldRef: { fieldPath: "metadata.name" } });
      assert.deepEqual(env.CLUSTER_HOST, { fieldRef: { fieldPath: "status.podIP" } });
    });

    test("Hazelcast finds its members through the headless Service", () => {
      const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === env.CLUSTER_KUBERNETES_SERVICE);
      assert.ok(svc, `CLUSTER_KUBERNETES_SERVICE names no Service: ${env.CLUSTER_KUBERNETES_SERVICE}`);
      assert.equal(svc.spec.clusterIP, "None");
      assert.equal(svc.spec.publishNotReadyAddresses, true);
      assert.ok(matches(svc.spec.selector, deployment.spec.template.metadata.labels));
      assert.ok(svc.spec.ports.some((p) => p.port === setting(env, "CLUSTER_PORT")));
    });

    test("probes hit the node's health endpoints", () => {
      const served = healthPaths();
      const c = deployment.spec.template.spec.containers[0];
      assert.equal(c.readinessProbe.httpGet.path, "/health/ready");
      assert.equal(c.livenessProbe.httpGet.path, "/health/live");
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
        assert.ok(served.includes(probe.httpGet.path), `the node serves ${probe.httpGet.path}`);
        assert.equal(containerPort(deployment, probe.httpGet.port).containerPort, setting(env, "WEBSOCKET_PORT"));
      }
    });

    test("the grace period covers preStop and the drain window", () => {
      const spec = deployment.spec.template.spec;
      const preStop = spec.containers[0].lifecycle.preStop.exec.command;
      assert.equal(preStop[0], "sleep");
      const needed = Number(preStop[1]) + setting(env, "WEBSOCKET_DRAIN_TIMEOUT") + 5;
      assert.ok(spec.terminationGracePeriodSeconds >= needed,
        `terminationGracePeriodSeconds ${spec.terminationGracePeriodSeconds} < ${needed}`);
    });

    test("every referenced ConfigMap and Secret is rendered or created as deploy/README.md says", () => {
      const refs = deployment.spec.template.spec.containers.flatMap((c) => c.env ?? [])
        .map((e) => e.valueFrom?.secretKeyRef).filter(Boolean);
      for (const ref of refs) {
        const secret = objects.find((o) => o.kind === "Secret" && o.metadata.name === ref.name);
        if (secret) {
          assert.ok(ref.key in (secret.data ?? {}) || ref.optional, `${ref.name} has ${ref.key}`);
        } else if (!ref.optional) {
          assert.ok(documentedCommand(`create secret generic ${ref.name}`).includes(`--from-literal=${ref.key}=`),
            `deploy/README.md creates ${ref.name} with ${ref.key}`);
        }
      }
      for (const ingress of objects.filter((o) => o.kind === "Ingress")) {
        for (const { secretName } of ingress.spec.tls ?? []) {
          const rendered = objects.some((o) => o.kind === "Secret" && o.metadata.name === secretName);
          assert.ok(rendered || README.includes(`create secret tls ${secretName}`), `TLS Secret ${secretName}`);
        }
      }
      for (const from of deployment.spec.template.spec.containers.flatMap((c) => c.envFrom ?? [])) {
        assert.ok(objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === from.configMapRef.name));
      }
    });

    test("the autoscaler scales the node Deployment, whose pods request CPU and memory", () => {
      const hpa = objects.find((o) => o.kind === "HorizontalPodAutoscaler");
      assert.equal(hpa.spec.scaleTargetRef.kind, "Deployment");
      assert.equal(hpa.spec.scaleTargetRef.name, NODE);
      assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.minReplicas <= hpa.spec.maxReplicas);
      const requests = deployment.spec.template.spec.containers[0].resources.requests;
      assert.ok(requests.cpu && requests.memory);
      const pdb = objects.find((o) => o.kind === "PodDisruptionBudget");
      assert.ok(matches(pdb.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
    });
  });
}
