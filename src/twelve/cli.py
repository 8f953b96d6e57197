"""The `twelve` command: parse, dispatch, map the outcome to an exit code. Nothing else."""

from __future__ import annotations

import argparse
import dataclasses
import enum
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import orjson

from twelve import __version__, catalogue
from twelve.contract import Contract, ContractError, find_contract, json_schema, load_contract
from twelve.lint.baseline import Baseline, BaselineError
from twelve.model import Report, Severity
from twelve.registry import SelectionError
from twelve.report import Format, render

if TYPE_CHECKING:
    from rich.table import Table

    from twelve.probe.runner import ProbeOptions, Progress

# Each command imports what only it needs (the probe engine, rich's tables and Markdown)
# in its handler: a lint run starts without them.

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class ListFormat(enum.StrEnum):
    """Formats of `twelve rules`."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except (ContractError, SelectionError, BaselineError, UsageError) as exc:
        print(f"twelve: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("twelve: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 -- last resort: a readable error, trace only with -v
        if args.verbose:
            traceback.print_exc()
        print(f"twelve: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("twelve: run again with -v for the traceback, and please report it", file=sys.stderr)
        return EXIT_INTERNAL


class UsageError(Exception):
    """Arguments that parse but cannot be acted on (e.g. a directory that does not exist)."""


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _schema(args: argparse.Namespace) -> int:
    text = orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2).decode() + "\n"
    _write(text, args.output)
    return EXIT_CLEAN


def _rules(args: argparse.Namespace) -> int:
    checks = list(catalogue.load())
    fmt = ListFormat(args.format)
    if fmt is ListFormat.JSON:
        data = [catalogue.as_dict(check.meta) for check in checks]
        _write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n", args.output)
    elif fmt is ListFormat.MARKDOWN:
        _write(catalogue.rules_markdown(checks), args.output)
    else:
        from rich.table import Table  # noqa: PLC0415

        table = Table("ID", "Name", "Factor", "Kind", "Severity", "Lifecycle", "Summary")
        for check in checks:
            m = check.meta
            table.add_row(m.id, m.name, m.factor.roman, m.kind, m.severity, m.lifecycle, m.summary)
        _print_rich(table, args.output)
    return EXIT_CLEAN


def _explain(args: argparse.Namespace) -> int:
    registry = catalogue.load()
    try:
        meta = registry.get(args.check).meta
    except KeyError:
        raise UsageError(f"no check {args.check!r} (see `twelve rules`)") from None
    text = catalogue.explain_markdown(meta)
    if args.output is None and colour_wanted(sys.stdout):
        from rich.console import Console  # noqa: PLC0415
        from rich.markdown import Markdown  # noqa: PLC0415

        Console().print(Markdown(text))
    else:
        _write(text, args.output)
    return EXIT_CLEAN


def _lint(args: argparse.Namespace) -> int:
    from twelve.lint.engine import LintOptions, lint  # noqa: PLC0415

    root, contract = _target(args)
    baseline = Baseline.load(args.baseline) if args.baseline else None
    options = LintOptions(
        select=args.select,
        ignore=args.ignore,
        preview=args.preview,
        suppressions=not args.no_suppressions,
        baseline=baseline,
        jobs=args.jobs,
    )
    report, _ = lint(root, contract, options)
    if args.write_baseline:
        Baseline.of(report.results).write(args.write_baseline, report.results)
        print(f"twelve: wrote {args.write_baseline}", file=sys.stderr)
        return EXIT_CLEAN
    return _emit(report, args)


def _probe(args: argparse.Namespace) -> int:
    from twelve.probe.runner import probe_service  # noqa: PLC0415

    root, contract = _target(args)
    if contract is None:
        raise UsageError(f"no twelve.toml in {root}: the probe needs a contract (`twelve init`)")
    options = dataclasses.replace(_probe_options(args), select=args.select, ignore=args.ignore)
    report = _probing(args, lambda bar: probe_service(root, contract, options, progress=bar))
    return _emit(report, args)


def _check(args: argparse.Namespace) -> int:
    from twelve.check import CheckOptions, check  # noqa: PLC0415
    from twelve.lint.engine import LintOptions  # noqa: PLC0415

    root, contract = _target(args)
    lint_options = LintOptions(
        select=args.select,
        ignore=args.ignore,
        preview=args.preview,
        suppressions=not args.no_suppressions,
        baseline=Baseline.load(args.baseline) if args.baseline else None,
    )
    options = CheckOptions(lint_options, _probe_options(args), static_only=args.static_only)
    report = _probing(args, lambda bar: check(root, contract, options, progress=bar))
    return _emit(report, args)


def _probe_options(args: argparse.Namespace) -> ProbeOptions:
    """The probe settings shared by `probe` and `check` (selection is set by each)."""
    from twelve.probe.context import ProbeSettings  # noqa: PLC0415
    from twelve.probe.runner import ProbeOptions  # noqa: PLC0415

    return ProbeOptions(
        preview=args.preview,
        process=args.process,
        jobs=args.jobs,
        settings=ProbeSettings(lenient_exit=args.lenient_exit),
    )


def _probing(args: argparse.Namespace, run: Callable[[Progress | None], Report]) -> Report:
    """Run something that starts the service, with a progress bar on a terminal."""
    from twelve.probe.env import NotProbeable  # noqa: PLC0415
    from twelve.probe.progress import progress_display  # noqa: PLC0415

    with progress_display(enabled=not args.quiet and colour_wanted(sys.stderr)) as progress:
        try:
            return run(progress)
        except (NotProbeable, ValueError) as exc:
            raise UsageError(str(exc)) from None


def _docs(args: argparse.Namespace) -> int:
    # Imported here so the lint and probe commands do not pay for the generators.
    from twelve.docs import DocsError, generate  # noqa: PLC0415

    root, contract = _target(args)
    if contract is None:
        raise UsageError(f"no twelve.toml in {root}: draft one with `twelve init`")
    try:
        run = generate(root, contract, output_dir=args.output_dir, check=args.check)
    except DocsError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(run.diff if args.check else "")
    for file in run.written:
        print(f"twelve: wrote {file.path}", file=sys.stderr)
    if args.check and run.stale:
        print(f"twelve: {len(run.stale)} stale or missing; run `twelve docs`", file=sys.stderr)
        return EXIT_FINDINGS
    if not run.written:
        print("twelve: docs are current", file=sys.stderr)
    return EXIT_CLEAN


def _init(args: argparse.Namespace) -> int:
    # Imported here: init declares code patterns of its own that lint runs need not scan for.
    from twelve.contract.infer import ContractExists, init_contract  # noqa: PLC0415

    root = Path(args.directory)
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    try:
        result = init_contract(root, force=args.force)
    except ContractExists as exc:
        raise UsageError(str(exc)) from None
    processes, keys = len(result.contract.processes), len(result.contract.config)
    counts = f"{processes} process type{'s' * (processes != 1)}, {keys} key{'s' * (keys != 1)}"
    print(f"twelve: wrote {result.path} ({counts}, {result.guesses} to confirm)", file=sys.stderr)
    return EXIT_CLEAN


def _new(args: argparse.Namespace) -> int:
    # Imported here: only `new` reads the templates and pins the lock.
    from twelve.scaffold import ScaffoldError, create_service  # noqa: PLC0415

    try:
        created = create_service(args.name, args.dir, worker=args.worker, force=args.force)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    print(f"twelve: wrote {created.root} ({len(created.files)} files)", file=sys.stderr)
    print(f"twelve: next, in {created.root}: see README.md, then `twelve check`", file=sys.stderr)
    return EXIT_CLEAN


def _render(args: argparse.Namespace) -> int:
    # Imported here: only `render` needs the manifest builders.
    from twelve.render import K8sOptions, RenderError, render_k8s, stream, write  # noqa: PLC0415

    root, contract = _target(args)
    if contract is None:
        raise UsageError(f"no twelve.toml in {root}: draft one with `twelve init`")
    try:
        options = K8sOptions(
            image=args.image,
            release=args.release,
            namespace=args.namespace,
            replicas=args.replicas,
            hpa_max=args.hpa,
        )
        resources = render_k8s(contract, options)
        result = None if args.output is None else write(resources, args.output)
    except RenderError as exc:
        raise UsageError(str(exc)) from None
    if result is None:
        sys.stdout.write(stream(resources))
    else:
        for path in result.written:
            print(f"twelve: wrote {path}", file=sys.stderr)
        for path in result.removed:
            print(f"twelve: removed {path}: its object is no longer rendered", file=sys.stderr)
    if args.image is None:
        placeholder = options.image_for(contract.service.name)
        print(f"twelve: no --image: replace {placeholder} when deploying", file=sys.stderr)
    return EXIT_CLEAN


def _render_options() -> argparse.ArgumentParser:
    """The options of `twelve render k8s`."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("target", choices=["k8s"], help="k8s: Kubernetes manifests")
    options.add_argument("directory", nargs="?", default=".", help="the service root")
    options.add_argument("--contract", type=Path, help="the contract (default: DIR/twelve.toml)")
    options.add_argument(
        "-o", "--output", type=Path, metavar="PATH", help="a directory, or a .yaml file"
    )
    options.add_argument("--image", help="default: registry.invalid/NAME:unset, to be set")
    options.add_argument("--release", metavar="ID", help="release identity (default: image tag)")
    options.add_argument("--namespace", help="metadata.namespace of every object")
    options.add_argument("--replicas", type=int, metavar="N", help="default: 2 web, 1 worker")
    options.add_argument("--hpa", type=int, metavar="MAX", help="an HPA per web process, up to MAX")
    options.add_argument("-v", "--verbose", action="store_true", help="more detail")
    return options


