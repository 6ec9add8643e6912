import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';

const ROOT = process.cwd();
const K8S = join(ROOT, 'deploy/k8s');
const SECRET_EXAMPLE = 'secret.example.yaml';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML, checked field by field */
type Obj = Record<string, any>;

interface Manifest {
  file: string;
  kind: string;
  name: string;
  obj: Obj;
}

function loadManifests(): Manifest[] {
  const manifests: Manifest[] = [];
  for (const file of readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(join(K8S, file), 'utf8'))) {
      if (doc.errors.length > 0) {
        throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      }
      const obj = doc.toJS() as Obj | null;
      if (obj) {
        manifests.push({ file, kind: String(obj.kind), name: String(obj.metadata?.name), obj });
      }
    }
  }
  return manifests;
}

/** Pod templates of the kinds that run pods, with where they come from. */
function podSpecs(manifests: Manifest[]): { m: Manifest; pod: Obj }[] {
  return manifests
    .filter((m) => m.kind === 'Deployment' || m.kind === 'Job')
    .map((m) => ({ m, pod: m.obj.spec.template.spec as Obj }));
}

function envOf(container: Obj): Record<string, string> {
  return Object.fromEntries((container.env ?? []).map((e: Obj) => [e.name, e.value]));
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const REQUIRED: Record<string, (o: Obj) => unknown[]> = {
  ConfigMap: (o) => [o.data],
  Secret: (o) => [o.stringData ?? o.data],
  Deployment: (o) => [
    o.spec.replicas,
    o.spec.selector.matchLabels,
    o.spec.template.metadata.labels,
    o.spec.template.spec.containers[0].image,
  ],
  Service: (o) => [o.spec.selector, o.spec.ports[0].port, o.spec.ports[0].targetPort],
  Job: (o) => [o.spec.template.spec.restartPolicy, o.spec.template.spec.containers[0].image, o.spec.backoffLimit],
  PodDisruptionBudget: (o) => [o.spec.selector.matchLabels, o.spec.minAvailable ?? o.spec.maxUnavailable],
  HorizontalPodAutoscaler: (o) => [
    o.spec.scaleTargetRef.name,
    o.spec.minReplicas,
    o.spec.maxReplicas,
    o.spec.metrics[0],
  ],
};

describe('deploy/k8s manifests', () => {
  let manifests: Manifest[];
  let config: Record<string, string>;
  const one = (kind: string, name: string): Obj => {
    const found = manifests.find((m) => m.kind === kind && m.name === name);
    if (!found) {
      throw new Error(`no ${kind} ${name} in deploy/k8s`);
    }
    return found.obj;
  };
  const deployments = () => manifests.filter((m) => m.kind === 'Deployment');

  beforeAll(() => {
    manifests = loadManifests();
    config = one('ConfigMap', 'ix-config').data as Record<string, string>;
  });

  describe('documents', () => {
    it('parse, each with apiVersion, kind and name, and none pinned to a namespace', () => {
      expect(manifests.length).toBeGreaterThanOrEqual(9);
      for (const { file, obj } of manifests) {
        expect({
          file,
          apiVersion: typeof obj.apiVersion,
          kind: typeof obj.kind,
          name: typeof obj.metadata?.name,
        }).toEqual({ file, apiVersion: 'string', kind: 'string', name: 'string' });
        expect({ file, namespace: obj.metadata.namespace }).toEqual({ file, namespace: undefined });
      }
    });

    it('have the required fields of their kind', () => {
      for (const { file, kind, obj } of manifests) {
        const required = REQUIRED[kind];
        expect({ file, kind, known: Boolean(required) }).toEqual({ file, kind, known: true });
        for (const value of required(obj)) {
          expect({ file, kind, present: value !== undefined && value !== null }).toEqual({ file, kind, present: true });
        }
      }
    });

    it('are all listed in kustomization.yaml, except the secret example', () => {
      const kustomization = parseAllDocuments(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'))[0].toJS() as Obj;
      const files = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
      expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== SECRET_EXAMPLE).sort());
      expect(kustomization.namespace).toBeUndefined();
    });
  });

  describe('configuration', () => {
    it('is a configuration the service accepts, with the secret example, in every role', () => {
      const secret = one('Secret', 'ix-secrets').stringData as Record<string, string>;
      for (const role of ['api', 'worker']) {
        expect(() => loadConfig({ ...config, ...secret, IX_ROLE: role, IX_MIGRATE_ON_BOOT: 'false' })).not.toThrow();
      }
      expect(Object.values(config).every((v) => typeof v === 'string')).toBe(true);
    });

    it('names only variables the service reads', () => {
      const source = readFileSync(join(ROOT, 'src/config/load-config.ts'), 'utf8');
      const names = [
        ...Object.keys(config),
        ...deployments().flatMap((d) => d.obj.spec.template.spec.containers.flatMap((c: Obj) => Object.keys(envOf(c)))),
      ];
      expect(names.filter((n) => !new RegExp(`^\\s+${n}: `, 'm').test(source))).toEqual([]);
    });

    it('keeps secrets out of the ConfigMap, and the secret example holds only placeholders', () => {
      const secret = one('Secret', 'ix-secrets').stringData as Record<string, string>;
      expect(Object.keys(secret).sort()).toEqual([
        'DATABASE_URL',
        'IX_ADMIN_KEY',
        'IX_API_KEYS',
        'IX_CALLBACK_SECRETS',
      ]);
      for (const [key, value] of Object.entries(secret)) {
        expect({ key, placeholder: value.includes('CHANGE-ME') }).toEqual({ key, placeholder: true });
        expect(config[key]).toBeUndefined();
      }
      expect(Object.keys(config).filter((k) => /KEY|SECRET|PASSWORD|DATABASE_URL/.test(k))).toEqual([]);
    });
  });

  describe('Deployments', () => {
    it('run the api (2 replicas) and the worker from one image, neither migrating at boot', () => {
      const api = one('Deployment', 'ix-api');
      const worker = one('Deployment', 'ix-worker');
      expect(api.spec.replicas).toBe(2);
      expect(envOf(api.spec.template.spec.containers[0])).toEqual({ IX_ROLE: 'api', IX_MIGRATE_ON_BOOT: 'false' });
      expect(envOf(worker.spec.template.spec.containers[0])).toEqual({
        IX_ROLE: 'worker',
        IX_MIGRATE_ON_BOOT: 'false',
      });
      const images = podSpecs(manifests).flatMap(({ pod }) => pod.containers.map((c: Obj) => c.image as string));
      expect(new Set(images).size).toBe(1);
      expect(images[0]).toMatch(/^[^:]+:(?!latest$)[\w.-]+$/);
    });

    it('select their own pods', () => {
      for (const { name, obj } of deployments()) {
        expect({ name, ok: matches(obj.spec.selector.matchLabels, obj.spec.template.metadata.labels) }).toEqual({
          name,
          ok: true,
        });
      }
    });

    it('probe liveness on /healthz and readiness on /readiness, on the container http port, with room for 3 s checks', () => {
      for (const { name, obj } of deployments()) {
        for (const c of obj.spec.template.spec.containers as Obj[]) {
          const ports = (c.ports as Obj[]).map((p) => p.name as string);
          expect({
            name,
            liveness: c.livenessProbe?.httpGet?.path,
            readiness: c.readinessProbe?.httpGet?.path,
          }).toEqual({
            name,
            liveness: '/healthz',
            readiness: '/readiness',
          });
          expect(ports).toContain(c.livenessProbe.httpGet.port);
          expect(ports).toContain(c.readinessProbe.httpGet.port);
          expect(c.ports.find((p: Obj) => p.name === 'http').containerPort).toBe(Number(config.PORT));
          expect(c.readinessProbe.timeoutSeconds).toBeGreaterThanOrEqual(3);
          expect(c.readinessProbe.periodSeconds).toBeGreaterThan(c.readinessProbe.timeoutSeconds);
          expect(c.livenessProbe.periodSeconds).toBeGreaterThan(c.livenessProbe.timeoutSeconds);
          // Liveness gives up later than readiness: a slow dependency takes a pod out of service, never restarts it.
          expect(c.livenessProbe.periodSeconds * c.livenessProbe.failureThreshold).toBeGreaterThan(
            c.readinessProbe.periodSeconds * c.readinessProbe.failureThreshold,
          );
          if (c.startupProbe) {
            expect(c.startupProbe.httpGet.path).toBe('/healthz');
          }
        }
      }
    });

    it('give a stopping pod IX_SHUTDOWN_GRACE_S + 15 s, and a preStop pause that fits in the margin', () => {
      const grace = Number(config.IX_SHUTDOWN_GRACE_S);
      expect(Number.isInteger(grace)).toBe(true);
      for (const { name, obj } of deployments()) {
        const pod = obj.spec.template.spec;
        expect({ name, grace: pod.terminationGracePeriodSeconds }).toEqual({ name, grace: grace + 15 });
        for (const c of pod.containers as Obj[]) {
          const pause = c.lifecycle?.preStop?.exec?.command as string[] | undefined;
          if (pause) {
            expect(pause[0]).toBe('sleep');
            expect(Number(pause[1])).toBeLessThanOrEqual(10);
          }
        }
      }
    });

    it('have a PodDisruptionBudget each, selecting their pods', () => {
      const pdbs = manifests.filter((m) => m.kind === 'PodDisruptionBudget');
      for (const { name, obj } of deployments()) {
        const labels = obj.spec.template.metadata.labels;
        expect({ name, pdbs: pdbs.filter((p) => matches(p.obj.spec.selector.matchLabels, labels)).length }).toEqual({
          name,
          pdbs: 1,
        });
      }
      expect(one('PodDisruptionBudget', 'ix-api').spec.minAvailable).toBeLessThan(
        one('Deployment', 'ix-api').spec.replicas,
      );
    });
  });

  describe('pods', () => {
    it('run as non-root on a read-only root filesystem, without capabilities, with emptyDirs for /tmp and /data', () => {
      for (const { m, pod } of podSpecs(manifests)) {
        expect({ name: m.name, runAsNonRoot: pod.securityContext?.runAsNonRoot }).toEqual({
          name: m.name,
          runAsNonRoot: true,
        });
        expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
        expect(pod.automountServiceAccountToken).toBe(false);
        const volumes = new Map<string, Obj>((pod.volumes as Obj[]).map((v) => [v.name as string, v]));
        for (const c of pod.containers as Obj[]) {
          expect({ name: m.name, ...c.securityContext }).toMatchObject({
            name: m.name,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          const mounts = new Map<string, string>((c.volumeMounts as Obj[]).map((v) => [v.mountPath as string, v.name]));
          for (const path of ['/tmp', config.IX_DATA_DIR]) {
            expect({ name: m.name, path, emptyDir: Boolean(volumes.get(mounts.get(path) ?? '')?.emptyDir) }).toEqual({
              name: m.name,
              path,
              emptyDir: true,
            });
          }
          expect([...mounts.values()].filter((v) => !volumes.has(v))).toEqual([]);
        }
      }
    });

    it('request and limit CPU and memory', () => {
      for (const { m, pod } of podSpecs(manifests)) {
        for (const c of pod.containers as Obj[]) {
          expect({ name: m.name, requests: Object.keys(c.resources.requests).sort() }).toEqual({
            name: m.name,
            requests: ['cpu', 'memory'],
          });
          expect({ name: m.name, limits: Object.keys(c.resources.limits).sort() }).toEqual({
            name: m.name,
            limits: ['cpu', 'memory'],
          });
        }
      }
    });

    it('take their settings from the ConfigMap and the Secret that exist here', () => {
      for (const { m, pod } of podSpecs(manifests)) {
        for (const c of pod.containers as Obj[]) {
          const refs = (c.envFrom as Obj[]).map((e) => e.configMapRef?.name ?? e.secretRef?.name);
          expect({ name: m.name, refs }).toEqual({ name: m.name, refs: ['ix-config', 'ix-secrets'] });
        }
      }
    });
  });

  describe('migrate Job', () => {
    it('runs the migration CLI once, with retries and a deadline', () => {
      const job = one('Job', 'ix-migrate');
      const [container] = job.spec.template.spec.containers as Obj[];
      expect(container.command).toEqual(['node', 'dist/src/database/migrate.cli.js']);
      expect(existsSync(join(ROOT, 'src/database/migrate.cli.ts'))).toBe(true);
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
      expect(job.spec.backoffLimit).toBeGreaterThan(0);
      expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    });
  });

  describe('Service', () => {
    it('sends traffic to the api pods only, on their http port', () => {
      const service = one('Service', 'ix-api');
      const api = one('Deployment', 'ix-api');
      const worker = one('Deployment', 'ix-worker');
      expect(matches(service.spec.selector, api.spec.template.metadata.labels)).toBe(true);
      expect(matches(service.spec.selector, worker.spec.template.metadata.labels)).toBe(false);
      const portNames = api.spec.template.spec.containers[0].ports.map((p: Obj) => p.name);
      expect(portNames).toContain(service.spec.ports[0].targetPort);
    });
  });

  describe('worker HorizontalPodAutoscaler', () => {
    it('scales the worker Deployment on the external metric ix_queue_lag_seconds, which the service exports', () => {
      const hpa = one('HorizontalPodAutoscaler', 'ix-worker');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ix-worker' });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      expect(hpa.spec.metrics).toEqual([
        expect.objectContaining({
          type: 'External',
          external: expect.objectContaining({ metric: { name: 'ix_queue_lag_seconds' } }),
        }),
      ]);
      expect(readFileSync(join(ROOT, 'src/metrics/metrics.service.ts'), 'utf8')).toContain("'ix_queue_lag_seconds'");
    });
  });
});
