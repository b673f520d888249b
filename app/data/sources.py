"""Source tiers: which sources an answer may rest on, and how much weight each carries.

A source is an address (URL) or a citation (``ICC-02/05-01/09-1``). Its tier comes from the
reviewed registry ``datasets/source_tiers.yaml`` by domain, or from the record itself where a
domain alone does not decide (``{url: ..., tier: official}``). Pure: no I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

Tier = Literal["official", "press", "secondary"]
TIER_ORDER: dict[str, int] = {"official": 0, "press": 1, "secondary": 2}
_ARCHIVE = re.compile(r"^https?://web\.archive\.org/web/[^/]+/(?P<scheme>https?):/+(?P<rest>.+)$")
_IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def source_url(source: object) -> str:
    """The address or citation of a source as written (a string, or an override's ``url``)."""
    url = getattr(source, "url", source)
    return str(url)


def host_of(url: str) -> str | None:
    """Lower-case host without ``www.`` and port; None for a citation (no scheme)."""
    if not url.startswith(("http://", "https://")):
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


@dataclass(frozen=True)
class Classified:
    """The tier of one source, or why it is refused."""

    url: str
    tier: Tier | None
    problem: str | None = None


@dataclass(frozen=True)
class SourceRegistry:
    """The reviewed registry: domains by tier, refused domains, tracking parameters."""

    tiers: dict[str, Tier] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    refused_prefixes: dict[str, str] = field(default_factory=dict)
    tracking: tuple[str, ...] = ()
    official_citations: tuple[re.Pattern[str], ...] = ()
    #: Classification is pure; answers classify the same few hundred sources again and again.
    _memo: dict[object, Classified] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        *,
        official: Iterable[str],
        press: Iterable[str],
        secondary: Iterable[str],
        refused: dict[str, str],
        tracking: Iterable[str],
        refused_prefixes: dict[str, str] | None = None,
        official_citations: Iterable[str],
    ) -> SourceRegistry:
        tiers: dict[str, Tier] = {}
        for tier, domains in (("official", official), ("press", press), ("secondary", secondary)):
            for domain in domains:
                tiers[domain.lower()] = tier  # type: ignore[assignment]
        return cls(
            tiers=tiers,
            refused={k.lower(): v for k, v in refused.items()},
            refused_prefixes={k.lower(): v for k, v in (refused_prefixes or {}).items()},
            tracking=tuple(tracking),
            official_citations=tuple(re.compile(p) for p in official_citations),
        )

    def _lookup(self, host: str, table: dict[str, str]) -> str | None:
        # A domain covers its subdomains: un.org answers for treaties.un.org.
        parts = host.split(".")
        for i in range(len(parts) - 1):
            found = table.get(".".join(parts[i:]))
            if found is not None:
                return found
        return None

    def tracking_in(self, url: str) -> list[str]:
        """Tracking parameters in an address's query (``utm_source``, ``fbclid`` ...)."""
        query = urlsplit(url).query
        names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
        return [n for n in names if any(fnmatchcase(n.lower(), p) for p in self.tracking)]

    def classify(self, source: object) -> Classified:
        """The tier of a source (an override's own tier wins over its domain's)."""
        found = self._memo.get(source)
        if found is None:
            found = self._classify(source)
            if len(self._memo) < 100_000:
                self._memo[source] = found
        return found

    def _classify(self, source: object) -> Classified:
        url = source_url(source)
        override: Tier | None = getattr(source, "tier", None)
        host = host_of(url)
        if host is None:
            if override is not None:
                return Classified(url, override)
            if any(p.search(url) for p in self.official_citations):
                return Classified(url, "official")
            return Classified(
                url,
                None,
                "a citation without an address must be an official reference "
                "(ICC-..., C.N. ..., S/RES/...) or be written {url: ..., tier: ...}",
            )
        tracked = self.tracking_in(url)
        if tracked:
            return Classified(
                url, None, f"tracking parameter(s) {', '.join(tracked)} in {url}: remove them"
            )
        archived = _ARCHIVE.match(url)
        if archived and override is None:
            inner = self._classify(f"{archived.group('scheme')}://{archived.group('rest')}")
            return Classified(url, inner.tier, inner.problem)
        if _IP.match(host):
            return Classified(url, None, f"{host} is a bare IP address: cite the site's name")
        where = host + urlsplit(url).path.lower()
        moved = next((v for k, v in self.refused_prefixes.items() if where.startswith(k)), None)
        if moved is not None:
            return Classified(url, None, f"moved page {url}: {moved}")
        reason = self._lookup(host, self.refused)
        if reason is not None:
            return Classified(url, None, f"refused domain {host} ({reason})")
        if override is not None:
            return Classified(url, override)
        tier = self._lookup(host, self.tiers)  # type: ignore[arg-type]
        if tier is None:
            return Classified(
                url,
                None,
                f"unknown domain {host}: add it to source_tiers.yaml (with its tier) "
                "after review, or cite another source",
            )
        return Classified(url, tier)  # type: ignore[arg-type]

    def tiered(self, sources: Iterable[object]) -> list[Classified]:
        """Sources with their tiers, official first then press then secondary (stable)."""
        out = [self.classify(s) for s in sources]
        return sorted(out, key=lambda c: TIER_ORDER.get(c.tier or "", 3))
