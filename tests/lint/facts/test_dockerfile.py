"""Tests for twelve.lint.facts.dockerfile: instructions, forms, lines and stages."""

from __future__ import annotations

from pathlib import Path

from twelve.lint.facts import dockerfile
from twelve.lint.facts.dockerfile import Dockerfile, Stage, is_dockerfile, split_image
from twelve.lint.facts.files import walk
from twelve.lint.facts.parse import ParseProblem

MULTI_STAGE = """\
# syntax=docker/dockerfile:1
ARG PY=3.12
ARG BASE=python:${PY}-slim
FROM --platform=$BUILDPLATFORM ${BASE} AS Build
ENV PIP_NO_CACHE_DIR=1 \\
    APP_HOME=/app
RUN pip install \\
      --requirement requirements.txt && \\
    pip check
FROM build AS test
RUN ["pytest", "-q"]
FROM scratch AS empty
FROM gcr.io/distroless/python3-debian12@sha256:abc123 AS final
ENV PORT 8080
LABEL org.opencontainers.image.source="https://example.com/repo" version=1
EXPOSE 8080
ENTRYPOINT ["python", "-m", "app"]
CMD python -m app --port $PORT
"""


def _parse(text: str) -> tuple[Dockerfile, list[ParseProblem]]:
    return dockerfile.parse(text, "Dockerfile")


def test_stages_resolve_arg_defaults_aliases_scratch_and_digests() -> None:
    """FROM lines give one stage each: ARG defaults substituted, aliases lowered, refs resolved."""
    parsed, problems = _parse(MULTI_STAGE)
    assert problems == []
    assert parsed.stages == (
        Stage(0, "python", "3.12-slim", None, "build", 4, "${BASE}", "$BUILDPLATFORM", None),
        Stage(1, "build", None, None, "test", 10, "build", None, 0),
        Stage(2, "scratch", None, None, "empty", 12, "scratch", None, None),
        Stage(
            3,
            "gcr.io/distroless/python3-debian12",
            None,
            "sha256:abc123",
            "final",
            13,
            "gcr.io/distroless/python3-debian12@sha256:abc123",
        ),
    )
    assert [s.external for s in parsed.stages] == [True, False, False, True]
    assert parsed.final_stage == parsed.stages[3]


def test_continuations_give_first_and_last_line_and_a_joined_value() -> None:
    """An instruction continued with backslashes spans line..end_line, its value joined."""
    parsed, _ = _parse(MULTI_STAGE)
    run = parsed.of("run")[0]
    assert (run.line, run.end_line, run.stage) == (7, 9, 0)
    assert run.value == "pip install       --requirement requirements.txt &&     pip check"
    env = parsed.of("ENV")[0]
    assert (env.line, env.end_line) == (5, 6)
    assert env.pairs == (("PIP_NO_CACHE_DIR", "1"), ("APP_HOME", "/app"))


def test_exec_and_shell_forms() -> None:
    """JSON arrays are exec form with their argv; anything else is shell form with no argv."""
    parsed, _ = _parse(MULTI_STAGE)
    forms = [
        (i.instruction, i.line, i.exec_form, i.args) for i in parsed.of("RUN", "CMD", "ENTRYPOINT")
    ]
    assert forms == [
        ("RUN", 7, False, ()),
        ("RUN", 11, True, ("pytest", "-q")),
        ("ENTRYPOINT", 17, True, ("python", "-m", "app")),
        ("CMD", 18, False, ()),
    ]
    assert parsed.of("EXPOSE")[0].exec_form is None


def test_run_flags_and_broken_json_are_classified_as_docker_does() -> None:
    """`RUN --mount=... [..]` is exec form; `CMD [oops` is shell form (docker falls back too)."""
    parsed, problems = _parse(
        'FROM alpine\nRUN --mount=type=cache,target=/root ["apk", "add", "curl"]\nCMD [oops\n'
        'SHELL ["/bin/ash", "-eo", "pipefail", "-c"]\n'
    )
    assert problems == []
    assert [(i.exec_form, i.args) for i in parsed.instructions[1:]] == [
        (True, ("apk", "add", "curl")),
        (False, ()),
        (True, ("/bin/ash", "-eo", "pipefail", "-c")),
    ]


