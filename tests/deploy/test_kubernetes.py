"""deploy/kubernetes checked offline: every document against the Kubernetes schemas
(kubernetes-validate bundles them), every pod within the restricted Pod Security
profile, every slice with HTTPS probes, resources and only settings it has, settings
that pass production's checks, and NetworkPolicies that draw the secure box."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from deploy import compose
from services.common.subjects import SERVICES
from tests.deploy.test_compose_file import production_refusal, settings_class

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "deploy" / "kubernetes"
KUBERNETES = "1.30"
POD_KINDS = {"Deployment", "StatefulSet", "Job"}
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                      "persistentVolumeClaim", "projected", "secret"}


def _resources_by_hand() -> list[dict]:
    """The base's resources as Kustomize would emit them, for machines without kubectl:
    its resource files, the namespace on namespaced objects, the images' tags."""
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    tags = {i["name"]: i.get("newName", i["name"]) + ":" + str(i["newTag"])
            for i in kustomization.get("images", [])}
    docs = []
    for name in kustomization["resources"]:
        for doc in yaml.safe_load_all((BASE / name).read_text()):
            if not doc:
                continue
            if doc["kind"] != "Namespace":
                doc["metadata"].setdefault("namespace", kustomization["namespace"])
            for _, spec in pod_specs([doc]):
                for container in spec.get("containers", []) + spec.get("initContainers", []):
                    image = container["image"].rsplit(":", 1)[0]
                    container["image"] = tags.get(image, container["image"])
            docs.append(doc)
    return docs


