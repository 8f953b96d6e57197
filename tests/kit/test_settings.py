"""Config from a pydantic-settings class: every problem by env var name, no input value."""

from __future__ import annotations

import io
import sys
import uuid
from typing import Annotated, Literal

import orjson
import pytest
from pydantic import BaseModel, Field, PostgresDsn, SecretStr, field_validator
from pydantic import Secret as PydanticSecret
from pydantic_settings import BaseSettings, SettingsConfigDict

from twelve.kit.config import EX_CONFIG, Config, ConfigError, load_config
from twelve.kit.logs import get_logger, setup_logging
from twelve.kit.secret import Secret


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")

    database_url: PostgresDsn
    api_token: SecretStr
    workers: int = 2
    region: str = Field(default="eu", validation_alias="DEPLOY_REGION")
    tags: list[str] = []

    @field_validator("region")
    @classmethod
    def _known(cls, region: str) -> str:
        if region not in {"eu", "us"}:
            raise ValueError(f"unknown region {region}")  # quotes the input, on purpose
        return region


def test_every_problem_by_env_name_without_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """Missing and invalid fields come as env var names (prefix and alias applied); no
    message contains the input, even one a validator built from it."""
    monkeypatch.setenv("APP_DATABASE_URL", "mysql://u:pw-canary-1@h/db")
    monkeypatch.setenv("APP_WORKERS", "many-canary-2")
    monkeypatch.setenv("DEPLOY_REGION", "mars-canary-3")
    with pytest.raises(ConfigError) as caught:
        load_config(AppSettings, exit_on_error=False, service="demo")
    error = caught.value
    assert error.missing == ("APP_API_TOKEN",)
    assert [key for key, _ in error.invalid] == ["APP_DATABASE_URL", "APP_WORKERS", "DEPLOY_REGION"]
    invalid = dict(error.invalid)
    assert invalid["APP_DATABASE_URL"] == (
        "URL scheme must be 'postgres', 'postgresql', 'postgresql+asyncpg',"
        " 'postgresql+pg8000', 'postgresql+psycopg', 'postgresql+psycopg2',"
        " 'postgresql+psycopg2cffi', 'postgresql+py-postgresql' or 'postgresql+pygresql'"
    )
    assert invalid["APP_WORKERS"] == "not an integer"
    assert invalid["DEPLOY_REGION"] == (
        "invalid value (a validator's message may quote the value, so it is withheld)"
    )
    assert "canary" not in error.render()
    assert error.__cause__ is None and error.__suppress_context__