def _target(args: argparse.Namespace) -> tuple[Path, Contract | None]:
    root = Path(args.directory)
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory")
    path = find_contract(root, args.contract)
    return root, (load_contract(path) if path else None)


def _emit(report: Report, args: argparse.Namespace) -> int:
    """Render the report where asked and turn it into the exit code `--fail-on` implies."""
    fmt = Format(args.format)
    colour = args.output is None and fmt is Format.TEXT and colour_wanted(sys.stdout)
    if args.quiet:  # findings and the summary only: run notes (skip counts, ...) go
        report = dataclasses.replace(report, notes=())
    _write(render(report, fmt, color=colour, verbose=args.verbose), args.output)
    if args.fail_on == "never":
        return EXIT_CLEAN
    threshold = Severity(args.fail_on)
    return EXIT_FINDINGS if any(report.findings(at_least=threshold)) else EXIT_CLEAN


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _print_rich(renderable: Table, output: Path | None) -> None:
    from rich.console import Console  # noqa: PLC0415

    if output is None:
        Console(no_color=not colour_wanted(sys.stdout), soft_wrap=False).print(renderable)
        return
    with output.open("w", encoding="utf-8") as stream:
        Console(file=stream, no_color=True, width=160).print(renderable)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twelve",
        description="Make the Twelve-Factor playbook enforceable: contract, lint, probe, docs.",
    )
    parser.add_argument("--version", action="version", version=f"twelve {__version__}")
    parser.set_defaults(verbose=False)
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")
    output.add_argument("-v", "--verbose", action="store_true", help="more detail")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    schema = sub.add_parser("schema", parents=[output], help="print the JSON Schema of twelve.toml")
    schema.set_defaults(handler=_schema)

    rules = sub.add_parser("rules", parents=[output], help="list every rule and probe")
    rules.add_argument("--format", choices=[f.value for f in ListFormat], default="text")
    rules.set_defaults(handler=_rules)

    explain = sub.add_parser("explain", parents=[output], help="print one check's documentation")
    explain.add_argument("check", metavar="ID|NAME")
    explain.set_defaults(handler=_explain)

    run = _run_options(output)
    lint_cmd = sub.add_parser("lint", parents=[run], help="run the static rules")
    lint_cmd.add_argument("--baseline", type=Path, help="accept the findings in FILE")
    lint_cmd.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="write today's findings to FILE and exit 0",
    )
    lint_cmd.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    lint_cmd.set_defaults(handler=_lint)

    probing = argparse.ArgumentParser(add_help=False)
    probing.add_argument("--process", help="probe only this process type")
    probing.add_argument(
        "--jobs", type=int, help="probes at once (default: all; starts run one per core)"
    )
    probing.add_argument(
        "--lenient-exit",
        action="store_true",
        help="accept exit code 143 (SIGTERM's default action) as graceful",
    )
    probe_cmd = sub.add_parser(
        "probe", parents=[run, probing], help="start the service and probe it"
    )
    probe_cmd.set_defaults(handler=_probe)

    check_cmd = sub.add_parser(
        "check",
        parents=[run, probing],
        help="docs drift + lint + probe: the Done checklist and scores",
    )
    check_cmd.add_argument("--static-only", action="store_true", help="skip the probe")
    check_cmd.add_argument("--baseline", type=Path, help="accept the lint findings in FILE")
    check_cmd.set_defaults(handler=_check)

    docs_cmd = sub.add_parser(
        "docs", parents=[output], help="write the operational documents and .env.example"
    )
    docs_cmd.add_argument("directory", nargs="?", default=".", help="the service root")
    docs_cmd.add_argument("--contract", type=Path, help="the contract (default: DIR/twelve.toml)")
    docs_cmd.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    docs_cmd.add_argument("--output-dir", type=Path, help="instead of the contract's [docs] dir")
    docs_cmd.set_defaults(handler=_docs)

    init_cmd = sub.add_parser("init", parents=[output], help="draft twelve.toml from the repo")
    init_cmd.add_argument("directory", nargs="?", default=".", help="the service root")
    init_cmd.add_argument("--force", action="store_true", help="overwrite an existing twelve.toml")
    init_cmd.set_defaults(handler=_init)

    new_cmd = sub.add_parser("new", help="scaffold a Python service on twelve.kit")
    new_cmd.add_argument("name", help="the service name, kebab-case (e.g. order-api)")
    new_cmd.add_argument("--dir", type=Path, help="where to write it (default: ./NAME)")
    new_cmd.add_argument(
        "--worker",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="include a worker process (default: yes)",
    )
    new_cmd.add_argument(
        "--force", action="store_true", help="write into a non-empty directory anyway"
    )
    new_cmd.set_defaults(handler=_new)

    render_cmd = sub.add_parser(
        "render", parents=[_render_options()], help="render deployment manifests from the contract"
    )
    render_cmd.set_defaults(handler=_render)
    return parser


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _run_options(output: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Options shared by the commands that produce a report."""
    run = argparse.ArgumentParser(add_help=False, parents=[output])
    run.add_argument("directory", nargs="?", default=".", help="the service root (default: .)")
    run.add_argument("--contract", type=Path, help="the contract (default: DIR/twelve.toml)")
    run.add_argument("--format", choices=[f.value for f in Format], default="text")
    run.add_argument(
        "--select",
        type=_csv,
        action="extend",
        default=[],
        help="IDs, names, ID prefixes or factor numbers to run",
    )
    run.add_argument(
        "--ignore",
        type=_csv,
        action="extend",
        default=[],
        help="IDs, names, ID prefixes or factor numbers to leave out",
    )
    run.add_argument("--preview", action="store_true", help="include preview checks")
    run.add_argument(
        "--fail-on",
        choices=["error", "warning", "info", "never"],
        default="warning",
        help="lowest severity that makes the exit code 1 (default: warning)",
    )
    run.add_argument(
        "--no-suppressions",
        action="store_true",
        help="ignore inline, per-path and baseline suppressions",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="no run notes, no progress bar")
    return run
