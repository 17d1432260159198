import { readdirSync, readFileSync } from "node:fs";
import { isProduction, parseConfig } from "@breakwater/config";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { READINESS_CHECK_MS } from "../apps/gateway/src/routes/health.get.ts";

/**
 * deploy/kubernetes as Kubernetes would read it (no cluster runs here): every
 * manifest parsed, the invariants a production deployment relies on checked
 * against the config file it mounts and the image it runs.
 */
const dir = new URL("../deploy/kubernetes/", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, dir), "utf8");

const kustomization = parse(read("kustomization.yaml"));
const objects: any[] = (kustomization.resources as string[]).flatMap((file) =>
  parseAllDocuments(read(file)).map((document) => {
    expect(document.errors, file).toEqual([]);
    return document.toJS();
  }),
);
const named = (kind: string, name: string) => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found;
};
const gateway = named("Deployment", "breakwater-gateway");
const worker = named("Deployment", "breakwater-worker");
const deployments = { gateway, worker };
const containerOf = (deployment: any) => {
  expect(deployment.spec.template.spec.containers).toHaveLength(1);
  return deployment.spec.template.spec.containers[0];
};

/** The configMapGenerator's ConfigMap, by the name the Deployments mount. */
const configMap = (kustomization.configMapGenerator as Array<{ name: string; files: string[] }>)[0] as {
  name: string;
  files: string[];
};
const configFile = read("breakwater.yaml");

/** What a container's process sees: literal values as they are, Secret references filled with stand-ins. */
const processEnv = (deployment: any): Record<string, string> =>
  Object.fromEntries(
    (containerOf(deployment).env as any[]).map((entry) => [
      entry.name,
      entry.valueFrom ? `from-secret-${entry.valueFrom.secretKeyRef.key}` : String(entry.value),
    ]),
  );
const config = parseConfig(configFile, processEnv(gateway)).config;

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** Every `env:NAME` value of a parsed config file. */
const envReferences = (value: unknown): string[] => {
  if (typeof value === "string")
    return [/^env:([A-Za-z_][A-Za-z0-9_]*)/.exec(value)?.[1]].filter((n) => n !== undefined);
  if (value && typeof value === "object") return Object.values(value).flatMap(envReferences);
  return [];
};

/** Kubernetes quantities: cpu "500m" → 0.5, memory "256Mi" → bytes. */
const quantity = (value: string | number): number => {
  const match = /^([0-9.]+)(m|Ki|Mi|Gi)?$/.exec(String(value));
  if (!match) throw new Error(`unreadable quantity ${value}`);
  const scale = { m: 0.001, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] as string] ?? 1;
  return Number(match[1]) * scale;
};

