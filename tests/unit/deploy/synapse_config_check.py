"""Parse Alcove's Synapse configuration files with Synapse's own config classes.

Run it with the Python of the Synapse virtual environment, as
synapse-config.test.ts does. It reads a JSON request on standard input:

    {
      "combinations": [{"name": "...", "files": ["/abs/a.yaml", ...]}],
      "path_map": {"/alcove/deploy/": "/abs/deploy/synapse/", ...},
      "rate_limit_files": ["/abs/synapse-config/production.yaml"]
    }

and writes a JSON report to standard output:

    {
      "combinations": [{"name", "error", "unknown_keys": ["file: key.path"]}],
      "rate_limit_differences": {"/abs/a.yaml": ["rc_login_address: ..."]},
      "top_level_keys": {"/abs/a.yaml": ["key", ...]}
    }

Synapse ignores configuration keys it does not know, without a warning. To
find them, the merged configuration is wrapped in dicts that record which
keys Synapse's config classes read while they parse it. A key counts as
unknown when Synapse read other keys of the same mapping but never this one.
A mapping that Synapse never looked into through its Python methods (for
example one that pydantic validates in C) is not judged.
"""

import contextlib
import json
import os
import sys
import tempfile
from typing import Any

import synapse.config.redis
import yaml
from synapse.config._base import ConfigError
from synapse.config.homeserver import HomeServerConfig
from synapse.config.ratelimiting import FederationRatelimitSettings, RatelimitSettings

# The Synapse image installs matrix-synapse[all], but the local virtual
# environment has no Redis client, and RedisConfig refuses to parse without
# one. Only the configuration is checked here, not the installed packages.
synapse.config.redis.check_requirements = lambda *extras: None

# Keys that Synapse reads when it opens the database, not while it parses
# the configuration: libpq connection keywords and engine options.
READ_AFTER_PARSING = {"database.args", "database.txn_limit", "database.allow_unsafe_locale"}


class ReadTracker:
    """Collects every TrackedDict so the report can list the keys Synapse never read."""

    def __init__(self) -> None:
        self.mappings: list["TrackedDict"] = []


