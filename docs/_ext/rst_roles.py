"""A griffe extension: the docstrings' Sphinx markup as Markdown for mkdocstrings.

The code's docstrings use Sphinx roles (``:class:`Receipt```), which read well
in ``help()`` and in editors but show as raw text in Markdown. This rewrites
each role into an autorefs link, resolved in the scope of the object that
holds the docstring (the ``scoped_crossrefs`` option), so an unknown name fails
the strict build. ``text::`` before a literal block becomes ``text:``, and a
line holding only ``::`` goes.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|attr|data|exc|mod):`(~?)([\w.]+)`")
_LONE_LITERAL_MARK = re.compile(r"^[ \t]*::\n", re.MULTILINE)
_LITERAL_MARK = re.compile(r"::$", re.MULTILINE)


def _link(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    shown = target.rsplit(".", 1)[-1] if short else target
    return f"[`{shown}`][{target}]"


def markdown(docstring: str) -> str:
    """``docstring`` with its roles as links and its literal-block marks as Markdown."""
    docstring = _LONE_LITERAL_MARK.sub("", _ROLE.sub(_link, docstring))
    return _LITERAL_MARK.sub(":", docstring)


class RstRoles(griffe.Extension):
    """Rewrites every docstring griffe loads; the code itself is untouched."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
