"""An operation drawn from randomised families (the scenario grid's campaign).

Seeders post talking points (narratives.py); for each amplified post a squad is drawn at random
from the amplifier pool, so pairs of amplifiers share few posts while the pool shares many; the
squad reshares the post (mode `reshares`) or posts a paraphrase of it (`paraphrase`), a third of
them in Chinese translation (`translated`), after a latency around the scenario's scale. Who the
accounts seem to be, when they work and how they were made come from an OperatorFamily.
"""

from __future__ import annotations

import numpy as np

from .campaign import STATE_SITES, reach
from .core import (
    DAY_MS,
    FIRST_SNOWFLAKE_DAY,
    HOUR_MS,
    ORIGINAL,
    RESHARE,
    Accounts,
    Posts,
    day_number,
    local_times,
    pick_weighted,
    tco,
    user_ids,
)
from .families import OperatorFamily, region
from .narratives import NARRATIVES, point
from .negatives import old_history
from .organic import add_actions, choose_targets, compose
from .population import Handles, bios, organic_accounts, person_handle
from .scenario import LAGS, SQUADS, Scenario


def operation(rng: np.random.Generator, acc: Accounts, handles: Handles, posts: Posts,
              sc: Scenario, fam: OperatorFamily, n_seeders: int, n_amplifiers: int,
              critics: np.ndarray, ext_pool: np.ndarray, audience: np.ndarray, first_day: int,
              last_day: int) -> dict[str, int]:
    """Create the operation's accounts and activity; returns its counts (for simulation.json)."""
    n = n_seeders + n_amplifiers
    roles = ["seeder"] * n_seeders + ["amplifier"] * n_amplifiers
    camp_lo = first_day + 4
    n_hij = min(round(fam.hijacked_share * n), n)
    hij = np.zeros(n, bool)
    hij[rng.choice(n, n_hij, replace=False)] = True
    who = np.empty(n, np.int64)
    start_day = np.full(n, camp_lo, np.int64)
    if n_hij:
        who[hij] = _hijacked(rng, acc, handles, posts, n_hij)
        start_day[hij] = camp_lo + rng.integers(0, 10, n_hij)
    who[~hij] = _personas(rng, acc, handles, fam, n - n_hij, camp_lo)
    clients = pick_weighted(rng, fam.clients, n)
    for j, a in enumerate(who):
        acc.cols["label"][a] = "campaign"
        acc.cols["role"][a] = roles[j]
        acc.cols["group"][a] = "campaign"
        acc.cols["client"][a] = clients[j]
        acc.cols["tz_min"][a] = fam.tz_min

    seeds, nar, tmpl, picks, critic_of = _seeder_posts(rng, acc, posts, fam, sc, who[:n_seeders],
                                                       start_day[:n_seeders], last_day, critics)
    amplified = _amplify(rng, acc, posts, fam, sc, who[n_seeders:], start_day[n_seeders:], seeds,
                         nar, tmpl, picks, critic_of, critics)
    _cover(rng, acc, posts, fam, who, start_day, last_day, ext_pool)
    reach(rng, acc, posts, seeds, audience)
    return {"campaign_accounts": n, "seeders": n_seeders, "amplifiers": n_amplifiers,
            "hijacked": int(n_hij), "seeder_posts": len(seeds), "amplifications": amplified}


def _personas(rng: np.random.Generator, acc: Accounts, handles: Handles, fam: OperatorFamily,
              n: int, camp_lo: int) -> np.ndarray:
    """Invented accounts from the family's name pools, handle styles and creation pattern."""
    pools = (region(fam.persona_pool), region(fam.second_pool))
    second = rng.random(n) < 0.2
    in_batch = rng.random(n) < fam.batch_share
    batch_days = camp_lo - 10 - rng.choice(np.arange(5, 200), fam.n_batches, replace=False)
    batch = rng.integers(0, fam.n_batches, n)
    # a batch is registered in one sitting, in the operator's working morning
    morning = (fam.start_hour * 60 - fam.tz_min) * 60_000
    batch_ms = (batch_days[batch] * DAY_MS + morning + rng.integers(0, 3 * HOUR_MS, n))
    lo = min(fam.created_from, camp_lo - 30)
    spread = rng.integers(lo, camp_lo - 20, n) * DAY_MS + rng.integers(0, DAY_MS, n)
    created = np.where(in_batch, batch_ms, spread)
    styles = pick_weighted(rng, fam.handle_styles, n)
    u = rng.random((n, 8))
    west_bios = bios(rng, n)
    hs, names, places, langs, traits = [], [], [], [], []
    for j in range(n):
        r = pools[int(second[j])]
        first = r.first[int(u[j, 0] * len(r.first))]
        last = r.last[int(u[j, 1] * len(r.last))]
        hs.append(handles.claim(rng, person_handle(first, last, styles[j], u[j, 2:7])))
        names.append(f"{first} {last}")
        places.append(r.places[int(u[j, 7] * len(r.places))] if fam.persona_location == "own"
                      else "")
        w = np.array([x for _, x in r.langs])
        langs.append(r.langs[int(np.searchsorted(np.cumsum(w) / w.sum(), u[j, 6],
                                                 side="right").clip(0, len(w) - 1))][0])
        t = [f"persona_{r.key}"] + (["batch_created"] if in_batch[j] else [])
        if styles[j] == "name_digits":
            t.append("name_digits_handle")
        traits.append(";".join(t))
    followers = np.floor(rng.lognormal(np.log(fam.followers_median), 1.1, n)).astype(np.int64)
    return acc.add(uid=user_ids(created, rng), created_ms=created, handle=hs, name=names,
                   location=places, bio=west_bios, lang=langs, followers=followers,
                   following=np.floor(rng.lognormal(5.0, 0.8, n)).astype(np.int64),
                   popularity=(followers + 1.0) ** 0.85, traits=traits)


