"""The plain reader agrees with the pydantic model: same tables, same results, same errors.

The model is the source of truth; the plain reader must never accept what the model rejects,
and must give exactly the model's `model_dump()` for what it accepts. It may decline a valid
document (one pydantic would coerce), which then goes to the model.
"""

from __future__ import annotations

import copy
import datetime
import math
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from twelve.contract import ContractError, load_contract, parse_contract
from twelve.contract import model as models
from twelve.contract.plain import (
    REQUIRED,
    TABLES,
    Table,
    load_plain,
    parse_plain,
    plain_document,
    plain_from_model,
)
from twelve.contract.validity import cross_problems

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = sorted(
    [
        *ROOT.glob("tests/**/twelve.toml"),
        *ROOT.glob("examples/**/twelve.toml"),
        ROOT / "tests" / "contract" / "design_example.toml",
    ]
)


def _model_default(field: Any) -> object:
    if field.is_required():
        return REQUIRED
    default = field.get_default(call_default_factory=True)
    return default.model_dump() if isinstance(default, BaseModel) else default


def _plain_default(field: Any) -> object:
    return REQUIRED if field.default is REQUIRED else field.missing()


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_has_the_models_keys_in_order_with_its_defaults(name: str) -> None:
    """Each plain table lists the model class's fields, in order, with equal defaults."""
    model: type[BaseModel] = getattr(models, name)
    table = TABLES[name]
    assert list(table.fields) == list(model.model_fields)
    for key, field in model.model_fields.items():
        assert _plain_default(table.fields[key]) == _model_default(field), key


def test_the_plain_tables_cover_every_table_of_the_model() -> None:
    """No model class is left without its plain table (a new table needs one)."""
    tables = {
        name
        for name, value in vars(models).items()
        if isinstance(value, type)
        and issubclass(value, models._Table)
        and value is not models._Table
    }
    assert tables == set(TABLES)


def test_there_are_contracts_to_compare() -> None:
    """The fixture contracts are found (the agreement test below is not vacuous)."""
    assert len(CONTRACTS) >= 70


@pytest.mark.parametrize("path", CONTRACTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_fixture_contract_reads_the_same_without_pydantic(path: Path) -> None:
    """Every contract in the repository takes the plain path and equals the model's dump."""
    document = plain_document(tomllib.loads(path.read_text(encoding="utf-8")))
    assert document is not None
    assert document == load_contract(path).model_dump()


def _model_result(raw: dict[str, Any]) -> dict[str, Any] | None:
    """What the model makes of a document: its dump, or None when it rejects it."""
    try:
        contract = models.Contract.model_validate(raw)
    except ValidationError:
        return None
    return None if list(cross_problems(raw)) else contract.model_dump()


BASE = tomllib.loads((ROOT / "tests" / "fixtures" / "kit_app" / "twelve.toml").read_text())
RAW = [tomllib.loads(path.read_text(encoding="utf-8")) for path in CONTRACTS]
ODD = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "x",
            "web",
            "worker",
            "json",
            "stderr",
            "/ok",
            "ok",
            "5s",
            "-1s",
            "GET /x",
            "x /y",
            "url",
            "enum",
            "port",
            "int",
            "bool",
            "duration",
            "{canary}",
            "PORT",
            "https",
            "docs/ops",
            "/abs",
            "../up",
            "9000",
            "Web-Api",
            "web-api",
        ]
    ),
    st.integers(-2, 70000),
    st.sampled_from([0.5, -0.5, 2.0, math.inf]),
    st.booleans(),
    st.lists(st.sampled_from(["a", "https", "postgresql", ""]), max_size=3),
    st.sampled_from([[1], ["a", 2], {}, {"a": "b"}, {"a": 1}, {"a": ["b"]}]),
    st.just(datetime.date(2020, 1, 2)),
)


def _written(raw: dict[str, Any], key: str) -> list[object]:
    """Every value the repository's contracts give `key`, in any table: realistic values."""
    found: list[object] = []
    for name, value in raw.items():
        if name == key:
            found.append(value)
        if isinstance(value, dict):
            found.extend(_written(value, key))
    return found


WRITTEN = {
    key: [v for raw in RAW for v in _written(raw, key)]
    for table in TABLES.values()
    for key in table.fields
}


def _tables(node: dict[str, Any], spec: Table) -> list[tuple[dict[str, Any], Table]]:
    """Each table of the document with the plain table it is read as."""
    found = [(node, spec)]
    for name, value in node.items():
        inner = spec.fields[name].check if name in spec.fields else None
        if isinstance(value, dict) and isinstance(inner, Table):
            found.extend(_tables(value, inner))
        elif isinstance(value, dict) and name in MAPPED:
            for entry in value.values():
                if isinstance(entry, dict):
                    found.extend(_tables(entry, MAPPED[name]))
    return found


