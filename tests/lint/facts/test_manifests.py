"""Tests for twelve.lint.facts.manifests and python_manifests: dependencies, pins, lockfiles."""

from __future__ import annotations

from pathlib import Path

from twelve.lint.facts import manifests
from twelve.lint.facts.files import walk
from twelve.lint.facts.manifests import Dependency, Lockfile, Manifest, Manifests
from twelve.lint.facts.parse import ParseProblem


def _repo(root: Path, files: dict[str, str], *, max_bytes: int = 1_000_000) -> Manifests:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return manifests.collect(root, walk(root, max_bytes=max_bytes))


def _manifest(facts: Manifests, path: str) -> Manifest:
    (found,) = [m for m in facts.manifests if m.path == path]
    return found


def test_requirements_follow_includes_and_constraints(tmp_path: Path) -> None:
    """`-r` files become manifests too; `-c` pins make names pinned; options are not deps."""
    facts = _repo(
        tmp_path,
        {
            "requirements.txt": (
                "# app\n-r reqs/base.txt\n--constraint constraints.txt\n"
                "--index-url https://pypi.example/simple\n"
                "gunicorn  # pinned by the constraints\n"
                'Django[argon2]~=5.0 ; python_version > "3.10"\n'
                "pkg @ https://example.com/pkg-1.0.whl#sha256=abc\n"
                "-e .\n./vendored/lib\n"
                "git+https://github.com/o/tool@main#egg=tool\n"
            ),
            "reqs/base.txt": "flask==3.0.0\nrequests>=2\nattrs===23.1.0\n",
            "constraints.txt": "gunicorn==22.0.0\nrequests\n",
            "requirements-dev.txt": "-r requirements.txt\n-r missing.txt\npytest\n",
        },
    )
    assert _manifest(facts, "requirements.txt") == Manifest(
        "requirements.txt",
        "python",
        "requirements",
        (
            Dependency("gunicorn", "", 5, True, False),
            Dependency("Django", "~=5.0", 6, False, False),
            Dependency("pkg", "@ https://example.com/pkg-1.0.whl#sha256=abc", 7, True, False),
            Dependency("tool", "git+https://github.com/o/tool@main#egg=tool", 10, False, False),
        ),
        False,
        ("reqs/base.txt", "constraints.txt"),
    )
    assert _manifest(facts, "reqs/base.txt").dependencies == (
        Dependency("flask", "==3.0.0", 1, True, False),
        Dependency("requests", ">=2", 2, False, False),
        Dependency("attrs", "===23.1.0", 3, True, False),
    )
    dev = _manifest(facts, "requirements-dev.txt")
    assert dev.dependencies == (Dependency("pytest", "", 3, False, True),)
    assert dev.includes == ("requirements.txt", "missing.txt")
    assert [m.path for m in facts.manifests] == [
        "reqs/base.txt",
        "requirements-dev.txt",
        "requirements.txt",
    ]
    assert facts.problems == (ParseProblem("missing.txt", None, "not found"),)


def test_hashed_requirements_are_pinned_and_count_as_a_lockfile(tmp_path: Path) -> None:
    """A requirement continued onto `--hash` lines is reported on its first line, pinned."""
    facts = _repo(
        tmp_path,
        {
            "requirements.txt": (
                "uvicorn==0.30.0 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\n"
                "click>=8 --hash=sha256:ccc\n"
            )
        },
    )
    assert _manifest(facts, "requirements.txt").dependencies == (
        Dependency("uvicorn", "==0.30.0", 1, True, False),
        Dependency("click", ">=8", 4, True, False),
    )
    assert facts.lockfiles == (Lockfile("requirements.txt", "python"),)


PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "lib"
dependencies = [
  "httpx>=0.27",
  "orjson==3.10.0",
]

[project.optional-dependencies]
test = ["pytest==8.0.0"]
postgres = ["psycopg[binary]>=3"]

[dependency-groups]
lint = ["ruff"]

