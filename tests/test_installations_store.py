import logging

import pytest
from sqlalchemy import select

from integration.config import Settings
from integration.secrets import secret_box
from store.db import make_engine
from store.installations import (
    create_installation,
    delete_installation,
    find_installation,
    get_installation,
    list_installations,
    rotate_webhook_secret,
    update_installation,
)
from store.secretbox import SecretBox, SecretKeyError
from store.tables import installations


def _settings(tmp_path, **overrides) -> Settings:
    values = dict(
        env="development",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        redis_url="redis://127.0.0.1:6379/0",
        lists_dir=tmp_path / "lists",
        secret_key=None,
        public_url="https://hooks.example.com",
        max_body_bytes=1024 * 1024,
    )
    values.update(overrides)
    return Settings(**values)


def test_secrets_encrypted_at_rest_and_decrypted_on_read(db_url: str) -> None:
    box = SecretBox("test-key")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        created = create_installation(
            conn,
            box,
            platform="greenhouse",
            name="Acme",
            api_key="gh-api-key-123",
            webhook_secret="whsec-456",
            on_behalf_of="42",
        )
        raw = conn.execute(select(installations).where(installations.c.id == created.id)).one()
    assert b"gh-api-key-123" not in raw.api_key_enc and b"whsec-456" not in raw.webhook_secret_enc
    with engine.connect() as conn:
        loaded = get_installation(conn, box, created.id)
    assert (loaded.api_key, loaded.webhook_secret, loaded.on_behalf_of) == (
        "gh-api-key-123",
        "whsec-456",
        "42",
    )
    assert loaded.settings["tags"]["high"] == "HireWatch: high risk"
    with engine.connect() as conn, pytest.raises(SecretKeyError, match="does not decrypt"):
        get_installation(conn, SecretBox("another-key"), created.id)


def test_update_settings_rotate_list_delete(db_url: str) -> None:
    box = SecretBox("new-key,old-key")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        old_box_inst = create_installation(
            conn, SecretBox("old-key"), platform="lever", name="L", webhook_secret="whsec-tok"
        )
        # Key rotation: the old key still decrypts when listed after the new one.
        assert get_installation(conn, box, old_box_inst.id).webhook_secret == "whsec-tok"
        updated = update_installation(
            conn, box, old_box_inst.id, settings={"tags": {"high": "Screen: HIGH"}}, name="Lever EU"
        )
        assert updated.settings["tags"] == {**updated.settings["tags"], "high": "Screen: HIGH"}
        assert updated.settings["tags"]["medium"] == "HireWatch: medium risk"
        again = update_installation(conn, box, old_box_inst.id, settings={"tags": {"low": "Screen: low"}})
        assert (again.settings["tags"]["high"], again.settings["tags"]["low"]) == (
            "Screen: HIGH",
            "Screen: low",
        )
        reset = update_installation(conn, box, old_box_inst.id, settings={"tags": {"high": None}})
        assert reset.settings["tags"]["high"] == "HireWatch: high risk"
        new_secret = rotate_webhook_secret(conn, box, old_box_inst.id)
        assert new_secret != "whsec-tok" and len(new_secret) >= 32
        assert get_installation(conn, box, old_box_inst.id).webhook_secret == new_secret
        [info] = list_installations(conn)
        assert (info.name, info.has_webhook_secret, info.has_api_key) == ("Lever EU", True, False)
        assert "whsec-tok" not in repr(info) and new_secret not in repr(info)
        assert delete_installation(conn, old_box_inst.id)
        assert find_installation(conn, box, old_box_inst.id) is None
        assert not delete_installation(conn, old_box_inst.id)


def test_development_key_is_generated_once_and_production_refuses(tmp_path, caplog) -> None:
    with caplog.at_level(logging.WARNING):
        first = secret_box(_settings(tmp_path))
    assert "HIREWATCH_SECRET_KEY is not set" in caplog.text
    token = first.encrypt("s3cret")
    assert secret_box(_settings(tmp_path)).decrypt(token) == "s3cret"
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0
    with pytest.raises(SecretKeyError, match="production needs HIREWATCH_SECRET_KEY"):
        secret_box(_settings(tmp_path / "prod", env="production"))
    assert (
        secret_box(_settings(tmp_path, env="production", secret_key="k")).decrypt(SecretBox("k").encrypt("x"))
        == "x"
    )


def test_oauth_client_secret_is_stored_encrypted(db_url) -> None:
    box = SecretBox("k")
    with make_engine(db_url).begin() as conn:
        created = create_installation(
            conn,
            box,
            platform="greenhouse",
            name="G",
            client_id="c-1",
            client_secret="s3cret-v3",
            on_behalf_of="7",
        )
        stored = conn.execute(select(installations.c.client_secret_enc)).scalar_one()
        assert b"s3cret-v3" not in stored and created.client_secret == "s3cret-v3"
        [info] = list_installations(conn)
    assert (info.client_id, info.has_client_secret) == ("c-1", True)
    assert "s3cret-v3" not in repr(info)


def test_a_database_from_before_the_oauth_columns_gets_them(tmp_path) -> None:
    from store.db import init_db

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:  # the installations table as earlier versions created it
        conn.exec_driver_sql(
            "CREATE TABLE installations (id VARCHAR(64) PRIMARY KEY, platform VARCHAR(32) NOT NULL, "
            "name VARCHAR(200) NOT NULL, api_key_enc BLOB, webhook_secret_enc BLOB, "
            "api_base_url VARCHAR(500), on_behalf_of VARCHAR(200), settings JSON NOT NULL, "
            "status VARCHAR(32) NOT NULL, "
            "created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        conn.exec_driver_sql(
            "INSERT INTO installations (id, platform, name, settings, status) "
            "VALUES ('old', 'greenhouse', 'O', '{}', 'active')"
        )
    init_db(engine)
    init_db(engine)  # idempotent
    with engine.connect() as conn:
        [info] = list_installations(conn)
    assert (info.id, info.client_id, info.has_client_secret, info.token_url) == ("old", None, False, None)