MAPPED = {
    "processes": TABLES["ProcessType"],
    "admin": TABLES["AdminTask"],
    "config": TABLES["ConfigKey"],
}


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """The kit app's contract with one to three keys set, replaced or removed: mostly to
    values other contracts write for that key, sometimes to odd ones, sometimes unknown."""
    document = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        table, spec = draw(st.sampled_from(_tables(document, TABLES["Contract"])))
        key = draw(st.sampled_from([*spec.fields, "nope"]))
        if key in table and draw(st.booleans()):
            del table[key]
            continue
        written = WRITTEN.get(key, [])
        values = st.sampled_from(written) if written and draw(st.integers(0, 3)) else ODD
        table[key] = copy.deepcopy(draw(values))  # sampled values are shared between examples
    return document


@settings(
    max_examples=400,
    deadline=None,
    database=None,  # no .hypothesis directory in the checkout
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutated())
def test_the_plain_reader_never_accepts_what_the_model_rejects(raw: dict[str, Any]) -> None:
    """Property: on a mutated contract the plain reader declines, or matches the model exactly."""
    document = plain_document(raw)
    if document is not None:
        assert document == _model_result(raw)


def test_a_value_pydantic_would_coerce_goes_to_the_model() -> None:
    """`required = 1` is valid (pydantic reads 1 as true): the plain reader declines it and
    `parse_plain` takes the model's result instead."""
    text = '[service]\nname = "a"\n[config.TOKEN]\nrequired = 1\n'
    assert plain_document(tomllib.loads(text)) is None
    contract = parse_plain(text, Path("twelve.toml"))
    assert contract.config["TOKEN"].required is True
    assert contract.model() == parse_contract(text, Path("twelve.toml"))


INVALID = [
    '[service]\nname = "a\n',
    "[processes.web]\ncommand = 'x'\n",
    '[service]\nname = "Short_Links"\n[processes.web]\nkindd = "web"\ncommand = "x"\n',
    '[service]\nname = "a"\n[processes.web]\ncommand = "  "\n',
    '[service]\nname = "a"\n[processes.web]\ncommand = "x"\nliveness = "healthz"\n',
    '[service]\nname = "a"\n[processes.web]\ncommand = "x"\ndrain_request = "FETCH /x"\n',
    '[service]\nname = "a"\n[processes.web]\ncommand = "x"\nbusy_trigger = "y"\n',
    '[service]\nname = "a"\n[processes.web]\ncommand = "x"\ndrain_delay = "-1s"\n',
    '[service]\nname = "a"\n[config.MAX]\ntype = "int"\ndefault = "ten"\n',
    '[service]\nname = "a"\n[config.MODE]\nchoices = ["a"]\n',
    '[service]\nname = "a"\n[config.T]\nsecret = true\nexample = "x"\n',
    '[service]\nname = "a"\n[processes.web]\ncommand = ["a"]\nport_env = "P"\n[config.P]\n',
    '[service]\nname = "a"\n[probe.values]\nNOPE = "x"\n',
    '[service]\nname = "a"\n[logs]\nformat = "text"\n',
    '[service]\nname = "a"\n[docs]\ndir = "../x"\n',
]


@pytest.mark.parametrize("text", INVALID)
def test_an_invalid_contract_raises_exactly_the_models_error(text: str) -> None:
    """The same problems, lines and wording as `parse_contract`."""
    with pytest.raises(ContractError) as model:
        parse_contract(text, Path("twelve.toml"))
    with pytest.raises(ContractError) as plain:
        parse_plain(text, Path("twelve.toml"))
    assert plain.value.problems == model.value.problems
    assert plain.value.render() == model.value.render()


def test_plain_view_and_its_model(tmp_path: Path) -> None:
    """The view has what the runtime reads; `model()` is the same contract as `load_contract`."""
    path = tmp_path / "twelve.toml"
    path.write_text(
        '[service]\nname = "a"\nversion_env = "SHA"\n'
        '[processes.web]\ncommand = "x"\ndrain_delay = "1500ms"\nreadiness = "/ready"\n'
        '[config.LEVEL]\ntype = "enum"\nchoices = ["info", "debug"]\ndefault = "info"\n'
        '[logs]\nrequest_id_header = "X-Trace"\n',
        encoding="utf-8",
    )
    contract = load_plain(path)
    web = contract.processes["web"]
    assert (contract.name, contract.version_env, contract.request_id_header) == (
        "a",
        "SHA",
        "X-Trace",
    )
    assert (web.kind, web.port_env, web.readiness, web.drain_delay) == (
        "web",
        "PORT",
        "/ready",
        1.5,
    )
    assert contract.config["LEVEL"].problem_with("trace") == "must be one of: info, debug"
    assert list(contract.keys("web")) == ["LEVEL", "PORT"]
    assert list(contract.keys("worker")) == ["LEVEL"]
    assert contract.model() == load_contract(path)
    assert contract.model().path == path
    from_model = plain_from_model(load_contract(path))
    assert from_model.processes["web"].drain_delay == 1.5


def test_reading_a_valid_contract_imports_no_pydantic() -> None:
    """`load_plain` of a valid contract loads neither pydantic nor the model."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from twelve.contract.plain import load_plain\n"
        f"load_plain(Path({str(CONTRACTS[0])!r}))\n"
        "print(sorted(m for m in sys.modules if 'pydantic' in m or m == 'twelve.contract.model'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert done.stdout.strip() == "[]"
