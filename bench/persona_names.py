"""Rebuild `signals/data/personas.json`'s first names from a published name dictionary.

Source: Jörg Michael's `nam_dict.txt` (2008, GNU Free Documentation License 1.2; distributed in
the PyPI package `gender-guesser` 0.4.0, which only this script needs). For each first name it
gives a frequency per country on a logarithmic scale (10 = at least 2 % of the population, each
step a factor of two, so 6 = 0.125-0.25 %).

A first name claims the countries where it is common (frequency at least `COMMON`); the claim
expects the languages of those countries (and English, posted everywhere) and their UTC offsets,
standard to daylight time (`COUNTRIES`, from the countries' official languages and time zones).

    PYTHONPATH=src .venv/bin/python -m bench.persona_names   # rewrites the names in place
"""

from __future__ import annotations

import json
from pathlib import Path

# nam_dict.txt's frequency columns, in order, with each country's languages (ISO 639-1) and the
# range of its UTC offsets (standard to daylight time). "other_countries" claims nothing.
COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[int, int]] | None] = {
    "great_britain": (("en",), (0, 1)), "ireland": (("en", "ga"), (0, 1)),
    "usa": (("en", "es"), (-10, -4)), "italy": (("it",), (1, 2)),
    "malta": (("mt", "en"), (1, 2)), "portugal": (("pt",), (-1, 1)),
    "spain": (("es", "ca", "eu", "gl"), (0, 2)), "france": (("fr",), (1, 2)),
    "belgium": (("nl", "fr", "de"), (1, 2)), "luxembourg": (("lb", "fr", "de"), (1, 2)),
    "the_netherlands": (("nl",), (1, 2)), "east_frisia": (("de",), (1, 2)),
    "germany": (("de",), (1, 2)), "austria": (("de",), (1, 2)),
    "swiss": (("de", "fr", "it", "rm"), (1, 2)), "iceland": (("is",), (0, 0)),
    "denmark": (("da",), (1, 2)), "norway": (("no", "nb", "nn"), (1, 2)),
    "sweden": (("sv",), (1, 2)), "finland": (("fi", "sv"), (2, 3)),
    "estonia": (("et", "ru"), (2, 3)), "latvia": (("lv", "ru"), (2, 3)),
    "lithuania": (("lt",), (2, 3)), "poland": (("pl",), (1, 2)),
    "czech_republic": (("cs",), (1, 2)), "slovakia": (("sk",), (1, 2)),
    "hungary": (("hu",), (1, 2)), "romania": (("ro",), (2, 3)),
    "bulgaria": (("bg",), (2, 3)), "bosnia": (("bs", "hr", "sr"), (1, 2)),
    "croatia": (("hr",), (1, 2)), "kosovo": (("sq", "sr"), (1, 2)),
    "macedonia": (("mk", "sq"), (1, 2)), "montenegro": (("sr",), (1, 2)),
    "serbia": (("sr",), (1, 2)), "slovenia": (("sl",), (1, 2)), "albania": (("sq",), (1, 2)),
    "greece": (("el",), (2, 3)), "russia": (("ru",), (2, 12)),
    "belarus": (("be", "ru"), (3, 3)), "moldova": (("ro", "ru"), (2, 3)),
    "ukraine": (("uk", "ru"), (2, 3)), "armenia": (("hy", "ru"), (4, 4)),
    "azerbaijan": (("az", "ru"), (4, 4)), "georgia": (("ka", "ru"), (4, 4)),
    "the_stans": (("kk", "uz", "ky", "tg", "tk", "ru"), (5, 6)),
    "turkey": (("tr",), (3, 3)), "arabia": (("ar", "fa"), (0, 5)),
    "israel": (("he", "ar"), (2, 3)), "china": (("zh",), (8, 8)),
    "india": (("hi", "bn", "ta", "te", "mr", "ur", "gu", "kn", "ml", "pa", "si"), (5, 6)),
    "japan": (("ja",), (9, 9)), "korea": (("ko",), (9, 9)), "vietnam": (("vi",), (7, 7)),
    "other_countries": None,
}
COMMON = 6  # 0.125 % of the population or more
OUT = Path(__file__).resolve().parents[1] / "src/inconcert/signals/data/personas.json"


def common_names(path: Path) -> dict[str, list[str]]:
    """{lower-case first name: countries where it is common} from nam_dict.txt."""
    cols = list(COUNTRIES)
    out: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        # '#' comments, '=' equivalences; '+' in column 30 marks a duplicate umlaut spelling.
        if not line or line[0] in "#=" or (len(line) > 29 and line[29] == "+"):
            continue
        name = line.split()[1].replace("+", "")
        if len(name) < 3:
            continue
        for col, ch in zip(cols, line[30:30 + len(cols)], strict=False):
            if ch.strip() and COUNTRIES[col] and int(ch, 16) >= COMMON:
                out.setdefault(name.lower(), set()).add(col)
    return {n: sorted(c) for n, c in sorted(out.items())}


def main() -> None:
    import gender_guesser  # only this script needs it

    src = Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt"
    data = json.loads(OUT.read_text(encoding="utf-8"))
    for old in ("western_first_names", "western_name_claim"):
        data.pop(old, None)
    data["first_names"] = common_names(src)
    data["name_countries"] = {c: {"langs": sorted({*v[0], "en"}), "utc": list(v[1])}
                              for c, v in COUNTRIES.items() if v}
    data["_names_source"] = (
        "first_names: each first name with the countries where its frequency is at least 6 "
        "(0.125 % of the population) in Joerg Michael's nam_dict.txt (2008, GNU FDL 1.2, shipped "
        "in the PyPI package gender-guesser 0.4.0); name_countries: each country's official "
        "languages plus English, and its UTC offsets standard to daylight time. Rebuilt by "
        "bench/persona_names.py")
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                   encoding="utf-8")
    print(f"{len(data['first_names'])} names -> {OUT}")


if __name__ == "__main__":
    main()
