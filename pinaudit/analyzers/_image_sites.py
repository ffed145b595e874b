"""An image reference written in YAML (compose ``image:``, a workflow's ``container:``) -> its site.

Shared by the compose and workflow analyzers. The reference is interpolated the way Compose does
it (``${VAR:-default}``, ``$$``), with the variables the caller knows (a compose file's ``.env``;
none for a workflow); a variable that stays unset makes the site UNKNOWN, never a guessed verdict.
A Dockerfile's references follow Docker's own ARG rules instead (analyzers/dockerfile.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pinaudit.model import Action, Ecosystem, InstallSite, Location, Pin, Span
from pinaudit.parse.spec_range import spec_span_in
from pinaudit.site_context import SiteSource

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def interpolate(text: str, env: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """Compose interpolation: (result, names of unset variables that decide it)."""
    missing: list[str] = []
    out = _interp(text, env, missing, 0)
    return out, tuple(dict.fromkeys(missing))


def _interp(text: str, env: Mapping[str, str], missing: list[str], depth: int) -> str:
    if depth > 16:
        missing.append("(nested too deeply)")
        return text
    res: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "$":
            res.append(c)
            i += 1
            continue
        if text.startswith("$$", i):
            res.append("$")
            i += 2
            continue
        if text.startswith("${", i):
            # find the matching brace (defaults may nest ${...})
            level, j = 0, i + 2
            while j < n:
                if text.startswith("${", j):
                    level += 1
                    j += 2
                    continue
                if text[j] == "}":
                    if level == 0:
                        break
                    level -= 1
                j += 1
            if j >= n:
                res.append(text[i:])
                missing.append("(unterminated ${)")
                break
            body = text[i + 2 : j]
            m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$", body, re.S)
            if m is None:
                missing.append(body)
                res.append(text[i : j + 1])
            else:
                name, op, arg = m.group(1), m.group(2), m.group(3) or ""
                val = env.get(name)
                if op in (":-", "-"):
                    unset = val is None or (op == ":-" and val == "")
                    res.append(_interp(arg, env, missing, depth + 1) if unset else val or "")
                elif op in (":+", "+"):
                    isset = val is not None and (op == "+" or val != "")
                    res.append(_interp(arg, env, missing, depth + 1) if isset else "")
                elif val is None or (op == ":?" and val == ""):
                    missing.append(name)
                    res.append(text[i : j + 1])
                else:
                    res.append(val)
            i = j + 1
            continue
        m = _NAME.match(text, i + 1)
        if m is None:
            res.append("$")
            i += 1
            continue
        val = env.get(m.group(0))
        if val is None:
            missing.append(m.group(0))
            res.append(text[i : m.end()])
        else:
            res.append(val)
        i = m.end()
    return "".join(res)


def image_site(
    raw: str, span: Span, display: str, env: Mapping[str, str], installer: str, detail: str = "",
    *, source_kind: SiteSource, platform: str | None = None,
) -> InstallSite:
    """One image reference, interpolated and classified."""
    from pinaudit.images import parse_image

    value, missing = interpolate(raw, env)
    ref = parse_image(value, platform)
    loc = Location(display, span)
    spec_span = spec_span_in(span, raw, "image")
    if missing:
        names = ", ".join(f"${{{v}}}" for v in missing)
        why = f"depends on {names}, which {'is' if len(missing) == 1 else 'are'} not set"
        return InstallSite(
            Ecosystem.IMAGE, Action.INSTALL, ref.name, value, Pin.UNKNOWN, loc, installer,
            detail="; ".join(p for p in (detail, why) if p), source_kind=source_kind, spec_span=spec_span,
        )  # fmt: skip
    version = ref.digest or ref.tag if ref.pin is not Pin.UNPINNED else None
    return InstallSite(
        Ecosystem.IMAGE, Action.INSTALL, ref.name, value, ref.pin, loc, installer, version=version, detail=detail,
        source_kind=source_kind, image=ref.parts, spec_span=spec_span,
    )
