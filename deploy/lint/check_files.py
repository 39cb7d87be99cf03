"""Check what the schemas cannot: that the deploy files agree with each other and the server.

Run by scripts/check-deploy after the Compose schema check. Prints one line per problem and
exits 1 when there is any. Checks:

- Every PORTAL_ variable that portal.env.example (set or commented out), the compose files,
  the Dockerfile or the systemd units name is one the server reads, that is, it appears as a
  string literal in crates/portal-server/src.
- portal.env.example contains no secret: PORTAL_JWT_SECRET and PORTAL_DATA_KEY are
  placeholders.
- Each compose file, alone and merged with each override file, refers only to declared
  volumes, secrets, services and networks. Its env_file and Dockerfile exist (an env_file may
  exist as a committed .example), and each long-running service has a health check. The
  portal's stop_grace_period exceeds PORTAL_SHUTDOWN_GRACE_SECONDS of the example plus the
  portal's 10-second wait for pending audit events.
- The systemd unit's TimeoutStopSec exceeds the same sum.
- PORTAL_TRUSTED_PROXIES of the example is the gateway of the compose network, and the Caddy
  override's fixed address is inside its subnet.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVER_SOURCES = ROOT / "crates" / "portal-server" / "src"
ENV_EXAMPLE = DEPLOY / "portal.env.example"
BASE_COMPOSE_FILES = ["compose.yaml", "compose.mongo.yaml"]
OVERRIDE_COMPOSE_FILES = ["compose.tls.yaml", "compose.caddy.yaml"]
SYSTEMD_UNITS = ["portal.service", "portal-backup.service"]
# Variables that are not the portal's own but that the files may set.
FOREIGN_VARIABLES = {"RUST_LOG"}

VARIABLE_NAME = re.compile(r"\bPORTAL_[A-Z0-9_]+\b")
ENV_ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")

problems: list[str] = []


def problem(message: str) -> None:
    problems.append(message)


def server_variables() -> set[str]:
    """Return every quoted PORTAL_ name in the server's sources."""
    names: set[str] = set()
    for source in SERVER_SOURCES.rglob("*.rs"):
        names.update(re.findall(r'"(PORTAL_[A-Z0-9_]+)"', source.read_text()))
    return names


def env_example_values() -> dict[str, str]:
    """Return the variables of portal.env.example, set or commented out, with their values."""
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = ENV_ASSIGNMENT.match(line.strip())
        if match:
            values.setdefault(match.group(1), match.group(2))
    return values


def check_variable_names(known: set[str], example: dict[str, str]) -> None:
    for name in example:
        if name not in known and name not in FOREIGN_VARIABLES:
            problem(
                f"deploy/portal.env.example: {name} is not a variable the server reads "
                f"(no \"{name}\" in crates/portal-server/src); remove or rename it"
            )
    # Caddy's own variables, such as PORTAL_DOMAIN, written {$NAME} in the Caddyfile.
    caddy_variables = set(re.findall(r"\{\$(PORTAL_[A-Z0-9_]+)", (DEPLOY / "Caddyfile").read_text()))
    for file_name in ["Dockerfile", *BASE_COMPOSE_FILES, *OVERRIDE_COMPOSE_FILES, *SYSTEMD_UNITS]:
        text = (DEPLOY / file_name).read_text()
        for name in sorted(set(VARIABLE_NAME.findall(text))):
            # Compose variables of the host side, such as ${PORTAL_IMAGE}, are not the server's.
            host_side = re.search(r"\$\{" + name + r"\b", text)
            if name in known or name in caddy_variables or host_side:
                continue
            problem(f"deploy/{file_name}: {name} is not a variable the server reads")


def check_example_secrets(example: dict[str, str]) -> None:
    for name in ["PORTAL_JWT_SECRET", "PORTAL_DATA_KEY"]:
        value = example.get(name)
        if value is None:
            problem(f"deploy/portal.env.example: {name} is missing; production requires it")
        elif "REPLACE_ME" not in value:
            problem(
                f"deploy/portal.env.example: {name} must be a REPLACE_ME placeholder, "
                "never a real secret"
            )


# The maximum number of seconds that a stopping portal waits for pending audit events after
# its grace period (AUDIT_FLUSH_LIMIT in crates/portal-server/src/server.rs).
AUDIT_FLUSH_SECONDS = 10


def grace_seconds(example: dict[str, str]) -> int:
    value = example.get("PORTAL_SHUTDOWN_GRACE_SECONDS", "30")
    if not value.isdigit():
        problem(f"deploy/portal.env.example: PORTAL_SHUTDOWN_GRACE_SECONDS={value} is not a number")
        return 30
    return int(value)


def duration_seconds(value: object) -> float | None:
    """Parse a Compose or systemd duration such as 45s, 1m30s or 90."""
    text = str(value).strip()
    if text.isdigit():
        return float(text)
    units = {"h": 3600, "min": 60, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|min|h|m|s)", text)
    if not parts or "".join(number + unit for number, unit in parts) != text.replace(" ", ""):
        return None
    return sum(float(number) * units[unit] for number, unit in parts)


