"""One documented configuration for every analysis: windows, thresholds, weights.

Each stage declares its parameters as a dataclass (with a docstring per field, as a `#:` comment
or in the class docstring) and registers it with `@section("name")`. `load()` gathers every
section's defaults, applies a user's TOML file and `--set section.key=value` overrides, and
returns one `Config`. `inconcert config` prints the whole thing, so there is one place to read
every default, and `findings.json` records the exact values a run used.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from .errors import InputError

T = TypeVar("T")
_SECTIONS: dict[str, type] = {}
# Packages whose modules declare config sections; imported on load so every section registers.
_PACKAGES = ("inconcert.traces", "inconcert.collective", "inconcert.signals",
             "inconcert.networks", "inconcert.narratives", "inconcert.report",
             "inconcert.operations")


def section(name: str) -> Callable[[type[T]], type[T]]:
    """Class decorator: register a dataclass of parameters as config section `name`."""

    def deco(cls: type[T]) -> type[T]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"config section {name!r} must be a dataclass")
        if name in _SECTIONS and _SECTIONS[name] is not cls:
            raise ValueError(f"two config sections are named {name!r}")
        _SECTIONS[name] = cls
        return cls

    return deco


def _import_all() -> None:
    for pkg_name in _PACKAGES:
        try:
            pkg = importlib.import_module(pkg_name)
        except ModuleNotFoundError as e:
            if e.name == pkg_name:
                continue
            raise
        for mod in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
            importlib.import_module(mod.name)


class Config:
    """Every section's parameters; `cfg.section("traces.co_reshare")` gives the dataclass."""

    def __init__(self, sections: dict[str, Any]) -> None:
        self._sections = dict(sorted(sections.items()))

    def section(self, name: str) -> Any:
        return self._sections[name]

    def __getitem__(self, name: str) -> Any:
        return self._sections[name]

    def names(self) -> list[str]:
        return list(self._sections)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Plain, JSON-ready values of every section, sorted (recorded in findings.json)."""
        return {n: dataclasses.asdict(s) for n, s in self._sections.items()}

    def digest(self) -> str:
        import hashlib

        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()

    def to_toml(self) -> str:
        """The configuration as TOML, with each parameter's documentation as a comment."""
        lines = []
        for name, obj in self._sections.items():
            lines.append(f"[{name}]")
            docs = _field_docs(type(obj))
            for f in dataclasses.fields(obj):
                if f.name in docs:
                    lines.append(f"# {docs[f.name]}")
                lines.append(f"{f.name} = {_toml_value(getattr(obj, f.name))}")
            lines.append("")
        return "\n".join(lines)


def _field_docs(cls: type) -> dict[str, str]:
    out = {}
    for f in dataclasses.fields(cls):
        doc = f.metadata.get("doc") if f.metadata else None
        if doc:
            out[f.name] = doc
    return out


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(x)}"
                               for k, x in sorted(v.items())) + "}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def param(default: Any, doc: str) -> Any:
    """A documented parameter: `window_s: int = param(60, "co-reshare window, seconds")`."""
    if isinstance(default, list | dict):
        return dataclasses.field(default_factory=lambda: type(default)(default),
                                 metadata={"doc": doc})
    return dataclasses.field(default=default, metadata={"doc": doc})


def load(path: Path | None = None, overrides: Iterable[str] = ()) -> Config:
    """Defaults, then a TOML file's values, then `section.key=value` overrides."""
    _import_all()
    values: dict[str, dict[str, Any]] = {n: {} for n in _SECTIONS}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise InputError(f"cannot read config ({e})", str(path)) from None
        for name, body in _flatten_sections(data):
            if name not in _SECTIONS:
                raise InputError(f"unknown config section [{name}]; known: "
                                 + ", ".join(sorted(_SECTIONS)), str(path))
            values[name].update(body)
    for o in overrides:
        key, sep, raw = o.partition("=")
        name, _, fld = key.strip().rpartition(".")
        if not sep or not name or name not in _SECTIONS:
            raise InputError(f"bad --set {o!r}: use section.key=value with a known section")
        try:
            values[name][fld] = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            values[name][fld] = raw.strip()
    return _build(values)


def from_dict(data: dict[str, dict[str, Any]]) -> Config:
    """The configuration `Config.as_dict` recorded (findings.json's `parameters`), over the
    defaults; unknown sections or parameters raise InputError."""
    _import_all()
    unknown = set(data) - set(_SECTIONS)
    if unknown:
        raise InputError(f"unknown config section(s) {', '.join(sorted(unknown))}")
    return _build({n: dict(data.get(n, {})) for n in _SECTIONS})


def _build(values: dict[str, dict[str, Any]]) -> Config:
    sections = {}
    for name, cls in _SECTIONS.items():
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values[name]) - known
        if unknown:
            raise InputError(f"unknown parameter(s) {', '.join(sorted(unknown))} in [{name}]; "
                             f"known: {', '.join(sorted(known))}")
        try:
            sections[name] = cls(**values[name])
        except TypeError as e:
            raise InputError(f"bad value in [{name}]: {e}") from None
    return Config(sections)


def _flatten_sections(data: dict[str, Any], prefix: str = ""):  # noqa: ANN202
    """Yield (dotted section name, values) for nested TOML tables. A table is a section (or
    holds sections) only when its dotted name leads to one; any other table is a dict value
    (such as `weights = {...}` that `to_toml` writes for a dict parameter)."""

    def nested(k: str, v: Any) -> bool:
        name = f"{prefix}.{k}" if prefix else k
        return isinstance(v, dict) and (name in _SECTIONS or any(
            s.startswith(name + ".") for s in _SECTIONS) or not prefix)

    scalars = {k: v for k, v in data.items() if not nested(k, v)}
    if prefix and (scalars or prefix in _SECTIONS):
        yield prefix, scalars
    for k, v in data.items():
        if nested(k, v):
            yield from _flatten_sections(v, f"{prefix}.{k}" if prefix else k)
