"""Tests for twelve.lint.facts.yamldocs: documents, kinds, key lines and Kubernetes helpers."""

from __future__ import annotations

import time
from pathlib import Path

from twelve.lint.facts import yamldocs
from twelve.lint.facts.files import walk
from twelve.lint.facts.parse import ParseProblem
from twelve.lint.facts.yamldocs import YamlDocs, k8s_containers, k8s_pod_spec

K8S = """\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  template:
    spec:
      terminationGracePeriodSeconds: 20
      initContainers:
        - name: migrate
          image: app:1
      containers:
        - name: web
          image: app:1
          livenessProbe:
            httpGet: {path: /healthz, port: 8000}
          readinessProbe:
            httpGet:
              path: /readyz
              port: 8000
          env:
            - name: LOG_LEVEL
              value: info
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: db
                  key: url
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
---
"""


def _load(text: str, path: str = "deploy/app.yaml") -> YamlDocs:
    docs, problems = yamldocs.load(text, path)
    return YamlDocs(tuple(docs), tuple(problems))


def test_multi_document_kubernetes_lines() -> None:
    """Each document keeps its index and start line; paths resolve to the lines rules cite."""
    facts = _load(K8S)
    assert [(d.index, d.start_line, d.kind) for d in facts.docs] == [(0, 2, "k8s"), (1, 32, "k8s")]
    deployment, service = facts.k8s_objects
    assert (deployment.kind, deployment.name, deployment.namespace) == ("Deployment", "web", "prod")
    assert (service.api_version, service.kind, service.name, service.namespace) == (
        "v1",
        "Service",
        "web",
        None,
    )
    spec, loc = k8s_pod_spec(deployment) or ({}, ())
    assert spec["terminationGracePeriodSeconds"] == 20
    assert deployment.doc.line_of((*loc, "terminationGracePeriodSeconds")) == 10
    assert deployment.line_of(("spec", "template", "spec", "terminationGracePeriodSeconds")) == 10
    ((container, at),) = k8s_containers(deployment)
    assert container["name"] == "web"
    line_of = deployment.doc.line_of
    assert line_of((*at, "livenessProbe", "httpGet", "path")) == 18
    assert line_of((*at, "readinessProbe", "httpGet", "path")) == 21
    secret_refs = [
        line_of((*at, "env", i, "valueFrom", "secretKeyRef"))
        for i, var in enumerate(container["env"])
        if "valueFrom" in var
    ]
    assert secret_refs == [28]
    assert line_of((*at, "env", 1, "valueFrom", "secretKeyRef", "key")) == 30
    assert service.line_of(("spec", "ports")) == 37
    assert service.line_of(("spec", "ports", 0, "port")) == 38
    assert k8s_pod_spec(service) is None
    assert k8s_containers(service) == []


def test_line_of_falls_back_to_the_nearest_ancestor_then_the_document() -> None:
    """A path that is not in the document answers with its deepest existing ancestor."""
    deployment = _load(K8S).k8s_objects[0]
    at = ("spec", "template", "spec", "containers", 0)
    assert deployment.line_of((*at, "startupProbe", "httpGet", "path")) == 15
    assert deployment.doc.line_of(("nothing", "here")) == 2


def test_init_containers_on_request_and_cronjob_pod_specs() -> None:
    """init=True lists init containers first; a CronJob's pod spec sits under jobTemplate."""
    deployment = _load(K8S).k8s_objects[0]
    assert [(c["name"], at[-2:]) for c, at in k8s_containers(deployment, init=True)] == [
        ("migrate", ("initContainers", 0)),
        ("web", ("containers", 0)),
    ]
    cron = _load(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n"
        "  jobTemplate:\n    spec:\n      template:\n        spec:\n"
        "          containers: [{name: job, image: x}]\n"
    ).k8s_objects[0]
    ((_, at),) = k8s_containers(cron)
    assert at == ("spec", "jobTemplate", "spec", "template", "spec", "containers", 0)
    assert cron.doc.line_of(at) == 9


def test_list_items_are_objects_with_their_location() -> None:
    """`kind: List` documents contribute one object per item, located under `items`."""
    facts = _load(
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n"
        "  - not-an-object\n"
        "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n"
        "    spec:\n      containers:\n        - name: c\n          image: x\n"
    )
    objects = facts.k8s_objects
    assert [(o.kind, o.name, o.loc) for o in objects] == [
        ("ConfigMap", "a", ("items", 0)),
        ("Pod", "p", ("items", 2)),
    ]
    ((_, at),) = k8s_containers(objects[1])
    assert at == ("items", 2, "spec", "containers", 0)
    assert objects[1].doc.line_of(at) == 13
    assert objects[1].line_of(("metadata", "name")) == 10