def test_env_args_and_labels_carry_values_and_lines() -> None:
    """env()/args()/labels() map names to (raw value, line); `stage` follows FROM <stage>."""
    parsed, _ = _parse(MULTI_STAGE)
    assert parsed.env() == {
        "PIP_NO_CACHE_DIR": ("1", 5),
        "APP_HOME": ("/app", 5),
        "PORT": ("8080", 14),
    }
    assert parsed.env(stage=1) == {"PIP_NO_CACHE_DIR": ("1", 5), "APP_HOME": ("/app", 5)}
    assert parsed.env(stage=3) == {"PORT": ("8080", 14)}
    assert parsed.env(stage=9) == {}
    assert parsed.args() == {"PY": ("3.12", 2), "BASE": ("python:${PY}-slim", 3)}
    assert parsed.labels(stage=3) == {
        "org.opencontainers.image.source": ("https://example.com/repo", 15),
        "version": ("1", 15),
    }


def test_arg_without_default_stays_unresolved_in_from() -> None:
    """An ARG with no default cannot be resolved: the image keeps the variable as written."""
    parsed, _ = _parse(
        "ARG TAG\nARG REG=ghcr.io A=1\nFROM ${REG}/org/app:${TAG:-dev}\nFROM app:$TAG\n"
    )
    assert [(s.base_image, s.tag) for s in parsed.stages] == [
        ("ghcr.io/org/app", "dev"),
        ("app", "$TAG"),
    ]
    assert parsed.args() == {"TAG": ("", 1), "REG": ("ghcr.io", 2), "A": ("1", 2)}
    assert parsed.instructions[0].stage == -1


def test_heredoc_bodies_belong_to_their_instruction() -> None:
    """`RUN <<EOF` swallows lines up to EOF; they are not read as instructions."""
    parsed, problems = _parse(
        "FROM debian\nRUN <<EOF\napt-get update\nEXPOSE 1\nEOF\n"
        "COPY <<-CONF /etc/x\n\tkey=1\n\tCONF\nUSER app\n"
    )
    assert problems == []
    assert [(i.instruction, i.line, i.end_line) for i in parsed.instructions] == [
        ("FROM", 1, 1),
        ("RUN", 2, 5),
        ("COPY", 6, 8),
        ("USER", 9, 9),
    ]
    assert parsed.of("RUN")[0].value == "<<EOF\napt-get update\nEXPOSE 1\nEOF"


def test_malformed_lines_become_problems_and_parsing_continues() -> None:
    """Unknown instructions, bad ENV and a missing FROM are problems with lines, not crashes."""
    parsed, problems = _parse("RUN echo hi\nENVV A=1\nENV A=1 B\nUSER app\n")
    assert problems == [
        ParseProblem("Dockerfile", 2, "unknown instruction ENVV"),
        ParseProblem("Dockerfile", 3, "malformed ENV: expected key=value"),
        ParseProblem("Dockerfile", 1, "no FROM instruction"),
    ]
    assert [i.instruction for i in parsed.instructions] == ["RUN", "ENV", "USER"]
    _, problems = _parse("FROM a b c\n")
    assert problems == [ParseProblem("Dockerfile", 1, "malformed FROM")]


def test_split_image_keeps_registry_ports() -> None:
    """The tag is after the last colon of the last path segment; a digest after `@`."""
    assert split_image("localhost:5000/app") == ("localhost:5000/app", None, None)
    assert split_image("localhost:5000/app:1.2@sha256:ff") == (
        "localhost:5000/app",
        "1.2",
        "sha256:ff",
    )
    assert split_image("python") == ("python", None, None)


def test_names_that_are_dockerfiles() -> None:
    """Dockerfile, Containerfile, *.Dockerfile and Dockerfile.*, but not their .dockerignore."""
    names = [
        "Dockerfile",
        "Containerfile",
        "ops/api.Dockerfile",
        "Dockerfile.dev",
        "a/Containerfile.ci",
    ]
    assert all(is_dockerfile(name) for name in names)
    others = ["Dockerfile.dockerignore", "dockerfile.md", "NotADockerfile", "docs/Dockerfiles.md"]
    assert not any(is_dockerfile(name) for name in others)


def test_collect_reads_every_dockerfile_and_replaces_bad_bytes(tmp_path: Path) -> None:
    """collect() parses each Dockerfile of the tree once; undecodable bytes don't stop it."""
    (tmp_path / "svc").mkdir()
    (tmp_path / "Dockerfile").write_bytes(b'FROM python:3.12\nLABEL note="caf\xe9"\n')
    (tmp_path / "svc" / "worker.Dockerfile").write_text("FROM node:20\nBOGUS x\n")
    (tmp_path / "README.md").write_text("FROM nothing\n")
    facts = dockerfile.collect(tmp_path, walk(tmp_path))
    assert [d.path for d in facts.dockerfiles] == ["Dockerfile", "svc/worker.Dockerfile"]
    assert facts.dockerfiles[0].labels() == {"note": ("caf\ufffd", 2)}
    assert facts.problems == (
        ParseProblem("svc/worker.Dockerfile", 2, "unknown instruction BOGUS"),
    )