describe("deploy/kubernetes", () => {
  it("applies as one kustomization of named objects, mounts the config it generates, and ships no Secret", () => {
    const files = readdirSync(dir).filter((file) => /\.ya?ml$/.test(file));
    expect(files.sort()).toEqual(["kustomization.yaml", ...configMap.files, ...kustomization.resources].sort());
    for (const object of objects) {
      expect(object.apiVersion).toBeTruthy();
      expect(object.metadata.name).toMatch(/^[a-z0-9-]+$/);
    }
    // Keys are the operator's (kubectl create secret): a committed placeholder would become a working key.
    expect(objects.filter((object) => object.kind === "Secret")).toEqual([]);
    for (const deployment of Object.values(deployments)) {
      const mount = containerOf(deployment).volumeMounts.find((m: any) => m.name === "config");
      const volume = deployment.spec.template.spec.volumes.find((v: any) => v.name === "config");
      expect(volume.configMap.name).toBe(configMap.name);
      expect(processEnv(deployment).BREAKWATER_CONFIG).toBe(`${mount.mountPath}/breakwater.yaml`);
      expect(mount.readOnly).toBe(true);
    }
  });

  it("runs production mode from the mounted config, every key and service address from the one Secret", () => {
    const referenced = envReferences(parse(configFile));
    expect(referenced.length).toBeGreaterThan(0);
    for (const [name, deployment] of Object.entries(deployments)) {
      const env = processEnv(deployment);
      expect(isProduction(env), name).toBe(true);
      expect(parseConfig(configFile, env).config.usesSimulator, name).toBe(false);
      const fromSecret = (containerOf(deployment).env as any[]).filter((entry) => entry.valueFrom);
      for (const entry of fromSecret)
        expect(entry.valueFrom.secretKeyRef).toEqual({ name: "breakwater", key: entry.name });
      const secretNames = fromSecret.map((entry) => entry.name);
      for (const variable of [...referenced, "DATABASE_URL", "REDIS_URL"])
        expect(secretNames, name).toContain(variable);
      // nothing that looks like a credential is written in the manifest itself
      const literals = (containerOf(deployment).env as any[]).filter((entry) => !entry.valueFrom);
      expect(
        literals.filter((entry) => /KEY$|URL$|PASSWORD|TOKEN/.test(entry.name) && entry.name !== "REDIS_KEY_PREFIX"),
      ).toEqual([]);
    }
    // gateways and workers share one breaker state, one set of queues, one audit trail
    for (const variable of ["DATABASE_URL", "REDIS_URL", "REDIS_KEY_PREFIX"]) {
      expect(processEnv(worker)[variable]).toBe(processEnv(gateway)[variable]);
    }
  });

  it("puts the gateways behind a Service, ready on /readyz and alive on /healthz", () => {
    const container = containerOf(gateway);
    const env = processEnv(gateway);
    const http = container.ports.find((port: any) => port.name === "http");
    expect(http.containerPort).toBe(Number(env.PORT));
    expect(env.HOST).toBe("0.0.0.0"); // the kubelet's probes and the Service reach the pod's address, not its loopback
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.startupProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    // the probe waits longer than the gateway waits for its own dependency checks
    expect(container.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(READINESS_CHECK_MS);
    // a draining gateway's 503 is seen before its listener closes
    const { periodSeconds, failureThreshold } = container.readinessProbe;
    expect(periodSeconds * failureThreshold * 1000).toBeLessThan(config.server.drainDelayMs);

    const service = named("Service", "breakwater");
    const podLabels = gateway.spec.template.metadata.labels;
    expect(matches(service.spec.selector, podLabels)).toBe(true);
    expect(matches(service.spec.selector, worker.spec.template.metadata.labels)).toBe(false);
    expect(service.spec.ports).toEqual([expect.objectContaining({ port: 8787, targetPort: "http" })]);
  });

  it("keeps gateways and workers serving through voluntary disruptions and rollouts", () => {
    for (const [name, deployment] of Object.entries(deployments)) {
      const labels = deployment.spec.template.metadata.labels;
      expect(matches(deployment.spec.selector.matchLabels, labels), name).toBe(true);
      expect(deployment.spec.replicas, name).toBeGreaterThanOrEqual(2);
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable, name).toBe(0);
      const budgets = objects.filter(
        (object) => object.kind === "PodDisruptionBudget" && matches(object.spec.selector.matchLabels, labels),
      );
      expect(budgets, name).toHaveLength(1);
      const budget = budgets[0].spec;
      const available = budget.minAvailable ?? deployment.spec.replicas - budget.maxUnavailable;
      expect(available, name).toBeGreaterThanOrEqual(1);
      expect(available, name).toBeLessThan(deployment.spec.replicas); // a node can still be drained
      // each budget covers one component only
      const other = name === "gateway" ? worker : gateway;
      expect(matches(budgets[0].spec.selector.matchLabels, other.spec.template.metadata.labels), name).toBe(false);
    }
  });

  it("gives every container resource requests and limits and a locked-down security context", () => {
    for (const [name, deployment] of Object.entries(deployments)) {
      const pod = deployment.spec.template.spec;
      const container = containerOf(deployment);
      const { requests, limits } = container.resources;
      for (const resource of ["cpu", "memory"]) {
        expect(quantity(requests[resource]), `${name} ${resource}`).toBeGreaterThan(0);
        expect(quantity(limits[resource]), `${name} ${resource}`).toBeGreaterThanOrEqual(quantity(requests[resource]));
      }
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.securityContext.runAsUser, name).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken, name).toBe(false);
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      expect(container.securityContext.privileged ?? false, name).toBe(false);
      // the root filesystem is read-only: /tmp is the one writable place, in memory or on the node's disk
      const tmp = container.volumeMounts.find((mount: any) => mount.mountPath === "/tmp");
      expect(pod.volumes.find((volume: any) => volume.name === tmp?.name)?.emptyDir, name).toBeDefined();
    }
  });

  it("lets a stop drain: each grace period outlasts what the process waits for after SIGTERM", () => {
    // the gateway: server.shutdown_grace_ms, then up to 1 s for cut streams' error events
    expect(gateway.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      config.server.shutdownGraceMs + 1_000,
    );
    // the worker: running judge and canary calls, each bounded by its timeout
    const longestCall = Math.max(
      ...[...config.tiers.values()].map((tier) => tier.timeoutMs),
      ...config.judge.judges.map((judge) => judge.timeoutMs),
    );
    expect(worker.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(longestCall);
  });

  it("runs the production build under the image's init, from an image with a pinned tag", () => {
    const dockerfileCmd = JSON.parse(
      (/^CMD (.+)$/m.exec(readFileSync(new URL("../Dockerfile", import.meta.url), "utf8"))?.[1] as string) ?? "[]",
    ) as string[];
    expect(dockerfileCmd.at(-1)).toBe("dist/gateway.js");
    for (const [name, deployment] of Object.entries(deployments)) {
      const container = containerOf(deployment);
      // `command` would replace the image's ENTRYPOINT, tini, and SIGTERM would no longer reach node's drain
      expect(container.command, name).toBeUndefined();
      const runs: string[] = container.args ?? dockerfileCmd;
      expect(runs[0], name).toBe("node");
      expect(runs.at(-1), name).toBe(`dist/${name}.js`);
      expect(container.image, name).toBe("breakwater");
    }
    const image = (kustomization.images as Array<{ name: string; newTag?: string }>).find(
      (i) => i.name === "breakwater",
    );
    expect(image?.newTag).toMatch(/^[\w][\w.-]*$/);
    expect(image?.newTag).not.toBe("latest");
  });
});
