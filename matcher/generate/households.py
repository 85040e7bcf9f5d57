"""Households with recurring support: elderly people living alone, families in difficulty.

A household is where a home visit happens; its category, languages and notes
are those a residents' committee keeps (the seed programme's 独居老人,
低保家庭 and 留守儿童), at synthetic addresses in the community's buildings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.domain import Gender, Household, HouseholdCategory
from matcher.generate.vocabulary import ELDER_SURNAMES, HOUSEHOLD_CATEGORIES

_H = HouseholdCategory

#: How often each of HOUSEHOLD_CATEGORIES occurs.
_HOUSEHOLD_P = (0.45, 0.2, 0.12, 0.18, 0.05)


def draw_households(rng: np.random.Generator, count: int, areas: Sequence[str]) -> list[Household]:
    """Households with recurring support, at synthetic addresses.

    Parameters
    ----------
    rng
        Draws category, area, address, gender, languages, ages and surname.
    count
        Number of households.
    areas
        Names of the grid areas.

    Returns
    -------
    list of Household
        Ids ``H001`` ...; addresses are distinct while the buildings last.
    """
    category = rng.choice(len(HOUSEHOLD_CATEGORIES), size=count, p=_HOUSEHOLD_P)
    area = rng.integers(0, len(areas), count)
    space = 60 * 4 * 7 * 2
    # Distinct addresses while they last.
    slot = rng.permutation(space)[:count] if count <= space else rng.integers(0, space, count)
    female = rng.random(count) < 0.6
    liuzhou = rng.random(count) < 0.7
    zhuang = rng.random(count) < 0.1
    age = rng.integers(72, 93, count)
    child_age = rng.integers(6, 13, count)
    surname = rng.integers(0, len(ELDER_SURNAMES), count)
    width = max(3, len(str(count)))
    households = []
    for i in range(count):
        s = int(slot[i])
        building, rest = divmod(s, 4 * 7 * 2)
        unit, rest = divmod(rest, 7 * 2)
        floor, room = divmod(rest, 2)
        address = f"{building + 1}栋{unit + 1}单元{floor + 1}{room + 1:02d}"
        cat = HOUSEHOLD_CATEGORIES[int(category[i])]
        langs = ["普通话"]
        if liuzhou[i]:
            langs.append("柳州话")
        if zhuang[i]:
            langs.append("壮语")
        preferred: Gender | None = None
        name = ELDER_SURNAMES[int(surname[i])]
        if cat == _H.ELDERLY_ALONE:
            who = f"{name}奶奶" if female[i] else f"{name}大爷"
            notes = f"{who}，{int(age[i])}岁，独居，子女在外地"
            if female[i]:
                preferred = Gender.FEMALE
        elif cat == _H.LEFT_BEHIND_CHILD:
            notes = f"孩子{int(child_age[i])}岁，父母在外务工，与祖辈同住"
        elif cat == _H.DISABLED:
            notes = "肢体残疾，行动不便" if female[i] else "视力残疾，需陪同出行"
        elif cat == _H.FAMILY_IN_DIFFICULTY:
            notes = "低保家庭，需定期帮扶"
        else:
            notes = "外来务工家庭"
        households.append(
            Household(
                id=f"H{i + 1:0{width}d}",
                address=address,
                category=cat,
                area=areas[int(area[i])],
                languages=tuple(langs),
                preferred_gender=preferred,
                notes=notes,
            )
        )
    return households
