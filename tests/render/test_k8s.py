"""`render_k8s`: objects, lifecycle timings, probes, environment and Jobs, from the contract."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.render.conftest import by_stem, main_container, pod
from twelve.contract import Contract
from twelve.render import K8sOptions, RenderError, render_k8s, stream
from twelve.render.pod import argv

# 1.30 is the oldest Kubernetes with the preStop `sleep` action on by default.
K8S_VERSIONS = ["1.30", ".".join(kubernetes_validate.latest_version().split(".")[:2])]


def kinds(contract: Contract, options: K8sOptions | None = None) -> list[tuple[str, str, str]]:
    return [(r.stem, r.kind, r.name) for r in render_k8s(contract, options or K8sOptions())]


def test_objects_in_apply_order(kit_app: Contract, web_only: Contract) -> None:
    """ConfigMap, then a Job per admin task, then per process its Deployment (+ Service)."""
    assert kinds(kit_app) == [
        ("configmap", "ConfigMap", "kit-app-config"),
        ("job-migrate", "Job", "kit-app-migrate"),
        ("deployment-web", "Deployment", "kit-app-web"),
        ("service-web", "Service", "kit-app-web"),
        ("deployment-worker", "Deployment", "kit-app-worker"),
    ]
    assert kinds(web_only, K8sOptions(hpa_max=6, release="v1.4.2")) == [
        ("configmap", "ConfigMap", "quotes-config"),
        ("job-migrate", "Job", "quotes-migrate-v1-4-2"),
        ("job-reindex", "Job", "quotes-reindex-v1-4-2"),
        ("deployment-api", "Deployment", "quotes-api"),
        ("service-api", "Service", "quotes-api"),
        ("hpa-api", "HorizontalPodAutoscaler", "quotes-api"),
    ]


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize(
    "options",
    [
        K8sOptions(),
        K8sOptions(image="ghcr.io/acme/app:0a1b2c3", namespace="prod", replicas=3, hpa_max=9),
    ],
    ids=["defaults", "every-option"],
)
def test_every_object_validates_against_the_kubernetes_schema(
    kit_app: Contract, web_only: Contract, options: K8sOptions, version: str
) -> None:
    """Each object passes the strict schema (unknown fields are errors) of Kubernetes 1.30
    and of the newest version kubernetes-validate ships, read back from the YAML text."""
    for contract in (kit_app, web_only):
        for body in yaml.safe_load_all(stream(render_k8s(contract, options))):
            assert kubernetes_validate.validate(body, version, strict=True) == version


def test_grace_period_covers_prestop_drain_shutdown_and_margin(
    kit_app: Contract, web_only: Contract
) -> None:
    """Grace = preStop sleep (drain_delay) + drain_delay + shutdown_timeout + 5 s; the
    preStop hook is the kubelet's sleep action, and only where there is a drain delay."""
    kit = by_stem(render_k8s(kit_app, K8sOptions()))
    quotes = by_stem(render_k8s(web_only, K8sOptions()))
    assert pod(kit["deployment-web"])["terminationGracePeriodSeconds"] == 1 + 1 + 8 + 5
    assert main_container(kit["deployment-web"])["lifecycle"] == {
        "preStop": {"sleep": {"seconds": 1}}
    }
    assert pod(kit["deployment-worker"])["terminationGracePeriodSeconds"] == 0 + 0 + 5 + 5
    assert "lifecycle" not in main_container(kit["deployment-worker"])
    assert pod(quotes["deployment-api"])["terminationGracePeriodSeconds"] == 5 + 5 + 20 + 5
    assert main_container(quotes["deployment-api"])["lifecycle"] == {
        "preStop": {"sleep": {"seconds": 5}}
    }


