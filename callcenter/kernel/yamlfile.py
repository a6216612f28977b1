"""Data files in YAML (scripts, profiles), read so that every error names the file, the
line and the field: reading, plain values from ruamel's nodes, and where a validation
error points in the document."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.reader import ReaderError

from callcenter.kernel.errors import CallcenterError

M = TypeVar("M", bound=BaseModel)

# ruamel's warning names the anchor and, last, the line of its second occurrence
REUSED_ANCHOR = re.compile(r"duplicate anchor '([^']*)'.*\(line: (\d+)\)\s*$", re.S)


def load_mapping(path: Path, error: type[CallcenterError], what: str, shape: str) -> CommentedMap:
    """The document of the ``what`` file ``path``, which must be a mapping (``shape`` says
    what it holds); ``error`` names the file and the line of whatever makes it unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such {what} file") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        with warnings.catch_warnings():
            # an anchor given twice: the aliases after it would silently take the second
            warnings.simplefilter("error", ReusedAnchorWarning)
            raw = YAML(typ="rt").load(text)
    except ReusedAnchorWarning as exc:
        m = REUSED_ANCHOR.search(str(exc))
        where = f"{path}:{m[2]}: anchor &{m[1]}" if m else f"{path}: an anchor"
        raise error(f"{where} is given twice; give each anchor once") from None
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise error(f"{path}:{line}: YAML syntax error: {exc.problem}") from None
    except ReaderError as exc:
        # a character YAML does not allow in a document (NUL, most control characters)
        line = text[: exc.position].count("\n") + 1
        raise error(f"{path}:{line}: character #x{exc.character:04x} is not allowed in YAML") from None
    except YAMLError as exc:
        raise error(f"{path}: YAML error: {str(exc).splitlines()[0]}") from None
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        # the YAML library's constructors raise these for values it cannot build:
        # a date that does not exist, "!!int x", a list as a mapping key
        raise error(f"{path}: a YAML value cannot be read: {exc!r}") from None
    except RecursionError:
        raise error(f"{path}: YAML nested too deeply to be a {what}") from None
    if not isinstance(raw, CommentedMap):
        raise error(f"{path}:1: {shape}")
    return raw


def validate(
    model: type[M],
    raw: CommentedMap,
    path: Path,
    error: type[CallcenterError],
    tags: frozenset[str] = frozenset(),
    named: str | None = None,
) -> M:
    """``raw`` as a ``model``; the first problem as ``error`` with its line and field.
    ``tags``: discriminator tags pydantic puts in a location that are no YAML key;
    ``named``: what a located mapping with an ``id`` is called in the message."""
    try:
        values = _plain(raw)
    except _Cycle as exc:
        raise error(f"{path}:{exc.line}: a YAML alias makes this node contain itself") from None
    except RecursionError:
        raise error(f"{path}: YAML nested too deeply to be read") from None
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        # a check across fields raised in a model validator says where it points
        below = getattr(err.get("ctx", {}).get("error"), "loc", ())
        line, field = locate(raw, (*err["loc"], *below), tags, named)
        more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
        msg = err["msg"].removeprefix("Value error, ")
        raise error(f"{path}:{line}: {field}: {msg}{more}") from None


def locate(
    root: Any, loc: tuple[Any, ...], tags: frozenset[str] = frozenset(), named: str | None = None
) -> tuple[int, str]:
    """Line (1-based) and dotted field path of a pydantic error location in the YAML; with
    ``named``, a located mapping with an ``id`` is named by it."""
    node, line, path = root, root.lc.line + 1, []
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
            path.append(str(part))
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
            path.append(f"[{part}]")
        elif isinstance(node, CommentedMap) and part in tags:
            continue
        elif isinstance(part, str) and not part.startswith(("function-", "list[", "tuple[")):
            path.append(part)
    if named and isinstance(node, CommentedMap) and "id" in node:
        path.append(f"({named} {node['id']})")
    return line, ".".join(path).replace(".[", "[") or "(top)"


class _Cycle(Exception):
    """A YAML alias that makes a node contain itself (``&a [*a]``)."""

    def __init__(self, node: Any) -> None:
        super().__init__()
        self.line = node.lc.line + 1 if isinstance(node, CommentedMap | CommentedSeq) else 1


def _plain(node: Any, inside: frozenset[int] = frozenset()) -> Any:
    if isinstance(node, dict | list):
        if id(node) in inside:
            raise _Cycle(node)
        inside = inside | {id(node)}
    if isinstance(node, dict):
        return {str(k): _plain(v, inside) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v, inside) for v in node]
    return node