def _hijacked(rng: np.random.Generator, acc: Accounts, handles: Handles, posts: Posts,
              n: int) -> np.ndarray:
    """Dormant accounts of real-looking people with an old life, taken over unchanged."""
    from .lexicon import CLIENTS_OLD

    who = organic_accounts(rng, acc, handles, n, day_number(2013, 12, 31), first_year=2009)
    created = acc.array("created_ms")[who]
    start = np.maximum(created // DAY_MS + 1, FIRST_SNOWFLAKE_DAY)
    end = np.minimum(start + rng.integers(200, 1300, n), day_number(2015, 6, 1))
    start = np.minimum(start, end - 30)
    counts = np.ceil(rng.lognormal(3.4, 0.8, n)).astype(np.int64)
    old_history(rng, acc, posts, who, start, end, counts, pick_weighted(rng, CLIENTS_OLD, n))
    for a in who:
        acc.cols["traits"][a] = "hijacked"
    return who


def _times(rng: np.random.Generator, fam: OperatorFamily, lo: np.ndarray, hi: np.ndarray
           ) -> np.ndarray:
    n = len(lo)
    return local_times(rng, np.full(n, fam.tz_min), lo, hi, fam.weekday(), fam.weekend(),
                       fam.weekend_factor, rng.normal(0, 20, n).astype(np.int64))


def _seeder_posts(rng: np.random.Generator, acc: Accounts, posts: Posts, fam: OperatorFamily,
                  sc: Scenario, seeders: np.ndarray, start_day: np.ndarray, last_day: int,
                  critics: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[int],
                                                list[dict[str, int]], np.ndarray]:
    """The talking points; returns post indices and, per post, narrative, template, slot
    picks and critic (so copies can say the same thing)."""
    k = len(seeders)
    if sc.posts is not None:
        counts = rng.multinomial(sc.posts, np.full(k, 1 / k))
    else:
        counts = np.maximum(1, np.round(rng.lognormal(np.log(fam.posts_per_seeder), 0.5, k))
                            ).astype(np.int64)
    owner = np.repeat(np.arange(k), counts)
    ms = _times(rng, fam, start_day[owner], np.full(len(owner), last_day))
    order = np.argsort(ms, kind="stable")
    owner, ms = owner[order], ms[order]
    nw = np.array([x.weight for x in NARRATIVES])
    nar = np.minimum(np.searchsorted(np.cumsum(nw) / nw.sum(), rng.random(len(owner)),
                                     side="right"), len(NARRATIVES) - 1)
    critic_of = rng.integers(0, len(critics), len(owner))
    links = tco(rng, len(owner))
    texts, langs, tags, truth, media, urls, ments, tmpl, picks = ([] for _ in range(9))
    for i in range(len(owner)):
        x = NARRATIVES[nar[i]]
        c = int(critic_of[i])
        info = (acc.cols["name"][critics[c]], acc.cols["handle"][critics[c]], c)
        lang = "zh" if rng.random() < fam.zh_share else "en"
        text, tid, tg, (t, p) = point(rng, x, lang, info)
        url = None
        if rng.random() < 0.12:
            site = STATE_SITES[int(rng.integers(0, len(STATE_SITES)))]
            url = [f"https://www.{site}/2021/{x.key.replace('_', '-')}-{i % 97}"]
            text += " " + links[i]
        cartoon = None
        if x.cartoon and rng.random() < 0.35:
            base = int(nar[i]) if x.key != "critic_smear" else len(NARRATIVES) + c % 2
            cartoon = ("cartoon", str(base))
        texts.append(text)
        langs.append(lang)
        tags.append(tg or None)
        truth.append((x.key, tid))
        media.append(cartoon)
        urls.append(url)
        ments.append([int(critics[c])] if f"@{info[1]}" in text else None)
        tmpl.append(t)
        picks.append(p)
    idx = posts.add(ms, seeders[owner], ORIGINAL, texts, langs,
                    [acc.cols["client"][a] for a in seeders[owner]], hashtags=tags, urls=urls,
                    mentions=ments, media=media, truth=truth)
    return idx, nar, tmpl, picks, critic_of


def _amplify(rng: np.random.Generator, acc: Accounts, posts: Posts, fam: OperatorFamily,
             sc: Scenario, amps: np.ndarray, start_day: np.ndarray, seeds: np.ndarray,
             nar: np.ndarray, tmpl: list[int], picks: list[dict[str, int]],
             critic_of: np.ndarray, critics: np.ndarray) -> int:
    """For each amplified seeder post, a squad drawn at random from the pool acts on it."""
    if len(amps) == 0 or len(seeds) == 0:
        return 0
    p_ms = posts.column("ms")[seeds]
    n_amp = round(sc.amplified * len(seeds))
    chosen = np.sort(rng.choice(len(seeds), n_amp, replace=False))
    lo_k, hi_k = SQUADS[sc.squad or "8-15"]
    med_s, sigma = LAGS[sc.lag or "minutes"]
    # some amplifiers are keener than others; each has a personal pace around the scale
    keen = rng.lognormal(0, 0.5, len(amps))
    pace = rng.lognormal(0, fam.lag_sigma_extra, len(amps))
    src_l, amp_l = [], []
    for i in chosen:
        active = np.flatnonzero(start_day * DAY_MS <= p_ms[i])
        if len(active) == 0:
            continue
        k = min(int(rng.integers(lo_k, hi_k + 1)), len(active))
        # k accounts without replacement, weighted by keenness (Gumbel top-k)
        g = np.log(keen[active]) - np.log(-np.log(rng.random(len(active))))
        squad = active[np.argpartition(-g, k - 1)[:k]]
        src_l.extend([int(i)] * k)
        amp_l.extend(squad.tolist())
    src = np.array(src_l, np.int64)
    amp = np.array(amp_l, np.int64)
    lat = rng.lognormal(np.log(med_s * 1000), sigma, len(src)) * pace[amp]
    t = p_ms[src] + lat.astype(np.int64) + 2000
    if sc.mode == "reshares":
        add_actions(rng, acc, posts, amps[amp], t, np.full(len(src), RESHARE, np.int8),
                    seeds[src])
        return len(src)
    texts, langs, truth, tags = [], [], [], []
    for i in src.tolist():
        seed_lang = posts.lang[seeds[i]]
        lang = seed_lang
        if sc.mode == "translated" and rng.random() < 1 / 3:
            lang = "en" if seed_lang == "zh" else "zh"
        same = rng.random() < 0.6
        c = int(critic_of[i])
        info = (acc.cols["name"][critics[c]], acc.cols["handle"][critics[c]], c)
        text, tid, tg, _ = point(rng, NARRATIVES[nar[i]], lang, info,
                                 template=tmpl[i] if same else None, picks=picks[i],
                                 paraphrase=True)
        texts.append(text)
        langs.append(lang)
        truth.append((NARRATIVES[nar[i]].key, tid))
        tags.append(tg or None)
    order = np.argsort(t, kind="stable")
    ol = order.tolist()
    posts.add(t[order], amps[amp][order], ORIGINAL, [texts[i] for i in ol],
              [langs[i] for i in ol], [acc.cols["client"][a] for a in amps[amp][order]],
              hashtags=[tags[i] for i in ol], truth=[truth[i] for i in ol])
    return len(src)


def _cover(rng: np.random.Generator, acc: Accounts, posts: Posts, fam: OperatorFamily,
           who: np.ndarray, start_day: np.ndarray, last_day: int, ext_pool: np.ndarray) -> None:
    """Everyday cover activity on the operator's hours: small talk, reshares of popular posts."""
    counts = rng.poisson(5, len(who))
    owner = np.repeat(np.arange(len(who)), counts)
    ms = _times(rng, fam, start_day[owner], np.full(len(owner), last_day))
    is_rt = rng.random(len(owner)) < 0.5
    pop = acc.array("popularity", np.float64)
    tg = choose_targets(rng, who[owner[is_rt]], ms[is_rt], ext_pool,
                        posts.column("author")[ext_pool], posts.column("ms")[ext_pool], pop,
                        3600.0, 1.5)
    rt_owner = owner[is_rt][tg >= 0]
    add_actions(rng, acc, posts, who[rt_owner], ms[is_rt][tg >= 0],
                np.full(len(rt_owner), RESHARE, np.int8), tg[tg >= 0])
    o = owner[~is_rt]
    langs = [acc.cols["lang"][who[j]] for j in o]
    posts.add(ms[~is_rt], who[o], ORIGINAL, compose(rng, langs), langs,
              [acc.cols["client"][who[j]] for j in o])