def test_unparsable_complex_field_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list field given non-JSON: pydantic-settings' SettingsError becomes APP_TAGS."""
    monkeypatch.setenv("APP_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("APP_API_TOKEN", "t-secret-4")
    monkeypatch.setenv("APP_TAGS", "[not json-canary-5")
    with pytest.raises(ConfigError) as caught:
        load_config(AppSettings, exit_on_error=False)
    assert caught.value.invalid == (("APP_TAGS", "cannot be parsed"),)


def test_valid_settings_give_a_config_with_masked_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid environment: the settings instance, values by env name, SecretStr -> Secret."""
    monkeypatch.setenv("APP_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("APP_API_TOKEN", "t-secret-6")
    monkeypatch.setenv("GIT_SHA", "abc")
    config = load_config(AppSettings, service="demo")
    assert isinstance(config.settings, AppSettings)
    assert config.values["APP_API_TOKEN"] == Secret("t-secret-6")
    assert config.values["APP_WORKERS"] == 2
    assert (config.service, config.version) == ("demo", "abc")
    assert config.secrets() == ["t-secret-6"]


class _A(BaseModel):
    kind: Literal["a"]


class _B(BaseModel):
    kind: Literal["b"]


class LeakySettings(BaseSettings):
    """Three fields whose pydantic messages quote (part of) the input."""

    tenant_id: uuid.UUID
    backend: Annotated[_A | _B, Field(discriminator="kind")]
    api_key: SecretStr

    @field_validator("api_key")
    @classmethod
    def _prefixed(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if not raw.startswith("sk_"):
            raise ValueError(f"api key must start with sk_, got {raw[:6]}...")  # leaks a prefix
        return value


def _fragments(value: str, size: int = 4) -> set[str]:
    """Every run of `size` characters of `value`."""
    return {value[start : start + size] for start in range(len(value) - size + 1)}


def test_messages_quoting_part_of_the_input_are_never_shown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A UUID error naming a character, a discriminator error quoting the tag and a custom
    validator quoting a prefix of a secret: each reason comes from the error type and the
    model only, and no part of any input reaches stderr or the error."""
    tenant, tag, key = "zzsecret-tenant", "s3cr3t-tag", "topsecretkey"
    monkeypatch.setenv("TENANT_ID", tenant)
    monkeypatch.setenv("BACKEND", orjson.dumps({"kind": tag}).decode())
    monkeypatch.setenv("API_KEY", key)
    with pytest.raises(ConfigError) as caught:
        load_config(LeakySettings, exit_on_error=False, service="leaky")
    assert caught.value.missing == ()
    assert caught.value.invalid == (
        ("TENANT_ID", "not a UUID"),
        ("BACKEND", "'kind' must be one of: 'a', 'b'"),
        ("API_KEY", "invalid value (a validator's message may quote the value, so it is withheld)"),
    )
    with pytest.raises(SystemExit) as exited:
        load_config(LeakySettings, service="leaky")
    assert exited.value.code == EX_CONFIG
    stderr = capsys.readouterr().err
    assert "error: invalid configuration of leaky, 3 problem(s): invalid TENANT_ID" in stderr
    for text in (stderr, caught.value.render(), str(caught.value.fields())):
        leaked = {part for value in (tenant, tag, key) for part in _fragments(value)}
        assert not {part for part in leaked if part in text}


class _Db(BaseModel):
    host: str
    password: SecretStr


class NestedSettings(BaseSettings):
    """Secrets in a nested model, in a list and in a `pydantic.Secret`."""

    model_config = SettingsConfigDict(env_nested_delimiter="__")

    db: _Db
    tokens: list[SecretStr]
    signing_key: PydanticSecret[str]


def test_nested_secrets_are_redacted_from_log_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A nested SecretStr, a list[SecretStr] item and a pydantic.Secret[str] become Secret
    values under their delimited names, so the redactor removes them from a logged line."""
    monkeypatch.setenv("DB__HOST", "127.0.0.1")
    monkeypatch.setenv("DB__PASSWORD", "nested-db-password")
    monkeypatch.setenv("TOKENS", '["list-token-one", "list-token-two"]')
    monkeypatch.setenv("SIGNING_KEY", "generic-signing-key")
    config = load_config(NestedSettings, service="nested")
    assert {key: value for key, value in config.values.items() if isinstance(value, Secret)} == {
        "DB__PASSWORD": Secret("nested-db-password"),
        "TOKENS__0": Secret("list-token-one"),
        "TOKENS__1": Secret("list-token-two"),
        "SIGNING_KEY": Secret("generic-signing-key"),
    }
    stream = io.BytesIO()
    setup_logging(config, stream=stream)
    get_logger().info(
        "connect failed",
        detail="auth failed for nested-db-password",
        header="Bearer list-token-two",
        signature="hmac(generic-signing-key)",
    )
    setup_logging(Config(service="nested"), stream=sys.stdout)
    event = orjson.loads(stream.getvalue())
    assert (event["detail"], event["header"], event["signature"]) == (
        "auth failed for [REDACTED]",
        "Bearer [REDACTED]",
        "hmac([REDACTED])",
    )


def test_nested_secret_without_a_delimiter_is_named_by_its_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without `env_nested_delimiter` the model comes whole from DB; its secret is DB.PASSWORD."""

    class Plain(BaseSettings):
        db: _Db

    monkeypatch.setenv("DB", '{"host": "127.0.0.1", "password": "json-db-password"}')
    config = load_config(Plain, service="plain")
    assert dict(config.values) == {"DB.PASSWORD": Secret("json-db-password")}
    assert config.secrets() == ["json-db-password"]