[tool.poetry.dependencies]
python = "^3.11"
rich = "13.7.1"
structlog = { version = "^24.1" }
"""


def test_pyproject_dependencies_lines_and_library(tmp_path: Path) -> None:
    """PEP 621, PEP 735 and Poetry dependencies keep their lines; a package is a library."""
    facts = _repo(tmp_path, {"pyproject.toml": PYPROJECT})
    manifest = _manifest(facts, "pyproject.toml")
    assert (manifest.ecosystem, manifest.kind, manifest.is_library) == ("python", "pyproject", True)
    assert manifest.dependencies == (
        Dependency("httpx", ">=0.27", 8, False, False),
        Dependency("orjson", "==3.10.0", 9, True, False),
        Dependency("pytest", "==8.0.0", 13, True, True),
        Dependency("psycopg", ">=3", 14, False, False),
        Dependency("ruff", "", 17, False, True),
        Dependency("rich", "13.7.1", 21, True, False),
        Dependency("structlog", "^24.1", 22, False, False),
    )


def test_deploy_markers_and_packaging_opt_outs_make_an_application(tmp_path: Path) -> None:
    """A Procfile beside the manifest, or `tool.uv.package = false`, means not a library."""
    facts = _repo(tmp_path, {"pyproject.toml": PYPROJECT, "Procfile": "web: x\n"})
    assert _manifest(facts, "pyproject.toml").is_library is False
    opted_out = PYPROJECT + "\n[tool.uv]\npackage = false\n"
    facts = _repo(tmp_path / "b", {"pyproject.toml": opted_out})
    assert _manifest(facts, "pyproject.toml").is_library is False
    facts = _repo(tmp_path / "c", {"pyproject.toml": "[project]\nname = 'app'\n"})
    assert _manifest(facts, "pyproject.toml").is_library is False


PACKAGE_JSON = """\
{
  "name": "web",
  "main": "index.js",
  "dependencies": {
    "express": "^4.19.2",
    "lodash": "~4.17.21",
    "left-pad": ">=1.0.0",
    "any": "*",
    "xish": "1.2.x",
    "tagged": "latest",
    "exact": "1.2.3",
    "equals": "=1.2.3",
    "short": "1.2",
    "local": "file:../local",
    "mono": "workspace:*",
    "git": "git+https://github.com/o/r.git#0123456789abcdef0123456789abcdef01234567",
    "branch": "github:o/r#main",
    "alias": "npm:react@18.2.0"
  },
  "devDependencies": {"jest": "29.7.0"},
  "peerDependencies": {"react": ">=18"}
}
"""


def test_package_json_ranges_are_not_pinned(tmp_path: Path) -> None:
    """Only exact versions, local references and git commits are pinned; each keeps its line."""
    facts = _repo(tmp_path, {"package.json": PACKAGE_JSON})
    manifest = _manifest(facts, "package.json")
    assert [(d.name, d.line, d.pinned, d.dev) for d in manifest.dependencies] == [
        ("express", 5, False, False),
        ("lodash", 6, False, False),
        ("left-pad", 7, False, False),
        ("any", 8, False, False),
        ("xish", 9, False, False),
        ("tagged", 10, False, False),
        ("exact", 11, True, False),
        ("equals", 12, True, False),
        ("short", 13, False, False),
        ("local", 14, True, False),
        ("mono", 15, True, False),
        ("git", 16, True, False),
        ("branch", 17, False, False),
        ("alias", 18, True, False),
        ("jest", 20, True, True),
    ]
    assert manifest.is_library is True
    private = PACKAGE_JSON.replace('"main": "index.js"', '"main": "index.js", "private": true')
    facts = _repo(tmp_path / "app", {"package.json": private})
    assert _manifest(facts, "package.json").is_library is False


def test_go_mod_requires_are_pinned_and_main_packages_are_applications(tmp_path: Path) -> None:
    """Single and block `require`s are dependencies (indirect too); `replace` blocks are not."""
    facts = _repo(
        tmp_path,
        {
            "go.mod": (
                "module example.com/svc\n\ngo 1.22\n\nrequire github.com/a/b v1.2.3\n\n"
                "require (\n\tgithub.com/c/d v0.1.0 // indirect\n\tgolang.org/x/e v0.2.0\n)\n\n"
                "replace (\n\tgithub.com/a/b v1.2.3 => ../b\n)\n"
            ),
            "cmd/svc/main.go": "package main\n",
        },
    )
    manifest = _manifest(facts, "go.mod")
    assert manifest.dependencies == (
        Dependency("github.com/a/b", "v1.2.3", 5, True, False),
        Dependency("github.com/c/d", "v0.1.0", 8, True, False),
        Dependency("golang.org/x/e", "v0.2.0", 9, True, False),
    )
    assert manifest.is_library is False
    facts = _repo(
        tmp_path / "lib", {"go.mod": "module example.com/lib\n", "lib.go": "package lib\n"}
    )
    assert _manifest(facts, "go.mod").is_library is True


def test_cargo_toml_pins_need_an_equals_sign(tmp_path: Path) -> None:
    """Cargo reads `1.2.3` as a caret range; `=1.2.3`, paths and git revs are exact."""
    facts = _repo(
        tmp_path,
        {
            "Cargo.toml": (
                '[package]\nname = "svc"\n\n[dependencies]\nserde = "1.0"\ntokio = "=1.38.0"\n'
                'axum = { version = "=0.7.5", features = ["json"] }\n'
                'local = { path = "../local" }\n'
                'g = { git = "https://x/g", rev = "abc123" }\n'
                'b = { git = "https://x/b", branch = "main" }\n'
                'w = { workspace = true }\n\n[dev-dependencies]\ninsta = "1.39.0"\n\n'
                "[target.'cfg(unix)'.dependencies]\nnix = \"=0.29.0\"\n"
            ),
            "src/main.rs": "fn main() {}\n",
        },
    )
    manifest = _manifest(facts, "Cargo.toml")
    assert manifest.dependencies == (
        Dependency("serde", "1.0", 5, False, False),
        Dependency("tokio", "=1.38.0", 6, True, False),
        Dependency("axum", "=0.7.5", 7, True, False),
        Dependency("local", "path:../local", 8, True, False),
        Dependency("g", "https://x/g", 9, True, False),
        Dependency("b", "https://x/b", 10, False, False),
        Dependency("w", "workspace", 11, False, False),
        Dependency("insta", "1.39.0", 14, False, True),
        Dependency("nix", "=0.29.0", 17, True, False),
    )
    assert manifest.is_library is False
    facts = _repo(tmp_path / "lib", {"Cargo.toml": '[package]\nname = "l"\n', "src/lib.rs": ""})
    assert _manifest(facts, "Cargo.toml").is_library is True


def test_pipfile_and_setup_cfg(tmp_path: Path) -> None:
    """Pipfile packages and setup.cfg install_requires/extras keep lines, dev flags and pins."""
    facts = _repo(
        tmp_path,
        {
            "Pipfile": (
                '[packages]\nflask = "==3.0.0"\nrequests = "*"\n'
                f'gitdep = {{git = "https://x/y.git", ref = "{"0123456789" * 4}"}}\n\n'
                '[dev-packages]\npytest = {version = ">=8"}\n'
            ),
            "setup.cfg": (
                "[metadata]\nname = lib\n\n[options]\ninstall_requires =\n"
                "    click==8.1.7\n    rich>=13\n\n[options.extras_require]\ntest =\n    pytest\n"
            ),
        },
    )
    assert _manifest(facts, "Pipfile").dependencies == (
        Dependency("flask", "==3.0.0", 2, True, False),
        Dependency("requests", "*", 3, False, False),
        Dependency("gitdep", "https://x/y.git", 4, True, False),
        Dependency("pytest", ">=8", 7, False, True),
    )
    setup = _manifest(facts, "setup.cfg")
    assert setup.dependencies == (
        Dependency("click", "==8.1.7", 6, True, False),
        Dependency("rich", ">=13", 7, False, False),
        Dependency("pytest", "", 11, False, True),
    )
    assert setup.is_library is True


def test_lockfiles_are_found_even_when_too_large_to_read(tmp_path: Path) -> None:
    """Lockfiles count by presence: over the size cap still counts; test fixtures do not."""
    facts = _repo(
        tmp_path,
        {
            "poetry.lock": "x" * 100,
            "web/package-lock.json": "x" * 100,
            "web/package.json": "{}",
            "go.sum": "",
            "Cargo.lock": "",
            "pnpm-lock.yaml": "",
            "bun.lockb": "",
            "tests/fixtures/app/yarn.lock": "",
        },
        max_bytes=50,
    )
    assert facts.lockfiles == (
        Lockfile("Cargo.lock", "rust"),
        Lockfile("bun.lockb", "node"),
        Lockfile("go.sum", "go"),
        Lockfile("pnpm-lock.yaml", "node"),
        Lockfile("poetry.lock", "python"),
        Lockfile("web/package-lock.json", "node"),
    )
    assert facts.of("node")[1] == [
        Lockfile("bun.lockb", "node"),
        Lockfile("pnpm-lock.yaml", "node"),
        Lockfile("web/package-lock.json", "node"),
    ]


def test_malformed_manifests_are_problems_and_the_rest_is_collected(tmp_path: Path) -> None:
    """Bad JSON and TOML give problems with their lines; odd shapes are problems too."""
    facts = _repo(
        tmp_path,
        {
            "package.json": '{\n  "dependencies": {\n    "a": "1.0.0",\n  }\n}\n',
            "pyproject.toml": "[project]\nname = \n",
            "svc/pyproject.toml": 'project = "not a table"\n',
            "svc/package.json": "[]",
            "requirements.txt": "ok==1.0\n",
        },
    )
    assert [m.path for m in facts.manifests] == ["requirements.txt"]
    assert [(p.path, p.line) for p in facts.problems] == [
        ("package.json", 4),
        ("pyproject.toml", 2),
        ("svc/package.json", None),
        ("svc/pyproject.toml", None),
    ]
    assert (
        facts.problems[0].message
        == "invalid JSON: Expecting property name enclosed in double quotes"
    )
    assert facts.problems[2].message.startswith("unexpected structure: ")