def test_kinds_by_path_and_content() -> None:
    """Workflows, GitLab CI and compose are known by path; compose and k8s also by content."""
    service = "services:\n  web:\n    build: .\n"
    assert _load(service, "deploy/stack.yml").docs[0].kind == "compose"
    assert _load("services: [postgres]\n", "x.yml").docs[0].kind == "other"
    assert _load("a: 1\n", "docker-compose.override.yml").docs[0].kind == "compose"
    assert _load("a: 1\n", "compose.yaml").docs[0].kind == "compose"
    assert _load("a: 1\n", ".gitlab-ci.yml").docs[0].kind == "gitlab-ci"
    assert _load("a: 1\n", ".github/workflows/ci.yml").docs[0].kind == "github-workflow"
    assert _load("a: 1\n", ".github/dependabot.yml").docs[0].kind == "other"
    assert _load("- 1\n", "list.yml").docs[0].kind == "other"


def test_workflow_on_key_is_a_string_again() -> None:
    """YAML 1.1 reads `on:` as true; workflows get it back as "on", with its line."""
    facts = _load("name: ci\non:\n  push:\njobs: {}\n", ".github/workflows/ci.yml")
    (workflow,) = facts.workflows
    assert workflow.data == {"name": "ci", "on": {"push": None}, "jobs": {}}
    assert workflow.line_of(("on", "push")) == 3


def test_unknown_tags_load_as_plain_data() -> None:
    """GitLab's `!reference` and similar tags do not make the file unreadable."""
    facts = _load(
        "test:\n  script:\n    - !reference [.setup, script]\n    - make\n", ".gitlab-ci.yml"
    )
    assert facts.problems == ()
    assert facts.docs[0].data == {"test": {"script": [[".setup", "script"], "make"]}}


def test_yaml_errors_are_problems_with_lines_and_earlier_documents_survive() -> None:
    """A syntax error stops the file at that document; the documents before it are kept."""
    facts = _load("a: 1\n---\nb: [1, 2\nc: 3\n")
    assert [d.data for d in facts.docs] == [{"a": 1}]
    assert facts.problems == (
        ParseProblem("deploy/app.yaml", 4, "invalid YAML: did not find expected ',' or ']'"),
    )


def test_aliases_are_indexed_once_so_billion_laughs_stays_cheap() -> None:
    """Nested aliases cost their size, not their expansion; aliased paths use the alias' line."""
    text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in range(1, 10):
        previous = "a" if level == 1 else f"n{level - 1}"
        text += f"n{level}: &n{level} [" + ", ".join([f"*{previous}"] * 9) + "]\n"
    started = time.monotonic()
    facts = _load(text)
    assert time.monotonic() - started < 2
    assert facts.problems == ()
    lines = [facts.docs[0].line_of(path) for path in [("n9", 0, 0, 0), ("n9", 8), ("a", 8)]]
    assert lines == [10, 10, 1]


def test_alias_items_take_the_line_of_the_item_before_them() -> None:
    """A list item that is an alias is not marked where the anchor is defined."""
    doc = _load("base: &b {x: 1}\nlist:\n  - first\n  - *b\n  - last\n").docs[0]
    assert [doc.line_of(("list", i)) for i in range(3)] == [3, 3, 5]


def test_collect_loads_only_what_rules_read(tmp_path: Path) -> None:
    """YAML that is neither CI, compose nor Kubernetes is not loaded, errors and all."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    (tmp_path / "docker-compose.yml").write_text("version: '3'\n")
    (tmp_path / "stack.yml").write_text("services:\n  db:\n    image: postgres:16\n")
    (tmp_path / "k8s.yaml").write_text(K8S)
    (tmp_path / "data.yaml").write_text("rows: [1, 2\n")  # broken, and nobody's business
    (tmp_path / "runtime.yml").write_text("meraki_services:\n  to: x.services\n  apiVersions: [\n")
    facts = yamldocs.collect(tmp_path, walk(tmp_path))
    kinds = sorted({(d.path, d.kind) for d in facts.docs})
    assert kinds == [
        (".github/workflows/ci.yml", "github-workflow"),
        ("docker-compose.yml", "compose"),
        ("k8s.yaml", "k8s"),
        ("stack.yml", "compose"),
    ]
    assert facts.problems == ()


def test_collect_skips_helm_templates_and_the_pnpm_lockfile(tmp_path: Path) -> None:
    """Helm templates are not YAML and pnpm-lock.yaml is only a lockfile: neither is loaded."""
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: app\n")
    (chart / "templates" / "deploy.yaml").write_text("{{- if .Values.x }}\nkind: {{ .Values.k }}\n")
    (tmp_path / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n")
    (tmp_path / "k8s.yaml").write_text(K8S)
    (tmp_path / "bad.yml").write_bytes(b"services: \xff\n  b: 1\n")
    facts = yamldocs.collect(tmp_path, walk(tmp_path))
    assert sorted({d.path for d in facts.docs}) == ["chart/Chart.yaml", "k8s.yaml"]
    (problem,) = facts.problems
    assert (problem.path, problem.line) == ("bad.yml", 2)
    assert problem.message.startswith("invalid YAML: mapping values are not allowed")
