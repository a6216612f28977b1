"""Reading a script's YAML: plain values from ruamel's nodes, and the line and dotted
field of a validation error, so errors can name the file, the line and the field."""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

# ruamel's warning names the anchor and, last, the line of its second occurrence
REUSED_ANCHOR = re.compile(r"duplicate anchor '([^']*)'.*\(line: (\d+)\)\s*$", re.S)


class Cycle(Exception):
    """A YAML alias that makes a node contain itself (``&a [*a]``)."""

    def __init__(self, node: Any) -> None:
        super().__init__()
        self.line = node.lc.line + 1 if isinstance(node, CommentedMap | CommentedSeq) else 1


def plain(node: Any, inside: frozenset[int] = frozenset()) -> Any:
    if isinstance(node, dict | list):
        if id(node) in inside:
            raise Cycle(node)
        inside = inside | {id(node)}
    if isinstance(node, dict):
        return {str(k): plain(v, inside) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v, inside) for v in node]
    return node


def locate(root: Any, loc: tuple[Any, ...]) -> tuple[int, str]:
    """Line (1-based) and dotted field path of a pydantic error location in the YAML."""
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
        elif isinstance(node, CommentedMap) and part in {
            "say",
            "scale",
            "yesno",
            "choice",
            "digits",
            "record",
        }:
            continue  # the discriminator's tag, not a YAML key
        elif isinstance(part, str) and not part.startswith(("function-", "list[")):
            path.append(part)
    if isinstance(node, CommentedMap) and "id" in node:
        path.append(f"(step {node['id']})")
    return line, ".".join(path).replace(".[", "[") or "(top)"
