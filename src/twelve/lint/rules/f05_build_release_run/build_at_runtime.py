"""S0504 build-at-runtime."""

from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.rule import rule
from twelve.lint.rules.f05_build_release_run._start_commands import Argv, start_commands
from twelve.model import Severity, Verdict, fail, not_applicable

_INSTALLERS = {
    "pip": {"install"}, "pip3": {"install"}, "poetry": {"install"}, "pipenv": {"install", "sync"},
    "pdm": {"install", "sync"}, "npm": {"install", "i", "ci"}, "pnpm": {"install", "i"},
    "bun": {"install", "i"}, "yarn": {"", "install"}, "uv": {"sync"},
}  # fmt: skip
_COMPILERS = {"go": {"build", "run", "install"}, "cargo": {"build", "run", "install"}}
_BUNDLERS = {"vite": {"build"}, "next": {"build"}, "nest": {"build"}, "ng": {"build"},
             "parcel": {"build"}}  # fmt: skip
_ANY_ARGUMENTS = frozenset({"tsc", "webpack", "webpack-cli"})
_SCRIPT_RUNNERS = frozenset({"npm", "yarn", "pnpm", "bun"})


@rule(
    id="S0504",
    name="build-at-runtime",
    factor=5,
    severity=Severity.ERROR,
    summary="A process installs dependencies or compiles code when it starts",
    remediation=(
        "Move the install or build step into the image build (a Dockerfile `RUN`, a build "
        "stage or the CI build) and start the process from the built artifact."
    ),
)
def build_at_runtime(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Reads how each process starts (the final stage's `CMD` and `ENTRYPOINT` of every
    Dockerfile, in exec or shell form and inside `sh -c`; each Procfile entry but
    `release:`; the contract's process commands; Kubernetes container commands) and
    reports build steps among the commands they run:

    - dependency installs: `pip install`, `uv sync`, `poetry install`, `npm install`/`ci`,
      `yarn`, `pnpm install`, `bun install`;
    - compilation: `go build`, `go run`, `cargo build`, `cargo run`;
    - front-end builds: `npm run build` (and the yarn, pnpm and bun forms), `tsc`,
      `webpack`, `vite build`, `next build`, `nest build`.

    Dockerfiles for development (`Dockerfile.dev`, `.devcontainer/`) and compose files,
    which describe development, are not checked.

    ## Why is this bad?
    A process that builds when it starts is not running the artifact that was built and
    tested: it resolves dependencies again (possibly to other versions, or not at all when
    the registry is down), it starts slowly, so scaling out and restarting after a crash
    are slow, and every replica does the same work again. Build, release and run must be
    separate stages so that what runs is exactly what was released.

    ## Example
    ```dockerfile
    FROM node:20-slim
    COPY . .
    CMD npm ci && npm run build && node dist/server.js
    ```

    ## Use instead
    ```dockerfile
    FROM node:20-slim
    COPY . .
    RUN npm ci && npm run build
    CMD ["node", "dist/server.js"]
    ```

    ## Known problems
    Rules cannot read files, so an entrypoint script named by `CMD`/`ENTRYPOINT`
    (`./docker-entrypoint.sh`) is not looked into, and neither are package.json scripts
    (`npm start` that runs a build). `ts-node` and similar run-time transpilers are not
    reported.
    """
    commands = [
        start
        for start in start_commands(facts)
        if start.origin in ("dockerfile", "procfile", "contract", "k8s")
        and not (start.origin == "procfile" and start.process == "release")
    ]
    if not commands:
        yield not_applicable("no start command (Dockerfile, Procfile, contract or Kubernetes)")
        return
    for start in commands:
        steps = [step for argv in start.commands if (step := _build_step(argv))]
        if steps:
            shown = ", ".join(f"`{step}`" for step in dict.fromkeys(steps))
            yield fail(f"{start.label} runs {shown} when the process starts", start.location)


def _build_step(argv: Argv) -> str | None:
    """The build step a simple command is (`npm ci`, `go build`), or None."""
    head, rest = argv[0], [word for word in argv[1:] if not word.startswith("-")]
    verb = rest[0] if rest else ""
    if head in _ANY_ARGUMENTS:
        return head
    if head == "uv" and rest[:2] == ["pip", "install"]:
        return "uv pip install"
    for table in (_INSTALLERS, _COMPILERS, _BUNDLERS):
        if verb in table.get(head, ()):
            return f"{head} {verb}".strip()
    if head in _SCRIPT_RUNNERS and verb in ("run", "run-script") and len(rest) > 1:
        script = rest[1]
        if script == "build" or script.startswith("build:"):
            return f"{head} {verb} {script}"
    if head in ("yarn", "pnpm", "bun") and (verb == "build" or verb.startswith("build:")):
        return f"{head} {verb}"
    return None
