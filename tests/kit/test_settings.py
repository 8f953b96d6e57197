"""Config from a pydantic-settings class: every problem by env var name, no input value."""

from __future__ import annotations

import pytest
from pydantic import Field, PostgresDsn, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from twelve.kit.config import ConfigError, load_config
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
    assert invalid["APP_WORKERS"] == (
        "Input should be a valid integer, unable to parse string as an integer"
    )
    assert invalid["DEPLOY_REGION"] == (
        "invalid value (the message quoted the value, so it is withheld)"
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