def test_web_probes_use_the_contract_paths_and_cover_startup(web_only: Contract) -> None:
    """Startup and liveness ask the liveness path, readiness the readiness path, on the port
    named http; the startup probe's failures span the 30 s startup_timeout."""
    api = main_container(by_stem(render_k8s(web_only, K8sOptions()))["deployment-api"])
    assert api["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert api["startupProbe"] == {
        "httpGet": {"path": "/livez", "port": "http"},
        "periodSeconds": 2,
        "timeoutSeconds": 2,
        "failureThreshold": 16,
    }
    startup = api["startupProbe"]
    assert (startup["failureThreshold"] - 1) * startup["periodSeconds"] >= 30
    assert api["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert api["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
    assert (api["readinessProbe"]["periodSeconds"], api["livenessProbe"]["periodSeconds"]) == (
        5,
        10,
    )


def test_a_worker_gets_no_port_and_no_probe(kit_app: Contract) -> None:
    """The contract gives a worker no health endpoint, so none is invented."""
    worker = main_container(by_stem(render_k8s(kit_app, K8sOptions()))["deployment-worker"])
    assert sorted(worker) == [
        "command",
        "env",
        "envFrom",
        "image",
        "name",
        "resources",
        "securityContext",
        "volumeMounts",
    ]
    assert worker["command"] == ["python", "-m", "kit_app", "worker"]
    assert [entry["name"] for entry in worker["env"]] == [
        "DATABASE_URL",
        "API_TOKEN",
        "UPSTREAM_URL",
    ]


def test_environment_configmap_secret_refs_port_and_release(web_only: Contract) -> None:
    """Plain keys with a default go to the ConfigMap, keys without one are listed above it;
    secrets are secretKeyRefs to the Secret named after the service; PORT and the release
    are set explicitly."""
    resources = render_k8s(web_only, K8sOptions(release="v1.4.2"))
    config_map = resources[0]
    assert config_map.body["data"] == {"SHUTDOWN_S": "20", "FEATURE_X": "false"}
    assert config_map.notes == (
        "Keys the contract gives no default (not set here):",
        "PUBLIC_URL: required: add it to data, e.g. https://quotes.example.com "
        "(Where users reach the service)",
        "CACHE_TTL: optional: unset unless added (How long answers are cached)",
    )
    api = main_container(by_stem(resources)["deployment-api"])
    assert api["envFrom"] == [{"configMapRef": {"name": "quotes-config"}}]
    assert api["env"] == [
        {"name": "PORT", "value": "8000"},
        {"name": "RELEASE_ID", "value": "v1.4.2"},
        {
            "name": "DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": "quotes", "key": "DATABASE_URL"}},
        },
        {
            "name": "SENTRY_DSN",
            "valueFrom": {
                "secretKeyRef": {"name": "quotes", "key": "SENTRY_DSN", "optional": True}
            },
        },
    ]


def test_without_a_release_the_version_env_is_listed_as_unset(web_only: Contract) -> None:
    """No --release and no image tag: no version label, and RELEASE_ID is a key to set."""
    resources = render_k8s(web_only, K8sOptions(image="ghcr.io/acme/quotes@sha256:" + "a" * 64))
    assert resources[0].notes[-1] == (
        "RELEASE_ID: the release identity (commit SHA); render with --release"
    )
    deployment = by_stem(resources)["deployment-api"]
    assert deployment["metadata"]["labels"] == {
        "app.kubernetes.io/name": "quotes",
        "app.kubernetes.io/component": "api",
    }
    assert "RELEASE_ID" not in [entry["name"] for entry in main_container(deployment)["env"]]


def test_the_release_comes_from_the_image_tag_and_labels_objects_not_selectors(
    web_only: Contract,
) -> None:
    """The image tag is the release: on object and pod labels, never in the selector."""
    options = K8sOptions(image="registry.example:5000/acme/quotes:9f8e7d6")
    assert options.release_id() == "9f8e7d6"
    deployment = by_stem(render_k8s(web_only, options))["deployment-api"]
    assert deployment["metadata"]["labels"]["app.kubernetes.io/version"] == "9f8e7d6"
    assert deployment["spec"]["template"]["metadata"]["labels"] == {
        "app.kubernetes.io/name": "quotes",
        "app.kubernetes.io/component": "api",
        "app.kubernetes.io/version": "9f8e7d6",
    }
    assert deployment["spec"]["selector"] == {
        "matchLabels": {"app.kubernetes.io/name": "quotes", "app.kubernetes.io/component": "api"}
    }
    assert main_container(deployment)["image"] == "registry.example:5000/acme/quotes:9f8e7d6"
    assert K8sOptions(image="registry.example:5000/acme/quotes").release_id() is None


def test_no_secret_value_and_no_secret_object_is_rendered(
    kit_app: Contract, web_only: Contract
) -> None:
    """Secret keys appear only as secretKeyRefs: never in the ConfigMap, never with a value,
    no Secret object, and nothing of the probe's templates leaks into the manifests."""
    for contract in (kit_app, web_only):
        resources = render_k8s(contract, K8sOptions(release="r1"))
        text = stream(resources)
        secrets = contract.secret_keys()
        assert "Secret" not in {resource.kind for resource in resources}
        assert "{canary}" not in text
        assert "127.0.0.1" not in text
        for template in contract.probe.values.values():
            assert template not in text
        assert set(secrets).isdisjoint(resources[0].body["data"])
        for resource in resources[1:]:
            if resource.kind not in {"Job", "Deployment"}:
                continue
            entries = main_container(resource.body)["env"]
            refs = [e for e in entries if e["name"] in secrets]
            assert [e["name"] for e in refs] == secrets
            assert all(sorted(e) == ["name", "valueFrom"] for e in refs)