def rendered() -> list[dict]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return _resources_by_hand()
    out = subprocess.run([kubectl, "kustomize", str(BASE)], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def pod_specs(docs: list[dict]):
    for doc in docs:
        if doc["kind"] in POD_KINDS:
            yield doc, doc["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def docs() -> list[dict]:
    return rendered()


def test_kustomize_and_the_hand_rendering_agree(docs):
    if shutil.which("kubectl") is None:
        pytest.skip("no kubectl: the hand rendering is all there is")
    key = lambda d: (d["kind"], d["metadata"]["name"])  # noqa: E731
    assert sorted(map(key, docs)) == sorted(map(key, _resources_by_hand()))


def test_every_document_is_valid_against_the_schemas(docs):
    assert docs
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_every_pod_meets_the_restricted_profile(docs):
    labels = next(d for d in docs if d["kind"] == "Namespace")["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    for doc, spec in pod_specs(docs):
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        pod = spec.get("securityContext", {})
        assert pod.get("runAsNonRoot") is True, where
        assert pod.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
        assert pod.get("runAsUser", 1) != 0, where
        assert not spec.get("hostNetwork") and not spec.get("hostPID"), where
        for volume in spec.get("volumes", []):
            assert set(volume) - {"name"} <= RESTRICTED_VOLUMES, (where, volume)
            # secret files are root's; a non-root pod reads them through its fsGroup
            if "secret" in volume:
                assert volume["secret"].get("defaultMode", 0o644) & 0o040, (where, volume)
                assert pod.get("fsGroup") == pod.get("runAsGroup", 0), where
        for container in spec["containers"] + spec.get("initContainers", []):
            context = container.get("securityContext", {})
            assert context.get("allowPrivilegeEscalation") is False, where
            assert context.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not context.get("privileged"), where
            assert context.get("readOnlyRootFilesystem") is True, where


def test_every_slice_runs_with_probes_resources_and_its_own_settings(docs):
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    for name in SERVICES:
        deployment = deployments[name]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"].startswith(f"localhost/tessera-{name}:")
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["httpGet"]["scheme"] == "HTTPS", (name, probe)
        assert container["resources"]["requests"]["memory"]
        assert container["resources"]["limits"]["memory"]
        fields = set(settings_class(name).model_fields)
        prefix = f"TESSERA_{name.upper()}_"
        for var in container.get("env", []):
            assert var["name"].startswith(prefix), (name, var["name"])
            assert var["name"][len(prefix):].lower() in fields, (name, var["name"])


def slice_env(docs: list[dict], name: str) -> dict[str, str]:
    """A slice's environment as its pod sees it, ConfigMap references resolved."""
    maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    deployment = next(d for d in docs if d["kind"] == "Deployment"
                      and d["metadata"]["name"] == name)
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    env = {}
    for var in container["env"]:
        if "fieldRef" in var.get("valueFrom", {}):  # the pod's own name, say
            env[var["name"]] = f"{name}-pod"
        elif "valueFrom" in var:
            ref = var["valueFrom"]["configMapKeyRef"]
            env[var["name"]] = maps[ref["name"]][ref["key"]]
        else:
            env[var["name"]] = var["value"]
    return env


@pytest.mark.parametrize("name", SERVICES)
def test_every_slice_passes_productions_checks(docs, name, tmp_path, monkeypatch):
    """HTTPS from the tessera-tls Secret, NATS over TLS, an issuer that is not the
    development one: what environment=production demands (ServiceSettings.insecure)."""
    env = slice_env(docs, name)
    prefix = f"TESSERA_{name.upper()}_"
    deployment = next(d for d in docs if d["kind"] == "Deployment"
                      and d["metadata"]["name"] == name)
    spec = deployment["spec"]["template"]["spec"]
    volume = next(v["name"] for v in spec["volumes"]
                  if v.get("secret", {}).get("secretName") == "tessera-tls")
    (mount,) = [m["mountPath"] for m in spec["containers"][0]["volumeMounts"]
                if m["name"] == volume]
    assert env[prefix + "TLS_CERT_FILE"] == f"{mount}/tls.crt"
    assert env[prefix + "TLS_KEY_FILE"] == f"{mount}/tls.key"
    assert env[prefix + "TOKEN_ISSUER"] == compose.ISSUER
    url = tmp_path / "db-url"  # the only file settings read: the rest are read at start
    url.write_text("postgresql+asyncpg://consent:secret@postgres:5432/consent\n")
    env[prefix + "DATABASE_URL_FILE"] = str(url)
    assert production_refusal(name, env, monkeypatch) is None


def test_a_migration_job_for_every_slice_and_one_provisioning_job(docs):
    jobs = {d["metadata"]["name"] for d in docs if d["kind"] == "Job"}
    assert jobs == {f"migrate-{name}" for name in SERVICES} | {"provision"}


def _allows(policy: dict, port: int) -> list[dict]:
    """The ``from`` entries of a policy's ingress rules that open ``port``."""
    sources = []
    for rule in policy["spec"].get("ingress", []):
        ports = {p.get("port") for p in rule.get("ports", [])}
        if not ports or port in ports:
            sources += rule.get("from", [{}])
    return sources


def test_network_policies_draw_the_secure_box(docs):
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    assert any(p["spec"]["podSelector"] == {} and "Ingress" in p["spec"]["policyTypes"]
               and not p["spec"].get("ingress") for p in policies), "no default deny"

    def selected(app: str) -> list[dict]:
        return [p for p in policies if p["spec"]["podSelector"].get("matchLabels", {})
                .get("app.kubernetes.io/name") == app]

    slices = set(SERVICES)
    for app, port in (("postgres", 5432), ("nats", 4222)):
        sources = [s for p in selected(app) for s in _allows(p, port)]
        assert sources, f"nothing may reach {app}"
        for source in sources:
            assert "ipBlock" not in source and source.get("podSelector"), (app, source)
            match = source["podSelector"].get("matchExpressions", [])
            names = {v for e in match if e["key"] == "app.kubernetes.io/name"
                     for v in e["values"]}
            names |= {source["podSelector"].get("matchLabels", {})
                      .get("app.kubernetes.io/name")} - {None}
            components = {source["podSelector"].get("matchLabels", {})
                          .get("app.kubernetes.io/component")} - {None}
            assert names <= slices | {"nats"} and (names or components), (app, source)


def test_nothing_leaves_the_namespace_for_the_internet(docs):
    """Egress is denied by default, and every policy that allows some names pods or
    namespaces of the cluster, never an address block (SATRE 2.2.11)."""
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    assert any(p["spec"]["podSelector"] == {} and p["spec"]["policyTypes"] == ["Egress"]
               and not p["spec"].get("egress") for p in policies), "no default deny of egress"
    for policy in policies:
        for rule in policy["spec"].get("egress", []):
            destinations = rule.get("to")
            assert destinations, (policy["metadata"]["name"], "allows egress anywhere")
            for to in destinations:
                assert "ipBlock" not in to, (policy["metadata"]["name"], to)
                assert to.get("podSelector") or to.get("namespaceSelector"), to


def test_two_pseudonymiser_pods_each_named_in_the_lease(docs):
    """A writer and a standby on PostgreSQL, each named by its pod's own name, with no
    volume that only one pod may mount."""
    deployment = next(d for d in docs if d["kind"] == "Deployment"
                      and d["metadata"]["name"] == "pseudonymiser")
    assert deployment["spec"]["replicas"] == 2
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    replica = next(v for v in container["env"] if v["name"] == "TESSERA_PSEUDONYMISER_REPLICA")
    assert replica["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert not any("persistentVolumeClaim" in volume for volume in pod["volumes"])


def test_every_slice_on_one_database_runs_two_pods(docs):
    """The slices whose processes share only their database and NATS run two pods each,
    none with a volume that only one pod may mount (docs/operations.md, "Replicas")."""
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    for name in ("gateway", "pseudonymiser", "linker", "scorer", "consent"):
        assert deployments[name]["spec"]["replicas"] == 2, name
        volumes = deployments[name]["spec"]["template"]["spec"]["volumes"]
        assert not any("persistentVolumeClaim" in volume for volume in volumes), name
