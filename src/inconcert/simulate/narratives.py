"""The campaign's talking points: English templates with slots, Chinese translations of the same
points, light paraphrase. Every rendered post keeps its narrative and template id (ground truth
for narrative clustering). The critics named are the simulation's fictional critics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Narrative:
    """One talking point: templates per language over shared slots (the same slot index gives
    the same meaning in every language, so a Chinese post translates an English one)."""

    key: str
    weight: float
    en: tuple[str, ...]
    zh: tuple[str, ...]
    slots: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    tags: tuple[str, ...]
    cartoon: bool


NARRATIVES: tuple[Narrative, ...] = (
    Narrative(
        "us_rights_hypocrisy", 0.20,
        ("The US lectures the world on human rights while {problem}. Clean your own house first!",
         "{Problem} — and Washington still dares to talk about human rights? The hypocrisy is "
         "staggering.",
         "Imagine preaching democracy to others when {problem}. America has no moral high ground.",
         "Every day in America {problem}. Yet the US media only wants to talk about China.",
         "So-called 'leader of the free world': {problem}. Spare us the lectures."),
        ("美国一边对世界大谈人权，一边{problem}。先管好自己吧！",
         "{problem}，华盛顿还有脸谈人权？虚伪至极。",
         "每天在美国，{problem}。美国媒体却只想谈论中国。"),
        {"problem": (("gun violence kills over 100 people a day", "Asian Americans are attacked "
                      "in the street", "police brutality goes unpunished", "millions have no "
                      "health insurance", "children are shot in their classrooms",
                      "racism is everywhere"),
                     ("每天有一百多人死于枪支暴力", "亚裔在街头遭到袭击", "警察暴力无人追究",
                      "数百万人没有医疗保险", "孩子们在教室里被枪杀", "种族主义无处不在"))},
        ("USHypocrisy", "HumanRights"), True),
    Narrative(
        "xinjiang_denial", 0.22,
        ("Xinjiang is peaceful and prosperous. The so-called '{lie}' is a lie invented by {who}.",
         "I have seen the real {place}: happy people, new schools, busy markets. Stop spreading "
         "lies about Xinjiang!",
         "The Western media keeps repeating the '{lie}' story with zero evidence. Shameful.",
         "Uyghur friends in {place} are living better than ever. Why won't the West listen to "
         "them?"),
        ("新疆和平繁荣。所谓的“{lie}”是{who}编造的谎言。",
         "我亲眼看到真实的{place}：人民幸福，学校崭新，市场繁忙。停止抹黑新疆！",
         "西方媒体毫无证据地重复“{lie}”的故事。可耻。"),
        {"lie": (("forced labour", "genocide", "detention camps", "cotton slavery"),
                 ("强迫劳动", "种族灭绝", "拘留营", "棉花奴役")),
         "who": (("anti-China forces", "Western think tanks", "a few paid liars",
                  "the CIA"), ("反华势力", "西方智库", "几个收钱的骗子", "中情局")),
         "place": (("Kashgar", "Urumqi", "Hotan", "Turpan"),
                   ("喀什", "乌鲁木齐", "和田", "吐鲁番"))},
        ("Xinjiang", "XinjiangIsAGreatPlace"), True),
    Narrative(
        "us_afghanistan_defeat", 0.14,
        ("After {years} years the US leaves Afghanistan in chaos. This is what American "
         "'freedom' looks like.",
         "The US war in Afghanistan: {years} years, trillions of dollars, total defeat.",
         "America abandons its allies again. Afghanistan today, who tomorrow?"),
        ("美国在阿富汗{years}年，留下的只有混乱。这就是美式“自由”。",
         "美国的阿富汗战争：{years}年，数万亿美元，彻底失败。",
         "美国再次抛弃盟友。今天是阿富汗，明天是谁？"),
        {"years": (("20", "twenty"), ("20", "二十"))},
        ("Afghanistan", "USDefeat"), True),
    Narrative(
        "us_poor_ally", 0.12,
        ("India is suffering and the US sends {aid}. Some ally! Remember who your real friends "
         "are.",
         "When India needed help, America {action}. 'America first' means everyone else last.",
         "The US hoards vaccines while India burns. What kind of partner is that?"),
        ("印度疫情严重，美国却只送来{aid}。这就是所谓的盟友！",
         "印度需要帮助的时候，美国{action}。“美国优先”意味着其他人都排在最后。",
         "美国囤积疫苗，印度却在燃烧。这算什么伙伴？"),
        {"aid": (("empty promises", "a few planes of old supplies", "thoughts and prayers"),
                 ("空头承诺", "几架飞机的旧物资", "所谓的关心和祈祷")),
         "action": (("blocked vaccine materials", "looked away", "counted its profits"),
                    ("卡住了疫苗原料", "视而不见", "只顾着算自己的利润"))},
        ("IndiaCovid", "AmericaFirst"), False),
    Narrative(
        "china_vaccine_aid", 0.14,
        ("China has delivered {doses} vaccine doses to {n} countries. Real help, not empty "
         "words.",
         "While others talk, China acts: {doses} doses shipped to the developing world.",
         "Thank you China for the vaccines! {country} will never forget."),
        ("中国已向{n}个国家提供了{doses}剂疫苗。这是真正的帮助，不是空话。",
         "别人还在空谈，中国已经行动：{doses}剂疫苗运往发展中国家。",
         "感谢中国的疫苗！{country}永远不会忘记。"),
        {"doses": (("300 million", "half a billion", "100 million"), ("3亿", "5亿", "1亿")),
         "n": (("80", "100", "60"), ("80", "100", "60")),
         "country": (("Pakistan", "Serbia", "Indonesia", "Chile"),
                     ("巴基斯坦", "塞尔维亚", "印度尼西亚", "智利"))},
        ("ChinaVaccine", "VaccineAid"), False),
    Narrative(
        "critic_smear", 0.18,
        ("{critic} is a fraud who sells lies for money. Don't believe a word. @{handle}",
         "Who pays {critic}? Follow the money and you'll find the truth.",
         "{critic} has been spreading fake stories about China for years. Time to stop listening.",
         "The 'expert' {critic} was caught lying again. Pathetic.",
         "@{handle} you are a puppet of anti-China forces. Shame on you!"),
        ("{critic}是个靠造谣赚钱的骗子。不要相信他说的任何一句话。",
         "谁在给{critic}付钱？跟着钱走就知道真相。",
         "{critic}多年来一直在散布关于中国的假新闻。该醒醒了。"),
        {},  # the critic slot is filled from the critics' accounts
        ("LiarExposed", "FakeNews"), True),
)
CRITIC_ZH = ("哈特威尔", "范德尔", "乔仁山", "科瓦尔奇克")
SMEAR_REPLIES = (
    ("Liar. Everyone knows you are paid to say this.", "Nobody believes you anymore.",
     "How much did they pay you for this one?", "Another fake story from a known liar 🤡",
     "Stop spreading rumours about China!", "Shame on you. You sold your soul."),
    ("骗子，大家都知道你是收钱说这些的。", "没有人再相信你了。", "这次他们给了你多少钱？",
     "停止造谣中国！", "可耻，你出卖了自己的良心。"),
)
_SYNONYMS = (("lie", "fabrication"), ("staggering", "unbelievable"), ("Shameful", "Disgraceful"),
             ("chaos", "ruins"), ("Stop", "Quit"), ("happy", "cheerful"), ("real", "true"),
             ("Pathetic", "Sad"), ("fraud", "con artist"), ("lectures", "preaches to"),
             ("total defeat", "complete failure"), ("Real help", "Real support"),
             ("never forget", "always remember"), ("busy", "bustling"))
_TAILS_EN = ("", "", "", " 😡", " 👍", "!!", " 🇨🇳", " #Truth", " Wake up!")
_TAILS_ZH = ("", "", "！", " 👍", " 🇨🇳", "！！")


def render(rng: np.random.Generator, nar: Narrative, lang: str, critic: tuple[str, str, int]
           ) -> tuple[str, str, list[str]]:
    """One post of a narrative: (text, template id, hashtags). `critic` is (name, handle, i)."""
    text, tid, tags, _ = point(rng, nar, lang, critic)
    return text, tid, tags


_LEAD_INS = ("Exactly.", "Read this:", "So true:", "This 👇", "Facts:", "Say it louder:",
             "Well said.", "Agree 100%.", "Important:", "Nobody talks about this:")


def point(rng: np.random.Generator, nar: Narrative, lang: str, critic: tuple[str, str, int],
          template: int | None = None, picks: dict[str, int] | None = None,
          paraphrase: bool = False) -> tuple[str, str, list[str], tuple[int, dict[str, int]]]:
    """A talking point rendered in `lang`: (text, template id, hashtags, (template, slot picks)).

    Given `template` and `picks` (of an earlier post) it says the same thing again: the same
    slot values, in Chinese a translation of them; `paraphrase` rewords more (synonyms more
    often, a lead-in now and then).
    """
    templates = nar.zh if lang == "zh" else nar.en
    t = int(rng.integers(0, len(templates))) if template is None else template % len(templates)
    values: dict[str, str] = {}
    chosen: dict[str, int] = {}
    for slot, (en, zh) in nar.slots.items():
        k = int(rng.integers(0, len(en))) if picks is None else picks[slot]
        chosen[slot] = k
        values[slot] = zh[k] if lang == "zh" else en[k]
        values[slot.capitalize()] = values[slot][:1].upper() + values[slot][1:]
    values["critic"] = CRITIC_ZH[critic[2] % len(CRITIC_ZH)] if lang == "zh" else critic[0]
    values["handle"] = critic[1]
    text = templates[t].format(**values)
    p_syn = 0.6 if paraphrase else 0.3
    if lang != "zh":
        for a, b in _SYNONYMS:
            if a in text and rng.random() < p_syn:
                text = text.replace(a, b)
        if paraphrase and rng.random() < 0.5:
            text = f"{_LEAD_INS[int(rng.integers(0, len(_LEAD_INS)))]} {text}"
        text += _TAILS_EN[int(rng.integers(0, len(_TAILS_EN)))]
    else:
        text += _TAILS_ZH[int(rng.integers(0, len(_TAILS_ZH)))]
    tags = [str(x) for x in nar.tags if rng.random() < 0.55]
    if tags:
        text += " " + " ".join(f"#{x}" for x in tags)
    return text, f"{nar.key}.{lang}.{t}", tags, (t, chosen)