class TrackedDict(dict):
    """A dict that records which of its keys are read."""

    def __init__(self, data: dict, path: str, tracker: ReadTracker) -> None:
        super().__init__()
        self.path = path
        self.read_keys: set[str] = set()
        self.read_whole = False
        tracker.mappings.append(self)
        for key, value in data.items():
            dict.__setitem__(self, key, wrap(value, join_path(path, str(key)), tracker))

    def _mark(self, key: Any) -> None:
        # copy and pickle create instances without __init__.
        if hasattr(self, "read_keys"):
            self.read_keys.add(str(key))

    def _mark_whole(self) -> None:
        if hasattr(self, "read_keys"):
            self.read_whole = True

    def __getitem__(self, key: Any) -> Any:
        self._mark(key)
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._mark(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._mark(key)
        return super().__contains__(key)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._mark(key)
        return super().setdefault(key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        self._mark(key)
        return super().pop(key, *default)

    def __iter__(self):  # type: ignore[no-untyped-def]
        self._mark_whole()
        return super().__iter__()

    def keys(self):  # type: ignore[no-untyped-def]
        self._mark_whole()
        return super().keys()

    def items(self):  # type: ignore[no-untyped-def]
        self._mark_whole()
        return super().items()

    def values(self):  # type: ignore[no-untyped-def]
        self._mark_whole()
        return super().values()

    def copy(self) -> dict:
        self._mark_whole()
        return dict(super().items())


def join_path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def wrap(value: Any, path: str, tracker: ReadTracker) -> Any:
    if isinstance(value, dict):
        return TrackedDict(value, path, tracker)
    if isinstance(value, list):
        return [wrap(item, f"{path}[]", tracker) for item in value]
    return value


def to_plain(value: Any) -> Any:
    """Deep copy into plain dicts and lists, bypassing TrackedDict's recording."""
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in dict.items(value)}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    return value


def remap_paths(value: Any, path_map: dict[str, str]) -> Any:
    """Replace container paths (/alcove/..., /data/..., /run/secrets/...) with local ones."""
    if isinstance(value, dict):
        return {key: remap_paths(item, path_map) for key, item in value.items()}
    if isinstance(value, list):
        return [remap_paths(item, path_map) for item in value]
    if isinstance(value, str):
        for container_prefix, local_prefix in path_map.items():
            if value.startswith(container_prefix):
                return local_prefix + value[len(container_prefix) :]
    return value


def create_secret_files(config: Any, secrets_dir: str) -> None:
    """Write a random secret for every *_path key that points into secrets_dir."""
    if isinstance(config, dict):
        for key, value in config.items():
            if isinstance(value, str) and key.endswith("_path") and value.startswith(secrets_dir):
                with open(value, "w") as secret_file:
                    secret_file.write(os.urandom(16).hex())
            else:
                create_secret_files(value, secrets_dir)


def unread_keys(tracker: ReadTracker, origin_of: dict[str, str]) -> list[str]:
    unknown: list[str] = []
    for mapping in tracker.mappings:
        if mapping.read_whole or not mapping.read_keys:
            continue
        for key in dict.keys(mapping):
            path = join_path(mapping.path, str(key))
            if str(key) in mapping.read_keys or path in READ_AFTER_PARSING:
                continue
            top_level = path.split(".")[0].split("[")[0]
            unknown.append(f"{origin_of.get(top_level, '?')}: {path}")
    return sorted(set(unknown))


def load_merged(files: list[str]) -> tuple[dict, dict[str, str]]:
    """Merge files the way Synapse does: later top-level keys replace earlier ones."""
    merged: dict = {}
    origin_of: dict[str, str] = {}
    for file in files:
        with open(file) as stream:
            content = yaml.safe_load(stream)
        if not isinstance(content, dict):
            raise ConfigError(f"{file} is not a YAML mapping")
        merged.update(content)
        for key in content:
            origin_of[key] = file
    return merged, origin_of


def parse(config_dict: dict, files: list[str], work_dir: str) -> HomeServerConfig:
    """Parse config_dict as Synapse does at start-up, after creating missing files."""
    config = HomeServerConfig(files)
    # Synapse prints progress to standard output, which carries the report.
    with contextlib.redirect_stdout(sys.stderr):
        # Creates the signing key file, as Synapse does on its first start. A
        # plain copy, so that this step marks no key of a TrackedDict as read.
        config.generate_missing_files(to_plain(config_dict), work_dir)
        config.parse_config_dict(config_dict, config_dir_path=work_dir, data_dir_path=work_dir)
        config.validate_config()
    return config


def check_combination(combination: dict, path_map: dict[str, str], work_dir: str) -> dict:
    files = combination["files"]
    secrets_dir = path_map["/run/secrets/"]
    try:
        merged, origin_of = load_merged(files)
        merged = remap_paths(merged, path_map)
        create_secret_files(merged, secrets_dir)
        tracker = ReadTracker()
        tracked = TrackedDict(merged, "", tracker)
        parse(tracked, files, work_dir)
        return {
            "name": combination["name"],
            "error": None,
            "unknown_keys": unread_keys(tracker, origin_of),
        }
    except Exception as error:  # noqa: BLE001 - every failure belongs in the report
        return {"name": combination["name"], "error": repr(error), "unknown_keys": []}


def rate_limit_values(config: HomeServerConfig) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in vars(config.ratelimiting).items():
        if isinstance(value, RatelimitSettings):
            # The key only records which option name the value came from.
            values[name] = (value.per_second, value.burst_count)
        elif isinstance(value, FederationRatelimitSettings):
            values[name] = vars(value)
        elif isinstance(value, (int, float)) or value is None:
            values[name] = value
    return values


def rate_limit_differences(policy_file: str, work_dir: str) -> list[str]:
    """Compare the rate limits of policy_file with Synapse's defaults."""
    minimal = {"server_name": "example.invalid", "report_stats": False}
    signing_key = os.path.join(work_dir, "rate-limit-check.signing.key")
    minimal["signing_key_path"] = signing_key
    defaults = parse(dict(minimal), [], work_dir)

    with open(policy_file) as stream:
        policy = yaml.safe_load(stream)
    try:
        configured = parse({**policy, **minimal}, [policy_file], work_dir)
    except Exception as error:  # noqa: BLE001 - every failure belongs in the report
        return [f"{policy_file} does not parse: {error!r}"]

    default_values = rate_limit_values(defaults)
    configured_values = rate_limit_values(configured)
    return [
        f"{name}: default {default_values.get(name)!r}, configured {value!r}"
        for name, value in sorted(configured_values.items())
        if default_values.get(name) != value
    ]


def main() -> None:
    request = json.load(sys.stdin)
    with tempfile.TemporaryDirectory(prefix="alcove-synapse-config-") as work_dir:
        for container_prefix in ("/run/secrets/", "/data/", "/run/alcove/"):
            local = os.path.join(work_dir, container_prefix.strip("/").replace("/", "-")) + "/"
            os.makedirs(local, exist_ok=True)
            request["path_map"].setdefault(container_prefix, local)

        report = {
            "combinations": [
                check_combination(combination, request["path_map"], work_dir)
                for combination in request["combinations"]
            ],
            "rate_limit_differences": {
                file: rate_limit_differences(file, work_dir) for file in request["rate_limit_files"]
            },
            "top_level_keys": {},
        }
        for combination in request["combinations"]:
            for file in combination["files"]:
                with open(file) as stream:
                    report["top_level_keys"][file] = sorted(yaml.safe_load(stream) or {})

    json.dump(report, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