def test_admin_tasks_are_jobs_and_only_idempotent_ones_run_on_apply(web_only: Contract) -> None:
    """An idempotent task runs and is retried; one that is not is created suspended, never
    retried, with the command to run it in a comment. No workload has an initContainer."""
    resources = render_k8s(web_only, K8sOptions())
    jobs = by_stem(resources)
    migrate, reindex = jobs["job-migrate"]["spec"], jobs["job-reindex"]["spec"]
    assert {k: v for k, v in migrate.items() if k != "template"} == {
        "backoffLimit": 2,
        "ttlSecondsAfterFinished": 86400,
    }
    assert {k: v for k, v in reindex.items() if k != "template"} == {
        "backoffLimit": 0,
        "ttlSecondsAfterFinished": 86400,
        "suspend": True,
    }
    assert reindex["template"]["spec"]["restartPolicy"] == "Never"
    assert main_container(jobs["job-reindex"])["command"] == ["quotes-admin", "reindex", "--all"]
    notes = {resource.stem: resource.notes for resource in resources}
    assert notes["job-migrate"] == ("Apply pending schema changes",)
    assert notes["job-reindex"] == (
        "Not idempotent: created suspended, never retried. Run it once with "
        """kubectl patch job quotes-reindex -p '{"spec":{"suspend":false}}'""",
    )
    for resource in resources:
        if "template" in resource.body.get("spec", {}):
            assert "initContainers" not in pod(resource.body)


def test_pods_are_hardened(kit_app: Contract) -> None:
    """Non-root, read-only root filesystem with a writable /tmp, no escalation, no token."""
    deployment = by_stem(render_k8s(kit_app, K8sOptions()))["deployment-web"]
    spec = pod(deployment)
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert (spec["automountServiceAccountToken"], spec["enableServiceLinks"]) == (False, False)
    assert spec["volumes"] == [{"name": "tmp", "emptyDir": {}}]
    web = main_container(deployment)
    assert web["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert web["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert web["image"] == "registry.invalid/kit-app:unset"


def test_hpa_owns_the_replica_count(web_only: Contract) -> None:
    """With --hpa the Deployment leaves `replicas` to the autoscaler (no fight on apply)."""
    objects = by_stem(render_k8s(web_only, K8sOptions(replicas=3, hpa_max=10)))
    assert "replicas" not in objects["deployment-api"]["spec"]
    hpa: dict[str, Any] = objects["hpa-api"]["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "quotes-api",
    }
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 10)
    assert objects["service-api"]["spec"]["ports"] == [
        {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}
    ]
    plain = by_stem(render_k8s(web_only, K8sOptions()))
    assert plain["deployment-api"]["spec"]["replicas"] == 2


def test_commands_become_argv_with_kubelet_variables() -> None:
    """$VAR and ${VAR} become $(VAR); a literal $( is escaped; a default cannot be kept."""
    assert argv("web --port $PORT --name '${APP} x'") == [
        "web",
        "--port",
        "$(PORT)",
        "--name",
        "$(APP) x",
    ]
    assert argv(["sh", "-c", "echo $(date)"]) == ["sh", "-c", "echo $$(date)"]
    with pytest.raises(RenderError, match=r"cannot expand \$\{PORT:-8000\}"):
        argv("web --port ${PORT:-8000}")
    with pytest.raises(RenderError, match="cannot split command"):
        argv("web 'unclosed")


def test_rendering_is_deterministic(kit_app: Contract) -> None:
    """Same contract, same options: the same bytes, which load back to the same objects."""
    options = K8sOptions(image="ghcr.io/acme/kit-app:abc", hpa_max=4)
    first, second = stream(render_k8s(kit_app, options)), stream(render_k8s(kit_app, options))
    assert first == second
    assert list(yaml.safe_load_all(first)) == [r.body for r in render_k8s(kit_app, options)]
    assert "&id" not in first


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"replicas": 0}, "--replicas must be at least 1, not 0"),
        ({"hpa_max": 1}, "--hpa 1 is below the minimum of 2 replicas"),
        ({"replicas": 4, "hpa_max": 3}, "--hpa 3 is below the minimum of 4 replicas"),
        ({"namespace": "Prod"}, "namespace 'Prod' is not a DNS label"),
        ({"image": "my image"}, "image 'my image' is not an image reference"),
        ({"release": "v1/2"}, "release 'v1/2' is not a label value"),
    ],
)
def test_options_that_cannot_be_rendered(options: dict[str, Any], message: str) -> None:
    """Each bad option is refused with a message naming it."""
    with pytest.raises(RenderError) as caught:
        K8sOptions(**options)
    assert str(caught.value).startswith(message)


def test_a_name_too_long_for_kubernetes_is_refused(web_only: Contract) -> None:
    """Object names are DNS labels: a process name that makes one longer than 63 is an error."""
    long = web_only.model_copy(update={"processes": {"a" * 60: web_only.processes["api"]}})
    with pytest.raises(RenderError, match="cannot name a Kubernetes object 'quotes-a"):
        render_k8s(long, K8sOptions())