def merge(base: object, override: object) -> object:
    """Merge two Compose documents: mappings merge by key, sequences append."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        return base + override
    return override


def named_entries(value: object) -> list[str]:
    """Return the names of a Compose list-or-mapping field (depends_on, secrets, networks)."""
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, list):
        return [entry if isinstance(entry, str) else entry.get("source", "") for entry in value]
    return []


def check_compose(label: str, document: dict, grace: int, example: dict[str, str]) -> None:
    services = document.get("services") or {}
    volumes = set(document.get("volumes") or {})
    secrets = set(document.get("secrets") or {})
    networks = set(document.get("networks") or {}) | {"default"}

    for name, service in services.items():
        where = f"{label}: service {name}"
        for mount in service.get("volumes") or []:
            source = mount.split(":", 1)[0] if isinstance(mount, str) else mount.get("source", "")
            is_path = source.startswith((".", "/", "~"))
            if is_path and not (DEPLOY / source).resolve().exists():
                problem(f"{where}: bind mount source {source} does not exist")
            if source and not is_path and source not in volumes:
                problem(f"{where}: volume {source} is not declared under top-level volumes")
        for secret in named_entries(service.get("secrets")):
            if secret not in secrets:
                problem(f"{where}: secret {secret} is not declared under top-level secrets")
        for dependency in named_entries(service.get("depends_on")):
            if dependency not in services:
                problem(f"{where}: depends_on names the unknown service {dependency}")
        for network in named_entries(service.get("networks")):
            if network not in networks:
                problem(f"{where}: network {network} is not declared under top-level networks")
        env_files = service.get("env_file") or []
        for env_file in [env_files] if isinstance(env_files, str) else env_files:
            path = DEPLOY / (env_file if isinstance(env_file, str) else env_file["path"])
            if not path.exists() and not path.with_name(path.name + ".example").exists():
                problem(f"{where}: env_file {path.name} has no committed {path.name}.example")
        build = service.get("build")
        if isinstance(build, dict):
            dockerfile = DEPLOY / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
            if not dockerfile.resolve().exists():
                problem(f"{where}: Dockerfile {build.get('dockerfile')} does not exist")
        long_running = service.get("restart", "no") != "no"
        if long_running and "healthcheck" not in service:
            problem(f"{where}: a long-running service needs a healthcheck")

    portal = services.get("portal")
    if portal is None:
        problem(f"{label}: no service named portal")
        return
    stop = duration_seconds(portal.get("stop_grace_period", "10s"))
    if stop is None or stop <= grace + AUDIT_FLUSH_SECONDS:
        problem(
            f"{label}: stop_grace_period {portal.get('stop_grace_period', '10s (default)')} "
            f"must exceed PORTAL_SHUTDOWN_GRACE_SECONDS ({grace}) plus {AUDIT_FLUSH_SECONDS} s, "
            "or requests in flight and pending audit events are killed"
        )

    subnets = [
        config
        for config in ((document.get("networks") or {}).get("default") or {})
        .get("ipam", {})
        .get("config", [])
    ]
    if not subnets:
        problem(f"{label}: the default network needs a fixed subnet and gateway")
        return
    subnet = ipaddress.ip_network(subnets[0]["subnet"])
    gateway = subnets[0].get("gateway")
    proxies = example.get("PORTAL_TRUSTED_PROXIES", "")
    if gateway not in proxies.split(","):
        problem(
            f"{label}: PORTAL_TRUSTED_PROXIES={proxies} in portal.env.example does not name "
            f"the network gateway {gateway}, from which a proxy on the host connects"
        )
    for name, service in services.items():
        service_networks = service.get("networks")
        if not isinstance(service_networks, dict):
            continue
        for network in service_networks.values():
            address = (network or {}).get("ipv4_address")
            if address and ipaddress.ip_address(address) not in subnet:
                problem(f"{label}: service {name} address {address} is outside {subnet}")
    caddy = services.get("caddy")
    if caddy:
        address = caddy["networks"]["default"]["ipv4_address"]
        trusted = (portal.get("environment") or {}).get("PORTAL_TRUSTED_PROXIES")
        if trusted != address:
            problem(f"{label}: portal must trust exactly the Caddy address {address}, not {trusted}")


def check_systemd(grace: int) -> None:
    for unit in SYSTEMD_UNITS:
        text = (DEPLOY / unit).read_text()
        if "EnvironmentFile=/etc/portal/portal.env" not in text:
            problem(f"deploy/{unit}: must read EnvironmentFile=/etc/portal/portal.env")
    match = re.search(r"^TimeoutStopSec=(.+)$", (DEPLOY / "portal.service").read_text(), re.M)
    stop = duration_seconds(match.group(1)) if match else None
    if stop is None or stop <= grace + AUDIT_FLUSH_SECONDS:
        problem(
            "deploy/portal.service: TimeoutStopSec must be set above "
            f"PORTAL_SHUTDOWN_GRACE_SECONDS ({grace}) plus {AUDIT_FLUSH_SECONDS} s"
        )


def main() -> int:
    known = server_variables()
    if not known:
        problem(f"no PORTAL_ variables found in {SERVER_SOURCES}; is this the repository root?")
    example = env_example_values()
    check_variable_names(known, example)
    check_example_secrets(example)
    grace = grace_seconds(example)
    check_systemd(grace)

    for base_name in BASE_COMPOSE_FILES:
        base = yaml.safe_load((DEPLOY / base_name).read_text())
        check_compose(f"deploy/{base_name}", base, grace, example)
        for override_name in OVERRIDE_COMPOSE_FILES:
            override = yaml.safe_load((DEPLOY / override_name).read_text())
            merged = merge(base, override)
            check_compose(f"deploy/{base_name} + {override_name}", merged, grace, example)

    for line in problems:
        print(line)
    if problems:
        print(f"check_files: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("deploy files agree with each other and with the server's variables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
