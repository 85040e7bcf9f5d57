"""The word lists of the generator: departments, skills, languages, places, names.

Everything here is data a coordinator of a college-community programme would
recognise: the college's departments (二级学院) and the community itself,
the skills volunteers list, the languages spoken in Liuzhou, the community's
places, its grid areas (网格) and the characters synthetic names are made of.
The probabilities that say how often each occurs live beside the code that
draws them (:mod:`matcher.generate.people`, :mod:`matcher.generate.needs`).
"""

from __future__ import annotations

from matcher.domain import Department, HouseholdCategory, NeedCategory

_C = NeedCategory
_H = HouseholdCategory

#: The community's own entry in ``departments`` (resident volunteers).
COMMUNITY = "A社区"

#: Departments (二级学院) with the need categories each one suits.
DEPARTMENTS: tuple[Department, ...] = (
    Department("装备制造学院", (_C.REPAIR_APPLIANCE, _C.REPAIR_VEHICLE, _C.CLEAN_UP)),
    Department("自动控制学院", (_C.REPAIR_APPLIANCE, _C.REPAIR_VEHICLE, _C.OTHER)),
    Department("马克思主义学院", (_C.CULTURE, _C.PUBLICITY)),
    Department("铁道运输学院", (_C.ELDERLY_CARE, _C.PUBLICITY, _C.OTHER)),
    Department("铁道工程学院", (_C.CLEAN_UP, _C.OTHER)),
    Department("通信与信息学院", (_C.REPAIR_APPLIANCE, _C.PUBLICITY, _C.TUTORING)),
    Department("经济管理学院", (_C.TUTORING, _C.MICRO_WISH, _C.ELDERLY_CARE)),
    Department("国际教育学院", (_C.TUTORING, _C.CULTURE)),
    Department(COMMUNITY, (_C.ELDERLY_CARE, _C.CLEAN_UP, _C.MICRO_WISH)),
)
#: The college's departments, without the community (students, teachers, staff).
COLLEGE = tuple(d.name for d in DEPARTMENTS if d.name != COMMUNITY)

#: The two departments that run the repair fair together in the seed programme.
REPAIR_FAIR = ("装备制造学院", "自动控制学院")

#: Skills a volunteer may list (levels 1-3).
SKILLS: tuple[str, ...] = (
    "家电维修",
    "汽车维修",
    "自行车维修",
    "电工",
    "电脑维修",
    "理发",
    "陪伴聊天",
    "健康监测",
    "急救",
    "辅导功课",
    "英语辅导",
    "书法",
    "文艺表演",
    "摄影宣传",
    "垃圾分类宣讲",
    "党史宣讲",
    "手语",
    "搬运",
)
#: Column of each skill in the volunteers x skills level matrix.
SKILL_CODE = {name: k for k, name in enumerate(SKILLS)}

#: Languages recorded for volunteers and households.
LANGUAGES: tuple[str, ...] = ("普通话", "柳州话", "壮语", "英语")

#: Places of the community (travel times are between these and the areas).
LOCATIONS: tuple[str, ...] = (
    "社区党群服务中心",
    "社区广场",
    "四点半课堂活动室",
    "社区卫生服务站",
    "小区东门宣传点",
    "社区主干道",
)
CENTRE, SQUARE, CLASSROOM, CLINIC, GATE, ROAD = LOCATIONS

#: Kinds of household with recurring support, in the order the generator draws them.
HOUSEHOLD_CATEGORIES = (
    _H.ELDERLY_ALONE,
    _H.FAMILY_IN_DIFFICULTY,
    _H.DISABLED,
    _H.LEFT_BEHIND_CHILD,
    _H.OTHER,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韦覃蒙莫潘廖黎蓝卢邓"
    "陆钟梁冯曾彭蒋蔡贾丁魏薛叶阎余杜苏程吕农甘卿"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林峰晨阳泽瑞博文"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞婷雪慧莹玲琳颖倩洁琴萍红燕丹璐佳欣悦怡馨雯晴蕾月梅兰"
GIVEN_ANY = "子一思嘉雨天梓俊可诗若海春秋晓家志"
#: Surnames of the older residents the households are named after (local ones first).
ELDER_SURNAMES = "王李张刘陈黄覃韦蒙莫潘廖黎卢梁"


def area_names(count: int) -> tuple[str, ...]:
    """Grid areas (网格) of the community.

    Parameters
    ----------
    count
        How many areas.

    Returns
    -------
    tuple of str
        ``第一网格`` .. ``第十网格`` for up to ten, else ``网格01`` .. with
        zero-padded numbers so that they sort in order.
    """
    numerals = "一二三四五六七八九十"
    if count <= len(numerals):
        return tuple(f"第{numerals[i]}网格" for i in range(count))
    width = len(str(count))
    return tuple(f"网格{i + 1:0{width}d}" for i in range(count))
