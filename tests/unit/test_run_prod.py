"""A misconfigured production start refuses instead of offering passwordless sign-in (B5)."""

from __future__ import annotations

import argparse

import pytest

from hbapp.config import ConfigurationError, get_settings
from hbapp.tools import run_prod


@pytest.fixture
def settings_env(monkeypatch):
    for key in ("HB_DEV_OIDC", "HB_OIDC_ISSUER", "HB_PUBLIC_URL"):
        monkeypatch.delenv(key, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_settings_refuse_the_development_provider_over_https(settings_env):
    settings_env.setenv("HB_DEV_OIDC", "1")
    settings_env.setenv("HB_PUBLIC_URL", "https://hb.example.fi")
    with pytest.raises(ConfigurationError, match="HB_DEV_OIDC"):
        get_settings()
    settings_env.setenv("HB_PUBLIC_URL", "http://localhost:3000")
    get_settings.cache_clear()
    assert get_settings().dev_oidc_enabled


def test_settings_never_turn_the_development_provider_on_by_themselves(settings_env):
    assert not get_settings().dev_oidc_enabled and get_settings().oidc_issuer == ""


@pytest.mark.parametrize(("env", "expected"), [
    ({}, None),
    ({"HB_DEV_OIDC": "0"}, None),
    ({"HB_DEV_OIDC": "1", "HB_PUBLIC_URL": "https://hb.example.fi"}, None),
    ({"HB_DEV_OIDC": "yes", "HB_PUBLIC_URL": "HTTPS://HB.EXAMPLE.FI"}, None),
    ({"HB_DEV_OIDC": "1", "HB_PUBLIC_URL": "http://localhost:3000"}, "development"),
    ({"HB_OIDC_ISSUER": "https://login.example.fi"}, "oidc"),
    ({"HB_OIDC_ISSUER": "https://login.example.fi", "HB_DEV_OIDC": "1",
      "HB_PUBLIC_URL": "https://hb.example.fi"}, None),
])
def test_run_prod_starts_only_with_a_sign_in_it_may_offer(env, expected):
    if expected is None:
        with pytest.raises(run_prod.RefusedToStart):
            run_prod.check_sign_in(env)
    else:
        assert run_prod.check_sign_in(env) == expected


def test_production_env_adds_no_development_provider():
    args = argparse.Namespace(port=3000, workers=2)
    env = run_prod.production_env(args, base={})
    assert "HB_DEV_OIDC" not in env and "HB_OIDC_ISSUER" not in env


def test_main_refuses_before_touching_any_database(monkeypatch, capsys):
    for key in ("HB_DEV_OIDC", "HB_OIDC_ISSUER"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(run_prod, "prepare", lambda *a, **k: pytest.fail("prepared"))
    assert run_prod.main(["--port", "3999"]) == 2
    assert "refusing to start" in capsys.readouterr().err


@pytest.mark.parametrize("seed", [False, True])
def test_demo_data_is_loaded_only_when_asked(monkeypatch, seed):
    commands = []
    monkeypatch.setattr(run_prod, "ensure_postgres_database", lambda url: False)
    monkeypatch.setattr(run_prod, "check_redis", lambda url: None)
    monkeypatch.setattr(run_prod.subprocess, "run",
                        lambda command, **kwargs: commands.append(command[1:]))
    run_prod.prepare({"HB_DATABASE_URL": "postgresql://x/hb", "HB_REDIS_URL": "redis://x"},
                     seed=seed)
    assert commands[0] == ["db", "upgrade"]
    assert (["seed", "--no-migrate"] in commands) is seed
