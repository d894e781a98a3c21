"""Client apps: the software an account posts with.

Operations post through automation and scheduling tools, or run every account from one browser.
The signal fires on:

- `automation_client`: posts through a bot or automation service (twittbot.net, IFTTT, Zapier,
  dlvr.it's autoposting, ...) — at least `min_share` of the account's posts;
- `scheduling_client`: through a scheduling suite (Buffer, Hootsuite, SocialFlow, ...), which
  newsrooms and brands use in the open, so it is weak evidence on its own;
- `single_web_client`: every one of at least `min_posts_single` posts from the official web
  client and nothing else (no phone ever): weak.

Client names are matched case-insensitively on the configured substrings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .. import config
from .base import Fired, NotComputable, Signal, SignalContext, register
from .features import noisy_or, rounded, rows, shares

AUTOMATION = ["twittbot", "ifttt", "zapier", "botize", "cheap bots", "autotweet", "tweetbot.net",
              "roundteam", "tweepy", "python-twitter", "twitter api", "sendible", "socialoomph",
              "dlvr.it", "twitterfeed", "make.com", "integromat", "microsoft power platform"]
SCHEDULING = ["buffer", "hootsuite", "socialflow", "sprout social", "sprinklr", "later.com",
              "later media", "falcon.io", "agorapulse", "echobox", "publer", "coschedule",
              "loomly", "socialbee", "meet edgar"]
WEB = ["twitter web client", "twitter web app", "twitter.com", "x web app"]
WEIGHTS = {"automation_client": 0.6, "scheduling_client": 0.25, "single_web_client": 0.2}


def client_family(client: str) -> str:
    """A client name folded to its family, so renames and device variants of the official apps
    count as one (Twitter Web Client became Twitter Web App; iPhone and iPad are one user)."""
    c = client.casefold().strip()
    if any(w in c for w in WEB):
        return "official web"
    if any(k in c for k in ("iphone", "ipad", "for ios", "for mac")):
        return "official ios"
    if "android" in c:
        return "official android"
    return c


def client_kind(client: str, automation: list[str], scheduling: list[str]) -> str | None:
    """'automation', 'scheduling' or None for one client name."""
    c = client.casefold()
    if any(k in c for k in automation):
        return "automation"
    if any(k in c for k in scheduling):
        return "scheduling"
    return None


@config.section("signals.client_apps")
@dataclass
class ClientAppsParams:
    automation: list = config.param(AUTOMATION, "substrings naming automation/bot clients")
    scheduling: list = config.param(SCHEDULING, "substrings naming scheduling suites")
    min_share: float = config.param(
        0.2, "least share of an account's posts through such a client")
    min_posts_single: int = config.param(
        20, "single_web_client: posts needed before 'only ever the web client' is judged")
    weights: dict = config.param(
        WEIGHTS, "strength of each client finding (combined by noisy-OR; entries given replace "
                 "the defaults one by one)")


@register
class ClientApps(Signal):
    """Posts through automation or scheduling clients, or only ever one web client."""

    name = "client_apps"
    description = "posts through automation or scheduling clients, or only one web client"
    disarm = ("T0146.007",)
    requires = ("client",)

    def compute(self, ctx: SignalContext) -> list[Fired]:
        p: ClientAppsParams = self.params(ctx)
        got = rows(ctx.con, "SELECT author_id, client, count(*) FROM posts "
                            "WHERE client IS NOT NULL AND client <> '' GROUP BY ALL ORDER BY ALL")
        if not got:
            raise NotComputable("no post names its client")
        per: dict[str, Counter] = defaultdict(Counter)
        for acc, client, n in got:
            per[acc][client] += n
        weights = {**WEIGHTS, **p.weights}
        out = []
        for acc, counts in per.items():
            total = sum(counts.values())
            found: dict[str, dict] = {}
            for kind in ("automation", "scheduling"):
                hits = Counter({c: n for c, n in counts.items()
                                if client_kind(c, p.automation, p.scheduling) == kind})
                if hits and sum(hits.values()) / total >= p.min_share:
                    found[f"{kind}_client"] = {"clients": shares(hits),
                                               "share": rounded(sum(hits.values()) / total, 3)}
            families = {client_family(c) for c in counts}
            if total >= p.min_posts_single and families == {"official web"}:
                found["single_web_client"] = {"client": sorted(counts)[0], "posts": total}
            if found:
                out.append(Fired(acc, noisy_or(weights.get(k, 0.0) for k in found),
                                 {"findings": found, "posts": total,
                                  "clients": shares(counts, top=5)}))
        return out
