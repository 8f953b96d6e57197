"""`twelve render k8s` on the command line: stdout, a directory, a file, exit codes 0 and 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.render.conftest import KIT_APP, WEB_ONLY
from twelve.cli import main
from twelve.contract import load_contract
from twelve.render import K8sOptions, render_k8s, stream
from twelve.render.output import HEADER

KIT_FILES = [
    "configmap.yaml",
    "job-migrate.yaml",
    "deployment-web.yaml",
    "service-web.yaml",
    "deployment-worker.yaml",
]
PLACEHOLDER_NOTE = "twelve: no --image: replace registry.invalid/kit-app:unset when deploying\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stdout_is_one_stream_of_every_object(capsys: pytest.CaptureFixture[str]) -> None:
    """Without -o the manifests go to stdout; the placeholder image is pointed out on stderr."""
    code, out, err = run(capsys, "render", "k8s", str(KIT_APP))
    assert (code, err) == (0, PLACEHOLDER_NOTE)
    assert out == stream(render_k8s(load_contract(KIT_APP / "twelve.toml"), K8sOptions()))


def test_options_reach_the_manifests(capsys: pytest.CaptureFixture[str]) -> None:
    """--image, --release, --namespace, --replicas and --hpa each show up where they belong."""
    code, out, err = run(
        capsys,
        "render",
        "k8s",
        str(WEB_ONLY),
        "--image=ghcr.io/acme/quotes:4f5e6d",
        "--release=r42",
        "--namespace=quotes",
        "--replicas=3",
        "--hpa=12",
    )
    assert (code, err) == (0, "")
    objects = {doc["kind"]: doc for doc in yaml.safe_load_all(out)}
    assert {doc["metadata"]["namespace"] for doc in yaml.safe_load_all(out)} == {"quotes"}
    deployment = objects["Deployment"]
    assert deployment["metadata"]["labels"]["app.kubernetes.io/version"] == "r42"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "ghcr.io/acme/quotes:4f5e6d"
    )
    hpa = objects["HorizontalPodAutoscaler"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 12)


def test_a_directory_gets_a_file_per_object_and_loses_stale_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """-o DIR writes one file per object; a file an earlier render wrote for an object that
    is gone is removed; a hand-written file is kept."""
    service = tmp_path / "svc"
    service.mkdir()
    shutil.copy(KIT_APP / "twelve.toml", service / "twelve.toml")
    out_dir = service / "deploy" / "k8s"
    code, out, err = run(capsys, "render", "k8s", str(service), "-o", str(out_dir), "--hpa", "5")
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        *(f"twelve: wrote {out_dir / name}" for name in [*KIT_FILES[:4], "hpa-web.yaml"]),
        f"twelve: wrote {out_dir / 'deployment-worker.yaml'}",
        PLACEHOLDER_NOTE.rstrip("\n"),
    ]
    assert (out_dir / "configmap.yaml").read_text().startswith(HEADER + "\n")
    (out_dir / "ingress.yaml").write_text("# hand-written\n")

    code, out, err = run(capsys, "render", "k8s", str(service), "-o", str(out_dir))
    assert (code, out) == (0, "")
    assert err.splitlines()[-2:] == [
        f"twelve: removed {out_dir / 'hpa-web.yaml'}: its object is no longer rendered",
        PLACEHOLDER_NOTE.rstrip("\n"),
    ]
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([*KIT_FILES, "ingress.yaml"])


def test_a_yaml_path_gets_every_object_in_one_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """-o FILE.yaml writes the whole stream there, creating the directory."""
    target = tmp_path / "out" / "all.yaml"
    code, out, err = run(capsys, "render", "k8s", str(KIT_APP), "-o", str(target), "--image=x:1")
    assert (code, out, err) == (0, "", f"twelve: wrote {target}\n")
    kinds = [doc["kind"] for doc in yaml.safe_load_all(target.read_text())]
    assert kinds == ["ConfigMap", "Job", "Deployment", "Service", "Deployment"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--hpa", "1"], "twelve: --hpa 1 is below the minimum of 2 replicas\n"),
        (["--namespace", "Prod_1"], "twelve: namespace 'Prod_1' is not a DNS label\n"),
    ],
)
def test_bad_options_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """An option that cannot be rendered is a usage error, stated on stderr."""
    assert run(capsys, "render", "k8s", str(KIT_APP), *argv) == (2, "", message)


def test_without_a_contract_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """No twelve.toml: nothing to render, and `twelve init` is suggested."""
    code, out, err = run(capsys, "render", "k8s", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"twelve: no twelve.toml in {tmp_path}: draft one with `twelve init`\n"


def test_an_unknown_target_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """Only k8s can be rendered; argparse says so and exits 2."""
    with pytest.raises(SystemExit) as exited:
        main(["render", "helm", str(KIT_APP)])
    assert exited.value.code == 2
    assert "invalid choice: 'helm'" in capsys.readouterr().err
