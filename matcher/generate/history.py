"""What the programme already knows: past service and the coordinator's pairs.

Eight weeks of service history before the horizon (who served, when, for
how long, at which household), and the pairs a coordinator would record:
continuity with a household someone already visits, a few volunteers kept
away from a need, travel extras and light preferences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from matcher.domain import HistoryEntry, Household, HouseholdCategory, Need, NeedCategory, Pair
from matcher.generate.arrays import BoolArray
from matcher.generate.needs import CATEGORY_P
from matcher.generate.people import Pool
from matcher.generate.vocabulary import HOUSEHOLD_CATEGORIES

_C = NeedCategory
_H = HouseholdCategory


def draw_history(
    rng: np.random.Generator,
    pool: Pool,
    households: Sequence[Household],
    start: dt.date,
) -> list[HistoryEntry]:
    """Past service in the eight weeks before the horizon, for ~60% of volunteers.

    Parameters
    ----------
    rng
        Draws who served, how often, on which weekend day, for how long and where.
    pool
        The volunteers as arrays (their ids).
    households
        Households that home visits in the history were made to.
    start
        First day of the horizon; the history ends the day before.

    Returns
    -------
    list of HistoryEntry
        Sorted by volunteer and date, with need ids ``P00001`` ...; about 90% attended.
    """
    count = pool.count
    weekend = [
        start - dt.timedelta(days=k)
        for k in range(56, 0, -1)
        if (start - dt.timedelta(days=k)).isoweekday() >= 6
    ]
    served = rng.random(count) < 0.6
    times = np.where(served, rng.choice((1, 2, 3, 4), size=count, p=(0.4, 0.3, 0.2, 0.1)), 0)
    volunteer = np.repeat(np.arange(count), times)
    total = int(volunteer.size)
    day = rng.integers(0, len(weekend), total)
    minutes = rng.choice((90, 120, 150, 180, 240), size=total)
    attended = rng.random(total) < 0.9
    categories = tuple(CATEGORY_P)
    category = rng.choice(len(categories), size=total, p=tuple(CATEGORY_P.values()))
    with_household = rng.random(total) < 0.5
    household_draw = rng.random(total)
    home_categories = {
        _C.ELDERLY_CARE: (_H.ELDERLY_ALONE, _H.DISABLED),
        _C.MICRO_WISH: tuple(HOUSEHOLD_CATEGORIES),
        _C.TUTORING: (_H.LEFT_BEHIND_CHILD,),
    }
    by_group = {
        cat: [h.id for h in households if h.category in cats]
        for cat, cats in home_categories.items()
    }
    order = np.lexsort((day, volunteer))
    entries = []
    for k, e in enumerate(order.tolist()):
        cat = categories[int(category[e])]
        household_id = None
        group = by_group.get(cat)
        if group and with_household[e]:
            household_id = group[int(household_draw[e] * len(group))]
        entries.append(
            HistoryEntry(
                volunteer_id=pool.ids[int(volunteer[e])],
                date=weekend[int(day[e])],
                minutes=int(minutes[e]),
                attended=bool(attended[e]),
                need_id=f"P{k + 1:05d}",
                household_id=household_id,
                category=cat,
            )
        )
    return entries


def draw_pairs(
    rng: np.random.Generator,
    pool: Pool,
    needs: Sequence[Need],
    history: Sequence[HistoryEntry],
    reserved: BoolArray,
) -> list[Pair]:
    """Continuity affinities from the history, a few forbidden pairs, some travel extras.

    Parameters
    ----------
    rng
        Draws which continuities are kept and who is paired with which need.
    pool
        The volunteers as arrays (their ids).
    needs
        The needs, of which some get a forbidden, travel-extra or affinity pair.
    history
        Past service: a volunteer who attended at a household may keep it.
    reserved
        Volunteers held for must-cover needs and pins: kept out of the pairs
        with needs, so that no forbidden pair or travel extra can undo the
        feasibility certificate of :func:`~matcher.generate.needs.reserve`.

    Returns
    -------
    list of Pair
        No two pairs for the same volunteer and need or household.
    """
    pairs: list[Pair] = []
    seen: set[tuple[str, str, str]] = set()
    # Continuity: some volunteers who attended at a household keep a preference for it.
    served = {}
    for e in history:
        if e.household_id and e.attended:
            served.setdefault(e.household_id, e.volunteer_id)
    keys = sorted(served)
    for k in rng.permutation(len(keys))[: max(3, len(keys) // 3)].tolist():
        h = keys[k]
        seen.add((served[h], "", h))
        pairs.append(Pair(served[h], household_id=h, affinity=2))
    if not needs:
        return pairs
    free = np.flatnonzero(~reserved)
    if free.size == 0:
        return pairs
    forbidden = max(2, len(needs) // 300)
    extra = max(3, len(needs) // 100)
    affinity = max(2, len(needs) // 200)
    vols = rng.choice(free, size=forbidden + extra + affinity).tolist()
    need_pick = rng.integers(0, len(needs), forbidden + extra + affinity).tolist()
    minutes = rng.choice((10, 15, 20, 30), size=extra).tolist()
    for k, (v, n) in enumerate(zip(vols, need_pick, strict=True)):
        key = (pool.ids[v], needs[n].id, "")
        if key in seen:
            continue
        seen.add(key)
        if k < forbidden:
            pairs.append(Pair(pool.ids[v], need_id=needs[n].id, forbidden=True))
        elif k < forbidden + extra:
            pairs.append(
                Pair(pool.ids[v], need_id=needs[n].id, extra_minutes=minutes[k - forbidden])
            )
        else:
            pairs.append(Pair(pool.ids[v], need_id=needs[n].id, affinity=1))
    return pairs
