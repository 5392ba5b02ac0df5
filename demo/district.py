"""Deterministic demo data: a whole district (示范区) or a small three-school slice for tests.

`seed_demo(size, seed)` first *plans* everything in plain Python objects from one
`random.Random(seed)` (so the same seed always gives the same names, 学籍号 and choices), then
writes the plan with `bulk_create` in one transaction. The District with code "demo" is the
marker: a second run finds it and changes nothing.

What the data is meant to exercise: the preference window and allocation (popular clubs 2–3×
oversubscribed on first choices, siblings across a primary and its nearby junior school,
priority groups at policy-like rates), the timetable (teachers with subjects, loads and
unavailable slots; rooms with features; partner teachers travelling between host schools) and
the bureau's participation figures (~30,000 primary and ~14,000 junior pupils).

Conventions: school codes 1xx primary (101 = 锦溪小学, 102 = 城南小学), 2xx junior, 3xx nine-year,
401 = 工贸旅游学校; teacher usernames "t" + school code + staff number (t101007), parent
usernames "p" + phone; every user's password is settings.KEHOU_DEMO_PASSWORD. Partner teachers
belong to their provider (Teacher.provider set, Teacher.school empty). Each window's lottery seed
is not stored: `demo_lottery_seed(code, seed)` recomputes it for the reveal at allocation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models.functions import Mod

from accounts.models import Role, RoleGrant, User
from allocation.engine.lottery import commitment
from courses.models import (
    CalendarException,
    Course,
    District,
    Room,
    School,
    SchoolClass,
    Section,
    Slot,
    Teacher,
    Term,
)
from enrollment.models import Enrollment, EnrollmentWindow, Family, Guardian, Preference, PriorityGroup, Student
from partners.models import PartnerCourse, Provider, TravelTime

Size = Literal["district", "small"]

DEMO_DISTRICT_CODE = "demo"
DEMO_DISTRICT_NAME = "示范区"
DEMO_SEED = 2026
DEMO_TERM_NAME = "2026–2027学年第一学期"
DEMO_PARENT_PHONE = "13800001001"
DEMO_PARENT2_PHONE = "13800001002"
FIRST_SCHOOL = "锦溪小学"
SECOND_SCHOOL = "城南小学"
VOCATIONAL_SCHOOL = "工贸旅游学校"

# The fixed demo accounts (password settings.KEHOU_DEMO_PASSWORD); README and tests read this.
DEMO_LOGINS: list[dict[str, str]] = [
    {"username": "coordinator", "role": Role.COORDINATOR.value, "scope": f"{FIRST_SCHOOL}课后服务负责人"},
    {"username": "coordinator2", "role": Role.COORDINATOR.value, "scope": f"{SECOND_SCHOOL}课后服务负责人"},
    {"username": "teacher", "role": Role.TEACHER.value, "scope": f"{FIRST_SCHOOL}教师，任教多个教学班"},
    {
        "username": "partner",
        "role": Role.PARTNER_TEACHER.value,
        "scope": f"{VOCATIONAL_SCHOOL}教师（中点），送课到多所小学",
    },
    {"username": "bureau", "role": Role.BUREAU.value, "scope": f"{DEMO_DISTRICT_NAME}教育局"},
    {
        "username": "parent",
        "role": Role.PARENT.value,
        "scope": f"家长：一个孩子在{FIRST_SCHOOL}，一个在附近初中；也可用手机号 {DEMO_PARENT_PHONE} 登录",
    },
    {"username": "parent2", "role": Role.PARENT.value, "scope": f"家长：一个孩子在{FIRST_SCHOOL}"},
    {"username": "admin", "role": "superuser", "scope": "系统管理员（Django 管理后台）"},
]

_TZ = ZoneInfo("Asia/Shanghai")
_CHUNK = 5000  # objects built and inserted at a time: bounds memory for the district
_BATCH = 1000  # rows per INSERT (the backend lowers it to its parameter limit)
_GRADE_CN = "一二三四五六七八九"

# --- Names -----------------------------------------------------------------------------------
# Surnames weighted by their frequency in China (per mille, rounded).
_SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22), ("赵", 20),
    ("吴", 20), ("周", 19), ("徐", 16), ("孙", 15), ("马", 15), ("朱", 13), ("胡", 13), ("郭", 12),
    ("何", 12), ("高", 11), ("林", 11), ("罗", 9), ("郑", 9), ("梁", 9), ("谢", 8), ("宋", 8),
    ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 7), ("彭", 6), ("曾", 6),
    ("肖", 6), ("田", 6), ("董", 5), ("袁", 5), ("潘", 5), ("于", 5), ("蒋", 5), ("蔡", 5),
    ("余", 5), ("杜", 5), ("叶", 5), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
    ("任", 4), ("沈", 4), ("姚", 4), ("卢", 4), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3), ("廖", 3), ("贾", 3), ("夏", 3),
    ("韦", 3), ("付", 3), ("方", 3), ("白", 2), ("邹", 2), ("孟", 2), ("熊", 2), ("秦", 2),
    ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2), ("雷", 2), ("侯", 2),
    ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2),
    ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("欧阳", 0.5), ("司马", 0.2), ("上官", 0.2),
)  # fmt: skip
_CHILD_FIRST = {
    "M": "子浩宇梓俊博晨泽铭一皓嘉明思天家文承睿奕锦沐景修彦昊瑞志煜允",
    "F": "子梓欣诗雨可佳思一若语心梦雅静嘉安悦紫婉晓书沐亦知芷艺乐依清",
}
_CHILD_SECOND = {
    "M": "轩宇涵泽辰睿航阳然铭杰熙霖宸凯洋哲诚豪川翔逸谦恒骁恩毅朗远晨",
    "F": "涵萱怡琪彤妍琳瑶晴婷然悦菲雯馨诺汐玥宁溪冉桐希语月蕊颖璇岚心",
}
_CHILD_SINGLE = {"M": "浩宇轩杰涛博晨阳睿鑫磊航哲昊凯", "F": "悦欣琪婷妍琳瑶萱璐雪洁静菲馨怡"}
_ADULT_FIRST = {
    "M": "建志国海晓文永俊伟明学德春金立振宏新卫军小光忠玉",
    "F": "丽秀晓海春红美玉雪桂慧静小艳丹晶雅淑翠佳婷琳佩秋燕",
}
_ADULT_SECOND = {
    "M": "华强军平明东峰林斌刚伟杰勇涛波辉龙成鹏飞亮超宇彬",
    "F": "娟英燕梅芳华萍玲红霞丽敏琴艳婷洁君莉娜静云兰凤颖芬",
}
_ADULT_SINGLE = {"M": "伟军磊强勇杰涛斌刚平辉鹏华超波峰健毅浩", "F": "敏静芳娜丽艳霞红燕玲洁琳颖倩婷蕾莉娟萍丹"}
_PHONE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "180", "181", "182", "183", "185", "186", "187", "188", "189",
)  # fmt: skip
_LOCAL_REGIONS = ("330102", "330105", "330106", "330108", "330110")
_MIGRANT_REGIONS = ("341221", "341602", "411422", "412726", "511602", "513029", "522121", "430521", "360730")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# --- Schools ---------------------------------------------------------------------------------
_PRIMARY_NAMES = (
    "锦溪小学", "城南小学", "实验小学", "城北小学", "东湖小学", "西山小学", "凤凰小学", "育才小学",
    "南湖小学", "桂花小学", "青龙小学", "文昌小学", "白鹭小学", "新华小学", "解放路小学", "人民路小学",
    "北门小学", "柳园小学", "梅林小学", "龙泉小学", "阳光小学", "振华小学", "桃源小学", "滨江小学",
    "崇文小学", "星光小学", "翠苑小学", "金山小学", "明德小学", "石桥小学",
)  # fmt: skip
_JUNIOR_NAMES = (
    "东湖中学", "第二初级中学", "第三初级中学", "城南中学", "实验中学",
    "育英中学", "锦溪中学", "凤凰中学", "滨江中学", "西山中学",
)  # fmt: skip
_NINE_YEAR_NAMES = ("新城学校", "江湾学校")
_ROADS = (
    "锦溪路", "人民路", "解放路", "中山路", "文昌路", "建设路", "湖滨路", "环城南路", "凤凰路", "学院路",
    "新华路", "东湖路", "滨江大道", "桂花巷", "青龙街", "梅林路", "振华路", "明德路", "石桥街", "江湾路",
)  # fmt: skip

SUBJECTS = ("语文", "数学", "英语", "科学", "体育", "音乐", "美术", "信息技术", "道德与法治")
_SUBJECT_WEIGHTS = {
    "primary": (26, 22, 12, 8, 11, 7, 7, 4, 3),
    "junior": (22, 22, 16, 12, 10, 5, 5, 4, 4),
}
_SECOND_SUBJECT = {
    "语文": ("道德与法治", "美术"),
    "数学": ("科学", "信息技术"),
    "英语": ("音乐", "语文"),
    "科学": ("信息技术", "数学"),
    "体育": ("音乐", "科学"),
    "音乐": ("美术", "体育"),
    "美术": ("信息技术", "音乐"),
    "信息技术": ("科学", "数学"),
    "道德与法治": ("语文", "体育"),
}

# (title, subject, room features, lowest grade, highest grade, popularity). Popularity ≥ 4 marks a
# club that gets few sections on purpose, so first choices oversubscribe it 2–3×.
_CLUBS: tuple[tuple[str, str, tuple[str, ...], int, int, float], ...] = (
    ("机器人社团", "信息技术", ("computer",), 3, 9, 6.0),
    ("编程", "信息技术", ("computer",), 3, 9, 5.5),
    ("3D打印", "信息技术", ("computer",), 4, 9, 3.0),
    ("人工智能启蒙", "信息技术", ("computer",), 4, 9, 3.0),
    ("动画制作", "信息技术", ("computer",), 5, 9, 1.2),
    ("微视频制作", "信息技术", ("computer",), 6, 9, 1.0),
    ("无人机", "科学", ("field",), 5, 9, 3.5),
    ("航模", "科学", ("field",), 4, 9, 2.5),
    ("创客", "科学", ("lab",), 4, 9, 2.0),
    ("电子制作", "科学", ("lab",), 5, 9, 1.5),
    ("科学实验", "科学", ("lab",), 1, 6, 3.0),
    ("科技小制作", "科学", ("lab",), 2, 6, 1.5),
    ("物理小实验", "科学", ("lab",), 7, 9, 1.2),
    ("化学趣味实验", "科学", ("lab",), 8, 9, 1.2),
    ("生物标本制作", "科学", ("lab",), 6, 9, 0.8),
    ("木工", "科学", ("lab",), 4, 9, 1.2),
    ("天文", "科学", (), 4, 9, 1.5),
    ("植物观察", "科学", ("field",), 2, 6, 1.0),
    ("昆虫观察", "科学", ("field",), 1, 4, 1.0),
    ("气象观测", "科学", ("field",), 4, 9, 0.8),
    ("小农场", "科学", ("field",), 1, 6, 1.5),
    ("科普阅读", "科学", (), 2, 6, 0.8),
    ("烘焙", "科学", ("kitchen",), 3, 9, 4.0),
    ("趣味烹饪", "科学", ("kitchen",), 3, 9, 2.5),
    ("面点", "科学", ("kitchen",), 3, 9, 1.5),
    ("围棋", "数学", (), 1, 9, 2.0),
    ("象棋", "数学", (), 1, 9, 1.5),
    ("国际象棋", "数学", (), 2, 9, 1.5),
    ("五子棋", "数学", (), 1, 4, 1.2),
    ("魔方", "数学", (), 2, 9, 2.0),
    ("数独", "数学", (), 3, 9, 1.0),
    ("趣味数学", "数学", (), 1, 6, 1.2),
    ("七巧板", "数学", (), 1, 3, 1.0),
    ("数学建模", "数学", ("computer",), 7, 9, 0.8),
    ("桥牌", "数学", (), 6, 9, 0.7),
    ("思维导图", "数学", (), 3, 9, 0.8),
    ("书法", "语文", ("art",), 2, 9, 1.8),
    ("硬笔书法", "语文", (), 1, 6, 1.5),
    ("朗诵", "语文", (), 1, 9, 1.2),
    ("小主持人", "语文", (), 2, 6, 2.5),
    ("诗词", "语文", (), 3, 9, 1.0),
    ("绘本阅读", "语文", (), 1, 3, 1.5),
    ("课本剧", "语文", (), 2, 6, 1.2),
    ("校园小记者", "语文", (), 3, 9, 1.2),
    ("文学社", "语文", (), 5, 9, 1.0),
    ("辩论", "语文", (), 6, 9, 1.2),
    ("演讲与口才", "语文", (), 3, 9, 1.5),
    ("快板", "语文", (), 2, 6, 0.8),
    ("成语故事", "语文", (), 1, 4, 0.8),
    ("经典诵读", "语文", (), 1, 6, 0.8),
    ("相声", "语文", (), 3, 9, 0.8),
    ("整本书阅读", "语文", (), 4, 9, 0.8),
    ("英语戏剧", "英语", (), 3, 9, 1.5),
    ("英语绘本", "英语", (), 1, 4, 1.2),
    ("英语口语", "英语", (), 3, 9, 1.5),
    ("英文歌曲", "英语", ("music",), 2, 6, 1.0),
    ("英语配音", "英语", ("computer",), 4, 9, 1.2),
    ("英语演讲", "英语", (), 5, 9, 0.8),
    ("日语入门", "英语", (), 7, 9, 0.7),
    ("英语阅读", "英语", (), 4, 9, 0.8),
    ("篮球", "体育", ("gym",), 3, 9, 5.0),
    ("足球", "体育", ("field",), 1, 9, 3.5),
    ("乒乓球", "体育", ("gym",), 2, 9, 2.5),
    ("羽毛球", "体育", ("gym",), 3, 9, 2.0),
    ("排球", "体育", ("gym",), 5, 9, 1.2),
    ("武术", "体育", ("gym",), 1, 9, 1.8),
    ("跆拳道", "体育", ("gym",), 1, 9, 2.0),
    ("跳绳", "体育", ("field",), 1, 6, 1.2),
    ("花样跳绳", "体育", ("field",), 2, 6, 1.2),
    ("田径", "体育", ("field",), 3, 9, 1.0),
    ("啦啦操", "体育", ("gym",), 1, 9, 1.5),
    ("轮滑", "体育", ("field",), 1, 6, 1.8),
    ("踢毽子", "体育", ("field",), 1, 6, 0.8),
    ("空竹", "体育", ("field",), 3, 9, 0.8),
    ("定向越野", "体育", ("field",), 5, 9, 0.8),
    ("太极拳", "体育", ("field",), 4, 9, 0.6),
    ("网球", "体育", ("field",), 4, 9, 1.0),
    ("棒垒球", "体育", ("field",), 4, 9, 0.8),
    ("击剑", "体育", ("gym",), 3, 9, 1.5),
    ("瑜伽", "体育", ("gym",), 5, 9, 0.8),
    ("体适能", "体育", ("gym",), 1, 6, 1.0),
    ("飞盘", "体育", ("field",), 4, 9, 1.2),
    ("舞蹈", "音乐", ("music",), 1, 9, 5.0),
    ("街舞", "音乐", ("music",), 3, 9, 2.5),
    ("合唱团", "音乐", ("music",), 2, 9, 1.5),
    ("竹笛", "音乐", ("music",), 3, 6, 1.0),
    ("葫芦丝", "音乐", ("music",), 3, 6, 1.0),
    ("古筝", "音乐", ("music",), 2, 9, 1.5),
    ("口琴", "音乐", ("music",), 2, 6, 0.8),
    ("尤克里里", "音乐", ("music",), 3, 9, 1.5),
    ("管乐团", "音乐", ("music",), 4, 9, 1.0),
    ("非洲鼓", "音乐", ("music",), 2, 9, 1.2),
    ("京剧", "音乐", ("music",), 3, 9, 0.7),
    ("越剧", "音乐", ("music",), 3, 9, 0.6),
    ("鼓号队", "音乐", ("field",), 3, 6, 0.8),
    ("电子琴", "音乐", ("music",), 2, 9, 1.0),
    ("民族舞", "音乐", ("music",), 1, 6, 1.2),
    ("拉丁舞", "音乐", ("music",), 2, 9, 1.2),
    ("音乐剧", "音乐", ("music",), 4, 9, 0.8),
    ("打击乐", "音乐", ("music",), 1, 6, 0.8),
    ("国画", "美术", ("art",), 2, 9, 1.5),
    ("儿童画", "美术", ("art",), 1, 3, 1.8),
    ("素描", "美术", ("art",), 4, 9, 1.2),
    ("剪纸", "美术", (), 1, 6, 1.0),
    ("陶艺", "美术", ("art", "water"), 3, 9, 2.0),
    ("折纸", "美术", (), 1, 4, 1.0),
    ("篆刻", "美术", ("art",), 5, 9, 0.7),
    ("版画", "美术", ("art",), 4, 9, 0.8),
    ("漫画", "美术", (), 3, 9, 1.8),
    ("超轻黏土", "美术", (), 1, 4, 1.5),
    ("扎染", "美术", ("art", "water"), 3, 9, 1.0),
    ("衍纸", "美术", (), 2, 6, 0.8),
    ("中国结", "美术", (), 3, 9, 0.8),
    ("沙画", "美术", ("art",), 2, 6, 1.0),
    ("布艺", "美术", (), 3, 9, 0.7),
    ("风筝制作", "美术", (), 2, 6, 0.8),
    ("摄影", "美术", (), 5, 9, 1.2),
    ("手工编织", "美术", (), 3, 9, 0.7),
    ("茶艺", "美术", ("water",), 4, 9, 1.0),
    ("创意美工", "美术", ("art",), 1, 6, 1.0),
    ("模拟法庭", "道德与法治", (), 6, 9, 0.8),
    ("红领巾讲解员", "道德与法治", (), 3, 6, 0.8),
    ("心理剧", "道德与法治", (), 4, 9, 0.7),
    ("小小志愿者", "道德与法治", (), 3, 9, 0.8),
    ("安全小卫士", "道德与法治", (), 1, 3, 0.8),
    ("红色故事会", "道德与法治", (), 1, 6, 0.7),
    ("手语", "道德与法治", (), 3, 9, 0.6),
    ("非遗文化", "道德与法治", (), 3, 9, 0.8),
)
_POPULAR = 4.0

# Partner courses of the vocational school (from the seed report) and of one outside institution.
# (title, English title, kind, grades, group size, room features, fee, materials, description)
_VOCATIONAL_COURSES: tuple[tuple[str, str, str, list[int], int, list[str], str, str, str], ...] = (
    ("中点", "Chinese pastry", "labour", [3, 4, 5, 6], 20, ["kitchen"], "0", "面粉、豆沙、蒸笼（职校提供）",
     "工贸旅游学校烹饪专业名师送课进校，学做包子、花卷、酥饼等传统中式点心。"),
    ("果蔬雕刻", "Fruit and vegetable carving", "labour", [4, 5, 6], 20, ["water"], "0", "安全刻刀、时令果蔬",
     "用安全刻刀把胡萝卜、南瓜雕成花鸟，练耐心和手眼协调。"),
    ("儿童艺术插花", "Children's flower arranging", "labour", [2, 3, 4, 5, 6], 24, ["water"], "0",
     "花泥、鲜切花、花器", "认识常见花材，学习基本插花造型，作品可以带回家。"),
    ("创新小发明", "Small inventions", "science", [4, 5, 6], 24, ["lab"], "0", "电子元件、工具包",
     "从生活中的小麻烦出发，动手设计、制作并展示自己的小发明。"),
)  # fmt: skip
_INSTITUTION_COURSE = (
    "乐高创意搭建", "LEGO creative building", "science", [1, 2, 3], 20, [], "3.50", "积木套装（机构提供）",
    "用积木搭建会动的小机械，认识齿轮、杠杆和滑轮。",
)  # fmt: skip

# Weekly grid: (start, end) of sessions 1 and 2, Monday–Thursday and Friday.
_PRIMARY_GRID = (((15, 30), (16, 30)), ((16, 40), (17, 40))), (((15, 0), (16, 0)), ((16, 10), (17, 10)))
_JUNIOR_GRID = (((16, 55), (17, 35)), ((17, 40), (18, 20))), (((16, 10), (16, 50)), ((16, 55), (17, 35)))

_TERM_START = dt.date(2026, 9, 1)
_TERM_END = dt.date(2027, 1, 22)
_HOLIDAYS = (
    [(dt.date(2026, 9, 25), "中秋节")]
    + [(dt.date(2026, 10, d), "国庆节") for d in range(1, 8)]
    + [(dt.date(2027, 1, 1), "元旦")]
)
_SWAPPED_WORKDAYS = ((dt.date(2026, 10, 10), 4, "调休上课（按周五课表）"),)
_WINDOW_OPENS = dt.datetime(2026, 8, 20, 8, 0, tzinfo=_TZ)
_WINDOW_CLOSES = dt.datetime(2026, 8, 27, 20, 0, tzinfo=_TZ)
_HOMEWORK_SEATS_AT = dt.datetime(2026, 8, 28, 9, 0, tzinfo=_TZ)


# --- Plan records (plain objects: the whole district fits in memory cheaply) -----------------
@dataclass(slots=True)
class _Room:
    name: str
    capacity: int
    features: list[str]
    budget: int = 5  # weekly meetings that may still use this room (feature rooms only; session 2)


@dataclass(slots=True)
class _School:
    name: str
    code: str
    kind: str
    address: str
    x: float
    y: float
    classes: list[int] = field(default_factory=list)
    rooms: list[_Room] = field(default_factory=list)
    teachers: list[int] = field(default_factory=list)
    courses: list[int] = field(default_factory=list)
    feeder: int | None = None  # nearby junior school of a primary school
    n_pupils: int = 0

    @property
    def grades(self) -> range:
        return {"primary": range(1, 7), "junior": range(7, 10), "nine_year": range(1, 10)}.get(self.kind, range(0))

    @property
    def has_pupils(self) -> bool:
        return self.kind != "vocational"


@dataclass(slots=True)
class _Class:
    school: int
    grade: int
    number: int
    size: int
    head: int = -1
    pupils: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Pupil:
    school: int
    klass: int
    grade: int
    sex: str
    family: int = -1
    name: str = ""
    student_no: str = ""
    groups: list[str] = field(default_factory=list)
    prefs: list[tuple[int, int]] = field(default_factory=list)  # (course, section index), rank order
    homework: bool = False


@dataclass(slots=True)
class _Guardian:
    name: str
    phone: str
    relation: str
    username: str


@dataclass(slots=True)
class _Family:
    children: list[int]
    guardians: list[_Guardian] = field(default_factory=list)
    submits: bool | None = None  # forced preference submission (demo families)


@dataclass(slots=True)
class _Teacher:
    school: int | None
    provider: str | None  # "vocational" | "institution" | None
    name: str
    staff_no: str
    phone: str
    subjects: list[str]
    max_periods: int
    unavailable: list[int]  # slot index = weekday * 2 + session - 1
    username: str
    load: int = 0
    sections: int = 0
    club_load: int = 0  # meetings of tutoring, clubs and partner courses: all in session 2

    @property
    def session2_free(self) -> int:
        """Session-2 slots (odd slot indexes) still free: clubs run after homework help."""
        return 5 - sum(1 for u in self.unavailable if u % 2 == 1) - self.club_load


@dataclass(slots=True)
class _Section:
    code: str
    capacity: int
    teacher: int = -1
    klass: int | None = None


@dataclass(slots=True)
class _Course:
    school: int
    kind: str
    title: str
    grades: list[int]
    seats: int
    meetings: int
    features: list[str]
    fee: Decimal
    subject: str
    weight: float = 1.0
    limited: bool = False
    partner: int | None = None  # index into plan.partner_courses
    description: str = ""
    sections: list[_Section] = field(default_factory=list)


@dataclass
class DemoPlan:
    """Everything a seed run will write, as plain objects indexed by list position."""

    size: Size
    seed: int
    schools: list[_School] = field(default_factory=list)
    classes: list[_Class] = field(default_factory=list)
    pupils: list[_Pupil] = field(default_factory=list)
    families: list[_Family] = field(default_factory=list)
    teachers: list[_Teacher] = field(default_factory=list)
    courses: list[_Course] = field(default_factory=list)
    partner_courses: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)  # (provider key, row)
    hosts: list[int] = field(default_factory=list)
    vocational: int = -1
    parent_family: int = -1
    parent2_family: int = -1
    demo_teacher: int = -1
    partner_teacher: int = -1
    institution_host: int = -1
    overloaded: int = 0


# --- Public API ------------------------------------------------------------------------------
@dataclass
class SeedReport:
    """What a run did: whether it created anything and how long each phase took."""

    created: bool
    size: str
    seed: int
    elapsed: float = 0.0
    phases: list[tuple[str, float]] = field(default_factory=list)


def plan_demo(size: Size = "district", seed: int = DEMO_SEED) -> DemoPlan:
    """The rows `seed_demo` would write, as plain objects (no database): for checks and benchmarks."""
    return _Planner(size, seed).build()


def is_seeded() -> bool:
    """The marker: the demo district exists."""
    return District.objects.filter(code=DEMO_DISTRICT_CODE).exists()


def demo_lottery_seed(school_code: str, seed: int = DEMO_SEED) -> str:
    """The lottery seed of a school's demo window; only its SHA-256 is stored until allocation reveals it."""
    return hashlib.sha256(f"kehou-demo-lottery:{seed}:{school_code}".encode()).hexdigest()[:32]


def demo_seed_hint(window: EnrollmentWindow) -> str:
    """The seed of a demo district window (so the demo's allocation can be run); "" elsewhere."""
    if window.school.district.code != DEMO_DISTRICT_CODE:
        return ""
    return demo_lottery_seed(window.school.code)


def demo_timetable_schools() -> list[str]:
    """Codes of the schools the demo logins look at: the coordinators' and the demo children's."""
    codes = set(
        RoleGrant.objects.filter(user__username__in=["coordinator", "coordinator2"], school__isnull=False).values_list(
            "school__code", flat=True
        )
    )
    codes |= set(
        Student.objects.filter(family__guardians__user__username__in=["parent", "parent2"]).values_list(
            "school__code", flat=True
        )
    )
    return sorted(codes)


def row_counts() -> dict[str, int]:
    """Rows per demo-relevant table (used by the command's summary and the idempotence test)."""
    tables: dict[str, type[models.Model]] = {
        "schools": School,
        "terms": Term,
        "calendar_exceptions": CalendarException,
        "slots": Slot,
        "rooms": Room,
        "teachers": Teacher,
        "classes": SchoolClass,
        "courses": Course,
        "sections": Section,
        "providers": Provider,
        "partner_courses": PartnerCourse,
        "travel_times": TravelTime,
        "families": Family,
        "guardians": Guardian,
        "students": Student,
        "users": User,
        "role_grants": RoleGrant,
        "windows": EnrollmentWindow,
        "preferences": Preference,
        "enrollments": Enrollment,
        "teacher_unavailable": Teacher.unavailable_slots.through,
    }
    return {name: model.objects.count() for name, model in tables.items()}


def seed_demo(size: Size = "district", seed: int = DEMO_SEED, log: Callable[[str], None] | None = None) -> SeedReport:
    """Create the demo data unless the demo district already exists; everything in one transaction."""
    if size not in ("district", "small"):
        raise ValueError(f"unknown size {size!r}")
    say = log or (lambda _msg: None)
    report = SeedReport(created=False, size=size, seed=seed)
    started = time.perf_counter()
    with transaction.atomic():
        if is_seeded():
            report.elapsed = time.perf_counter() - started
            return report
        clash = sorted(
            User.objects.filter(username__in=[d["username"] for d in DEMO_LOGINS]).values_list("username", flat=True)
        )
        if clash:
            raise ValueError(f"demo usernames already taken without a demo district: {', '.join(clash)}")
        t0 = time.perf_counter()
        plan = plan_demo(size, seed)
        report.phases.append(("规划（内存中）", time.perf_counter() - t0))
        say(
            f"  规划完成：{len(plan.schools)} 所学校，{len(plan.classes)} 个班，{len(plan.pupils)} 名学生，"
            f"{len(plan.families)} 户家庭，{len(plan.teachers)} 名教师，{len(plan.courses)} 门课程"
            f"（{time.perf_counter() - t0:.1f} 秒）"
        )
        _Writer(plan, say, report).write()
        report.created = True
    report.elapsed = time.perf_counter() - started
    return report


# --- Planning --------------------------------------------------------------------------------
class _Planner:
    """Builds the whole district in memory from one random stream; no database access."""

    def __init__(self, size: Size, seed: int) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.plan = DemoPlan(size=size, seed=seed)
        self.phones: set[str] = {DEMO_PARENT_PHONE, DEMO_PARENT2_PHONE}
        self.student_nos: set[str] = set()
        names, weights = zip(*_SURNAMES, strict=True)
        self._surnames: tuple[str, ...] = names
        self._surname_cum = list(_cumulative(weights))

    def build(self) -> DemoPlan:
        self._schools()
        self._classes()
        self._rooms()
        self._teachers()
        self._pupils_and_families()
        self._courses()
        self._preferences()
        self._sections()
        self._assign_teachers()
        self._demo_accounts()
        return self.plan

    # names, phones, numbers
    def surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._surname_cum)[0]

    def child_given(self, sex: str) -> str:
        rng = self.rng
        if rng.random() < 0.22:
            return rng.choice(_CHILD_SINGLE[sex])
        first = rng.choice(_CHILD_FIRST[sex])
        second = rng.choice(_CHILD_SECOND[sex])
        while second == first:
            second = rng.choice(_CHILD_SECOND[sex])
        return first + second

    def adult_name(self, sex: str, surname: str | None = None) -> str:
        rng = self.rng
        given = (
            rng.choice(_ADULT_SINGLE[sex])
            if rng.random() < 0.3
            else rng.choice(_ADULT_FIRST[sex]) + rng.choice(_ADULT_SECOND[sex])
        )
        return (surname or self.surname()) + given

    def phone(self) -> str:
        while True:
            number = self.rng.choice(_PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def student_no(self, grade: int, sex: str, migrant: bool) -> str:
        """The 学籍号: G + an 18-digit ID-card-like number: region, birth date by grade, sequence (odd = boy), check digit."""
        rng = self.rng
        while True:
            region = rng.choice(_MIGRANT_REGIONS if migrant and rng.random() < 0.8 else _LOCAL_REGIONS)
            born = dt.date(2020 - grade, 9, 1) + dt.timedelta(days=rng.randrange(365))
            seq = rng.randrange(500) * 2 + (1 if sex == "M" else 0)
            body = f"{region}{born:%Y%m%d}{seq:03d}"
            check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
            if check == "X":
                continue
            number = f"G{body}{check}"
            if number not in self.student_nos:
                self.student_nos.add(number)
                return number

    # schools and layout
    def _schools(self) -> None:
        rng, plan = self.rng, self.plan
        if self.size == "district":
            specs = (
                [(n, f"1{i + 1:02d}", "primary") for i, n in enumerate(_PRIMARY_NAMES)]
                + [(n, f"2{i + 1:02d}", "junior") for i, n in enumerate(_JUNIOR_NAMES)]
                + [(n, f"3{i + 1:02d}", "nine_year") for i, n in enumerate(_NINE_YEAR_NAMES)]
            )
        else:
            specs = [
                (_PRIMARY_NAMES[0], "101", "primary"),
                (_PRIMARY_NAMES[1], "102", "primary"),
                (_JUNIOR_NAMES[0], "201", "junior"),
            ]
        specs.append((VOCATIONAL_SCHOOL, "401", "vocational"))
        roads = list(_ROADS)
        for name, code, kind in specs:
            x, y = rng.uniform(0, 24), rng.uniform(0, 16)
            address = f"{DEMO_DISTRICT_NAME}{rng.choice(roads)}{rng.randrange(1, 400)}号"
            plan.schools.append(_School(name=name, code=code, kind=kind, address=address, x=x, y=y))
        by_name = {s.name: s for s in plan.schools}
        if "锦溪中学" in by_name:  # the junior school next door to 锦溪小学
            jx, neighbour = by_name[FIRST_SCHOOL], by_name["锦溪中学"]
            neighbour.x, neighbour.y = jx.x + 1.1, jx.y + 0.7
        plan.vocational = len(plan.schools) - 1
        juniors = [i for i, s in enumerate(plan.schools) if s.kind == "junior"]
        for s in plan.schools:
            if s.kind == "primary":
                s.feeder = min(
                    juniors, key=lambda j, s=s: (s.x - plan.schools[j].x) ** 2 + (s.y - plan.schools[j].y) ** 2
                )
        primaries = [i for i, s in enumerate(plan.schools) if s.kind == "primary"]
        first = primaries[0]
        others = sorted(primaries[1:], key=lambda i: _distance(plan.schools[first], plan.schools[i]))
        plan.hosts = [first, *others[:2]]
        plan.institution_host = primaries[1]

    def _classes(self) -> None:
        """Classes per grade so the district has ~30,000 primary and ~14,000 junior pupils."""
        rng, plan = self.rng, self.plan
        counts: dict[tuple[int, int], int] = {}
        if self.size == "small":
            for si, s in enumerate(plan.schools):
                for g in s.grades:
                    counts[si, g] = 1
        else:
            for si, s in enumerate(plan.schools):
                if s.kind == "primary":
                    base = 4 if si == 0 else rng.choice((2, 3, 3, 4, 4, 4, 5, 5, 6))
                    for g in s.grades:
                        counts[si, g] = base if si == 0 else max(1, base + rng.choice((-1, 0, 0, 0, 1)))
                elif s.kind == "junior":
                    base = rng.randint(7, 12)
                    for g in s.grades:
                        counts[si, g] = max(4, base + rng.choice((-1, 0, 0, 1)))
                elif s.kind == "nine_year":
                    for g in s.grades:
                        counts[si, g] = 2 if g <= 6 else 3
            nine = sum(c for (si, g), c in counts.items() if plan.schools[si].kind == "nine_year" and g <= 6)
            nine_j = sum(c for (si, g), c in counts.items() if plan.schools[si].kind == "nine_year" and g > 6)
            self._rebalance(counts, "primary", round(30000 / 45) - nine, keep={0})
            self._rebalance(counts, "junior", round(14000 / 45) - nine_j, keep=set())
        for (si, g), n in sorted(counts.items()):
            for number in range(1, n + 1):
                plan.schools[si].classes.append(len(plan.classes))
                plan.classes.append(_Class(school=si, grade=g, number=number, size=rng.randint(40, 50)))
        for s in plan.schools:
            s.n_pupils = sum(plan.classes[c].size for c in s.classes)

    def _rebalance(self, counts: dict[tuple[int, int], int], kind: str, target: int, keep: set[int]) -> None:
        keys = [k for k in sorted(counts) if self.plan.schools[k[0]].kind == kind and k[0] not in keep]
        total = sum(counts[k] for k in counts if self.plan.schools[k[0]].kind == kind)
        while total != target:
            key = self.rng.choice(keys)
            if total < target:
                counts[key] += 1
                total += 1
            elif counts[key] > 2:
                counts[key] -= 1
                total -= 1

    def _rooms(self) -> None:
        rng, plan = self.rng, self.plan
        for si, s in enumerate(plan.schools):
            if not s.has_pupils:
                s.rooms.append(_Room("中式面点实训室", 30, ["kitchen", "water"]))
                s.rooms.append(_Room("烹饪实训室", 30, ["kitchen", "water"]))
                continue
            for ci in s.classes:
                c = plan.classes[ci]
                s.rooms.append(_Room(f"{_GRADE_CN[c.grade - 1]}（{c.number}）班教室", 50, [], budget=0))
            n = s.n_pupils
            extra = 1 + n // 900
            labs = ("物理实验室", "化学实验室", "生物实验室") if s.kind == "junior" else ("科学实验室",)
            for i in range(1 + n // 700):
                s.rooms.append(
                    _Room(
                        _numbered(labs[i % len(labs)], i // len(labs), 1 + n // 700 > len(labs)), 48, ["lab", "water"]
                    )
                )
            for base, cap, feats, count in (
                ("计算机教室", 50, ["computer"], extra),
                ("音乐教室", 50, ["music"], extra),
                ("美术教室", 45, ["art", "water"], extra),
            ):
                for i in range(count):
                    s.rooms.append(_Room(_numbered(base, i, count > 1), cap, feats))
            first = si == 0
            if n >= 500 or first:
                s.rooms.append(_Room("舞蹈房", 40, ["music"]))
            if rng.random() < 0.5:
                s.rooms.append(_Room("书法教室", 45, ["art", "water"]))
            if n >= 600 or first or rng.random() < 0.5:
                s.rooms.append(_Room("体育馆", 120, ["gym"]))
            if rng.random() < 0.5:
                s.rooms.append(_Room("乒乓球室", 40, ["gym"]))
            s.rooms.append(_Room("操场", 300, ["field"]))
            if n >= 900:
                s.rooms.append(_Room("篮球场", 60, ["field"]))
            if si in plan.hosts or rng.random() < 0.3:
                s.rooms.append(_Room("劳技教室", 30, ["kitchen", "water"]))
            if rng.random() < 0.4:
                s.rooms.append(_Room("创客空间", 40, ["lab", "computer"]))
            s.rooms.append(_Room("图书馆", 60, [], budget=0))

    def _teachers(self) -> None:
        """About one after-school teacher per 20 pupils; head teachers are mostly 语文/数学 teachers."""
        rng, plan = self.rng, self.plan
        for si, s in enumerate(plan.schools):
            if not s.has_pupils:
                continue
            n_teachers = max(round(s.n_pupils / 20), 2 * len(s.classes) + 4)
            weights = _SUBJECT_WEIGHTS["junior" if s.kind == "junior" else "primary"]
            start = len(plan.teachers)
            for k in range(n_teachers):
                sex = "F" if rng.random() < (0.72 if s.kind != "junior" else 0.6) else "M"
                main = rng.choices(SUBJECTS, weights=weights)[0]
                subjects = [main]
                if rng.random() < 0.3:
                    subjects.append(rng.choice(_SECOND_SUBJECT[main]))
                staff_no = f"{k + 1:03d}"
                phone = self.phone()
                s.teachers.append(len(plan.teachers))
                plan.teachers.append(
                    _Teacher(
                        school=si,
                        provider=None,
                        name=self.adult_name(sex),
                        staff_no=staff_no,
                        phone=phone,
                        subjects=subjects,
                        max_periods=rng.randint(4, 8),
                        unavailable=[],
                        username=f"t{s.code}{staff_no}",
                    )
                )
            # Head teachers: 语文/数学 (and 英语 in junior schools) first, then anyone.
            lead = {"语文", "数学"} | ({"英语"} if s.kind == "junior" else set())
            pool = list(range(start, len(plan.teachers)))
            rng.shuffle(pool)
            pool.sort(key=lambda t: plan.teachers[t].subjects[0] not in lead)
            for ci, ti in zip(s.classes, pool, strict=False):
                plan.classes[ci].head = ti
                t = plan.teachers[ti]
                t.max_periods = rng.randint(6, 8)  # 5 homework meetings + room for a club
                t.unavailable = sorted(rng.sample([wd * 2 + 1 for wd in range(5)], rng.choice((0, 0, 1, 1, 2))))
            heads = {plan.classes[ci].head for ci in s.classes}
            for ti in range(start, len(plan.teachers)):
                if ti not in heads:
                    plan.teachers[ti].unavailable = sorted(
                        rng.sample(range(10), rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0])
                    )
        # The vocational school's teachers and the outside institution's teacher.
        voc = plan.schools[plan.vocational]
        for k, (subjects, sex) in enumerate(
            (
                (["中式面点"], "M"),
                (["烹饪", "果蔬雕刻"], "M"),
                (["插花艺术"], "F"),
                (["机电技术", "创新设计"], "M"),
                (["旅游服务"], "F"),
            )
        ):
            staff_no = f"{k + 1:03d}"
            plan.teachers.append(
                _Teacher(
                    school=None,
                    provider="vocational",
                    name=self.adult_name(sex),
                    staff_no=staff_no,
                    phone=self.phone(),
                    subjects=subjects,
                    max_periods=8,
                    unavailable=[],
                    username=f"t{voc.code}{staff_no}",
                )
            )
        plan.teachers.append(
            _Teacher(
                school=None,
                provider="institution",
                name=self.adult_name("F"),
                staff_no="001",
                phone=self.phone(),
                subjects=["科学", "机器人"],
                max_periods=6,
                unavailable=[],
                username="txc001",
            )
        )

    def _pupils_and_families(self) -> None:
        """Pupils class by class, then households: ~15 % have two children, some across primary and junior."""
        rng, plan = self.rng, self.plan
        for ci, c in enumerate(plan.classes):
            for _ in range(c.size):
                c.pupils.append(len(plan.pupils))
                plan.pupils.append(
                    _Pupil(school=c.school, klass=ci, grade=c.grade, sex="M" if rng.random() < 0.51 else "F")
                )
        pools: dict[int, list[int]] = {}
        for si, s in enumerate(plan.schools):
            pool = [p for ci in s.classes for p in plan.classes[ci].pupils]
            rng.shuffle(pool)
            pools[si] = pool
        used: set[int] = set()
        pairs: list[tuple[int, int]] = []
        # Across a primary school and its nearby junior school (≈ 3 % of the primary's pupils).
        for si, s in enumerate(plan.schools):
            if s.kind != "primary" or s.feeder is None:
                continue
            junior_pool = [p for p in pools[s.feeder] if p not in used]
            m = max(1, round(s.n_pupils * 0.03))
            for a, b in zip([p for p in pools[si] if p not in used][:m], junior_pool[:m], strict=False):
                pairs.append((a, b))
                used.update((a, b))
        cross_first = next(i for i, (a, _b) in enumerate(pairs) if plan.pupils[a].school == 0)
        # Within a school: siblings in different grades (a few twins).
        for si in range(len(plan.schools)):
            rest = [p for p in pools[si] if p not in used]
            take = rest[: int(len(rest) * 0.23) // 2 * 2]
            take.sort(key=lambda p: plan.pupils[p].grade)
            half = len(take) // 2
            for a, b in zip(take[:half], take[half:], strict=True):
                pairs.append((a, b))
                used.update((a, b))
        singles = [p for p in range(len(plan.pupils)) if p not in used]
        households: list[list[int]] = [[a, b] for a, b in pairs] + [[p] for p in singles]
        order = list(range(len(households)))
        rng.shuffle(order)
        # The demo families go first so their ids are small and stable.
        single_first = len(pairs) + next(i for i, p in enumerate(singles) if plan.pupils[p].school == 0)
        order.remove(cross_first)
        order.remove(single_first)
        order = [cross_first, single_first, *order]
        for hi in order:
            self._family(households[hi])
        plan.parent_family, plan.parent2_family = 0, 1
        plan.families[0].submits = True
        plan.families[1].submits = True
        plan.families[0].guardians[0].phone = DEMO_PARENT_PHONE
        plan.families[0].guardians[0].username = "parent"
        plan.families[1].guardians[0].phone = DEMO_PARENT2_PHONE
        plan.families[1].guardians[0].username = "parent2"

    def _family(self, children: list[int]) -> None:
        rng, plan = self.rng, self.plan
        fi = len(plan.families)
        fam = _Family(children=children)
        surname = self.surname()
        left_behind = rng.random() < 0.05
        groups: list[str] = []
        if left_behind:
            groups.append(PriorityGroup.LEFT_BEHIND.value)
        else:
            if rng.random() < 0.126:
                groups.append(PriorityGroup.MIGRANT.value)
            if rng.random() < 0.42:
                groups.append(PriorityGroup.DUAL_EARNER.value)
        if rng.random() < 0.04:
            groups.append(PriorityGroup.LOW_INCOME.value)
        migrant = PriorityGroup.MIGRANT.value in groups
        names: set[str] = set()
        for p in children:
            pupil = plan.pupils[p]
            pupil.family = fi
            name = surname + self.child_given(pupil.sex)
            while name in names:
                name = surname + self.child_given(pupil.sex)
            names.add(name)
            pupil.name = name
            pupil.student_no = self.student_no(pupil.grade, pupil.sex, migrant)
            pupil.groups = [*groups, PriorityGroup.DISABLED.value] if rng.random() < 0.01 else list(groups)
        if left_behind:
            relations = [("祖父", "M", surname), ("祖母", "F", None)] if rng.random() < 0.6 else [("外婆", "F", None)]
        else:
            first_is_mother = rng.random() < 0.6
            father, mother = ("父亲", "M", surname), ("母亲", "F", None)
            relations = [mother, father] if first_is_mother else [father, mother]
            if rng.random() < 0.4:
                relations = relations[:1]
        for relation, sex, sn in relations:
            phone = self.phone()
            fam.guardians.append(
                _Guardian(name=self.adult_name(sex, sn), phone=phone, relation=relation, username=f"p{phone}")
            )
        plan.families.append(fam)

    def _courses(self) -> None:
        """Homework help per grade, 培优补差 per subject and grade, 15–30 clubs, partner courses at hosts."""
        rng, plan = self.rng, self.plan
        plan.partner_courses = [("vocational", row) for row in _VOCATIONAL_COURSES] + [
            ("institution", _INSTITUTION_COURSE)
        ]
        catalogue = list(range(len(_CLUBS)))
        rng.shuffle(catalogue)
        cursor = 0
        for si, s in enumerate(plan.schools):
            if not s.has_pupils:
                continue
            grades = list(s.grades)
            for g in grades:
                size = max(plan.classes[c].size for c in s.classes if plan.classes[c].grade == g)
                self._add_course(
                    _Course(
                        school=si,
                        kind="homework",
                        title=f"{_GRADE_CN[g - 1]}年级作业辅导",
                        grades=[g],
                        seats=size,
                        meetings=5,
                        features=[],
                        fee=Decimal("0"),
                        subject="",
                        description="在本班教室完成当天作业，老师答疑、辅导。",
                    )
                )
            for g in grades:
                for subject in ("数学", "语文", "英语"):
                    if subject == "英语" and g < 3:
                        continue
                    weight = (
                        (1.5 if subject in ("数学", "英语") else 1.2) if g >= 7 else (1.2 if subject == "数学" else 1.0)
                    )
                    self._add_course(
                        _Course(
                            school=si,
                            kind="tutoring",
                            title=f"{_GRADE_CN[g - 1]}年级{subject}培优补差",
                            grades=[g],
                            seats=rng.choice((20, 24, 25, 30)),
                            meetings=2 if rng.random() < 0.25 else 1,
                            features=[],
                            fee=Decimal("0"),
                            subject=subject,
                            weight=weight,
                            description=f"{subject}学习困难学生补差、学有余力学生拓展，分层辅导。",
                        )
                    )
            # Clubs: popular ones often, then a walk through the shuffled catalogue (so the district
            # covers it), then popularity-weighted picks. A club needing a special room reserves it.
            n_clubs = min(30, max(15, round(s.n_pupils / 45) + rng.randint(-3, 3)))
            chosen: set[int] = set()
            for k, club in enumerate(_CLUBS):
                if club[5] >= _POPULAR and (si == 0 or rng.random() < 0.75):
                    self._club(si, k, chosen)
            walk = 0
            while len(chosen) < n_clubs * 0.6 and walk < len(catalogue):
                self._club(si, catalogue[cursor % len(catalogue)], chosen)
                cursor += 1
                walk += 1
            candidates = [k for k in range(len(_CLUBS)) if k not in chosen]
            while len(chosen) < n_clubs and candidates:
                k = rng.choices(candidates, weights=[_CLUBS[c][5] for c in candidates])[0]
                candidates.remove(k)
                self._club(si, k, chosen)
            # Partner courses at the host schools.
            for pi, (provider, row) in enumerate(plan.partner_courses):
                hosts = plan.hosts if provider == "vocational" else [plan.institution_host]
                if si not in hosts:
                    continue
                title, _en, _kind, pgrades, group, feats, fee, _materials, description = row
                course = _Course(
                    school=si,
                    kind="partner",
                    title=title,
                    grades=[g for g in pgrades if g in s.grades],
                    seats=group,
                    meetings=1,
                    features=list(feats),
                    fee=Decimal(fee),
                    subject="",
                    weight=4.5,
                    limited=True,
                    partner=pi,
                    description=description,
                )
                if feats and not self._take_room(s, course):
                    raise RuntimeError(f"host school {s.name} has no room for {title}")
                self._add_course(course)

    def _club(self, si: int, k: int, chosen: set[int]) -> None:
        """Offer club `k` at school `si` if its grades and a free special room allow it."""
        rng, school = self.rng, self.plan.schools[si]
        title, subject, feats, lo, hi, weight = _CLUBS[k]
        grades = [g for g in school.grades if lo <= g <= hi]
        if k in chosen or not grades:
            return
        seats_max = min([r.capacity for r in school.rooms if set(feats) <= set(r.features)] + [40])
        seats = min(seats_max, rng.choice((20, 24, 25, 30, 30, 35, 40)))
        meetings = 2 if rng.random() < 0.3 else 1
        fee = Decimal("0") if rng.random() < 0.55 else Decimal(rng.choice(("3.00", "3.20", "3.50")))
        span = _GRADE_CN[grades[0] - 1] + (f"至{_GRADE_CN[grades[-1] - 1]}" if len(grades) > 1 else "")
        course = _Course(
            school=si,
            kind="club",
            title=title,
            grades=grades,
            seats=seats,
            meetings=meetings,
            features=list(feats),
            fee=fee,
            subject=subject,
            weight=weight,
            limited=weight >= _POPULAR,
            description=f"面向{span}年级学生的{title}社团，每周{meetings}次。",
        )
        if feats and not self._take_room(school, course):
            return
        chosen.add(k)
        self._add_course(course)

    def _add_course(self, course: _Course) -> None:
        self.plan.schools[course.school].courses.append(len(self.plan.courses))
        self.plan.courses.append(course)

    def _preferences(self) -> None:
        """~70 % of pupils rank 3 distinct club/tutoring/partner courses of their grade, popular ones far more often."""
        rng, plan = self.rng, self.plan
        options: dict[tuple[int, int], tuple[list[int], list[float]]] = {}
        for si, s in enumerate(plan.schools):
            for g in s.grades:
                ks = [k for k in s.courses if plan.courses[k].kind != "homework" and g in plan.courses[k].grades]
                options[si, g] = (ks, [plan.courses[k].weight for k in ks])
        for fam in plan.families:
            for p in fam.children:
                pupil = plan.pupils[p]
                pupil.homework = rng.random() < 0.9
                submits = fam.submits if fam.submits is not None else rng.random() < 0.7
                if not submits:
                    continue
                ks, ws = options[pupil.school, pupil.grade]
                # Weighted sampling without replacement (Efraimidis–Spirakis keys).
                keyed = sorted(((rng.random() ** (1.0 / w), k) for k, w in zip(ks, ws, strict=True)), reverse=True)
                pupil.prefs = [(k, -1) for _key, k in keyed[:3]]

    def _sections(self) -> None:
        """Sections sized by demand: popular courses get few (2–3× oversubscribed), others about enough."""
        rng, plan = self.rng, self.plan
        first: dict[int, int] = {}
        later: dict[int, int] = {}
        for pupil in plan.pupils:
            for rank, (k, _s) in enumerate(pupil.prefs):
                (first if rank == 0 else later)[k] = (first if rank == 0 else later).get(k, 0) + 1
        for k, course in enumerate(plan.courses):
            school = plan.schools[course.school]
            if course.kind == "homework":
                for ci in school.classes:
                    c = plan.classes[ci]
                    if c.grade == course.grades[0]:
                        course.sections.append(
                            _Section(code=f"{c.number}班", capacity=c.size, teacher=c.head, klass=ci)
                        )
                continue
            d1, d2 = first.get(k, 0), later.get(k, 0)
            if course.kind == "partner":
                wanted = 1
            elif course.limited:
                ratio = rng.uniform(2.2, 2.8)
                wanted = max(1, round(d1 / (ratio * course.seats)))
                if wanted == 1 and d1 < 2 * course.seats:  # too few first choices: a smaller group instead
                    course.seats = max(20, min(course.seats, round(d1 / ratio)))
            else:
                wanted = max(1, math.ceil((0.9 * d1 + 0.2 * d2) / course.seats))
            for i in range(wanted):  # the first special room was reserved when the course was offered
                if i > 0 and course.features and not self._take_room(school, course):
                    break
                course.sections.append(_Section(code=f"{i + 1}组", capacity=course.seats))
        for pupil in plan.pupils:
            pupil.prefs = [(k, rng.randrange(len(plan.courses[k].sections))) for k, _s in pupil.prefs]

    @staticmethod
    def _take_room(school: _School, course: _Course) -> bool:
        """Reserve weekly room time for one section; False when no room with the features is left."""
        need = set(course.features)
        rooms = [
            r
            for r in school.rooms
            if need <= set(r.features) and r.budget >= course.meetings and r.capacity >= course.seats
        ]
        if not rooms:
            return False
        room = max(rooms, key=lambda r: r.budget)
        room.budget -= course.meetings
        return True

    def _assign_teachers(self) -> None:
        """A teacher whose subject fits and who has weekly periods left; the demo teacher is filled first."""
        plan = self.plan
        jx = plan.schools[0]
        non_heads = [t for t in jx.teachers if t not in {plan.classes[c].head for c in jx.classes}]
        demo = non_heads[0]
        plan.demo_teacher = demo
        dt_ = plan.teachers[demo]
        dt_.subjects, dt_.max_periods, dt_.unavailable = ["数学", "信息技术"], 8, [0]
        voc = [i for i, t in enumerate(plan.teachers) if t.provider == "vocational"]
        inst = next(i for i, t in enumerate(plan.teachers) if t.provider == "institution")
        plan.partner_teacher = voc[0]
        for course in plan.courses:
            for section in course.sections:
                if course.kind == "homework":
                    t = plan.teachers[section.teacher]
                elif course.kind == "partner":
                    provider = plan.partner_courses[course.partner][0]
                    section.teacher = voc[min(course.partner, 3)] if provider == "vocational" else inst
                    t = plan.teachers[section.teacher]
                else:
                    section.teacher = self._pick(plan.schools[course.school].teachers, course, demo)
                    t = plan.teachers[section.teacher]
                t.load += course.meetings
                t.sections += 1
                if course.kind != "homework":
                    t.club_load += course.meetings
                if t.load > t.max_periods:
                    plan.overloaded += 1
                    t.max_periods = min(40, t.load)

    def _pick(self, pool: list[int], course: _Course, demo: int) -> int:
        teachers = self.plan.teachers
        # 5+2 in practice: homework help in session 1, everything else in session 2, so a teacher
        # takes on no more club meetings than the session-2 slots they are available in.
        free = [
            t
            for t in pool
            if teachers[t].max_periods - teachers[t].load >= course.meetings
            and teachers[t].session2_free >= course.meetings
        ]
        fits = [t for t in free if course.subject in teachers[t].subjects]
        if demo in fits and (course.kind == "club" or teachers[demo].sections < 2):
            return demo
        if fits:
            return self.rng.choices(fits, weights=[teachers[t].max_periods - teachers[t].load for t in fits])[0]
        spare = free
        if spare:  # nobody of that subject is free: a colleague with time takes it on as a second subject
            t = max(spare, key=lambda t: (teachers[t].max_periods - teachers[t].load, -t))
            teachers[t].subjects.append(course.subject)
            return t
        return max(pool, key=lambda t: (teachers[t].session2_free, -teachers[t].load, -t))

    def _demo_accounts(self) -> None:
        plan = self.plan
        plan.teachers[plan.demo_teacher].username = "teacher"
        plan.teachers[plan.partner_teacher].username = "partner"


# --- Writing ---------------------------------------------------------------------------------
class _Writer:
    """Inserts a plan with bulk_create, phase by phase, remembering the ids it gets back."""

    def __init__(self, plan: DemoPlan, say: Callable[[str], None], report: SeedReport) -> None:
        self.plan = plan
        self.say = say
        self.report = report
        self.password = make_password(settings.KEHOU_DEMO_PASSWORD)  # hashed once, shared by every user
        self.school_ids: list[int] = []
        self.term_ids: dict[int, int] = {}
        self.slot_ids: dict[int, list[int]] = {}
        self.teacher_ids: list[int] = []
        self.class_ids: list[int] = []
        self.section_ids: dict[int, list[int]] = {}
        self.provider_ids: dict[str, int] = {}
        self.partner_course_ids: list[int] = []
        self.student_ids: list[int] = []
        self.window_ids: dict[int, int] = {}
        self.district: District | None = None

    def write(self) -> None:
        phases: list[tuple[str, Callable[[], str]]] = [
            ("学区、学校与合作机构", self._schools),
            ("学期、校历与时段", self._calendar),
            ("教室", self._rooms),
            ("教师与演示账号", self._teachers),
            ("班级", self._classes),
            ("课程与教学班", self._courses),
            ("家庭、家长与学生", self._families),
            ("报名窗口、志愿与作业辅导名额", self._choices),
            ("校际路程", self._travel),
        ]
        for i, (label, step) in enumerate(phases, start=1):
            t0 = time.perf_counter()
            detail = step()
            took = time.perf_counter() - t0
            self.report.phases.append((label, took))
            self.say(f"[{i}/{len(phases)}] {label}：{detail}（{took:.1f} 秒）")

    def _schools(self) -> str:
        plan = self.plan
        self.district = District.objects.create(name=DEMO_DISTRICT_NAME, code=DEMO_DISTRICT_CODE)
        self.school_ids = _bulk(
            School,
            (
                School(district=self.district, name=s.name, code=s.code, kind=s.kind, address=s.address)
                for s in plan.schools
            ),
        )
        voc = Provider.objects.create(
            district=self.district,
            name=VOCATIONAL_SCHOOL,
            kind=Provider.Kind.VOCATIONAL,
            school_id=self.school_ids[plan.vocational],
            qualification_status=Provider.Review.APPROVED,
            qualification_expires=dt.date(2027, 8, 31),
        )
        inst = Provider.objects.create(
            district=self.district,
            name="星辰科技教育",
            kind=Provider.Kind.INSTITUTION,
            qualification_status=Provider.Review.APPROVED,
            qualification_expires=dt.date(2027, 6, 30),
        )
        self.provider_ids = {"vocational": voc.pk, "institution": inst.pk}
        self.partner_course_ids = _bulk(
            PartnerCourse,
            (
                PartnerCourse(
                    provider_id=self.provider_ids[provider],
                    title=title,
                    title_en=title_en,
                    description=description,
                    kind=kind,
                    grades=grades,
                    group_size=group,
                    meetings_per_week=1,
                    materials=materials,
                    room_features=feats,
                    fee_per_class_hour=Decimal(fee),
                    status=PartnerCourse.Status.APPROVED,
                )
                for provider, (
                    title,
                    title_en,
                    kind,
                    grades,
                    group,
                    feats,
                    fee,
                    materials,
                    description,
                ) in plan.partner_courses
            ),
        )
        return f"{len(self.school_ids)} 所学校，2 家合作机构，{len(self.partner_course_ids)} 门合作课程"

    def _calendar(self) -> str:
        plan = self.plan
        with_pupils = [si for si, s in enumerate(plan.schools) if s.has_pupils]
        term_ids = _bulk(
            Term,
            (
                Term(school_id=self.school_ids[si], name=DEMO_TERM_NAME, start=_TERM_START, end=_TERM_END)
                for si in with_pupils
            ),
        )
        self.term_ids = dict(zip(with_pupils, term_ids, strict=True))
        exceptions = []
        for term_id in term_ids:
            exceptions += [
                CalendarException(term_id=term_id, date=d, kind=CalendarException.Kind.HOLIDAY, note=note)
                for d, note in _HOLIDAYS
            ]
            exceptions += [
                CalendarException(
                    term_id=term_id, date=d, kind=CalendarException.Kind.WORKDAY, follows_weekday=wd, note=note
                )
                for d, wd, note in _SWAPPED_WORKDAYS
            ]
        _bulk(CalendarException, exceptions, want_ids=False)
        slots: list[Slot] = []
        for si in with_pupils:
            grid = _JUNIOR_GRID if plan.schools[si].kind == "junior" else _PRIMARY_GRID
            for wd in range(5):
                for session, (start, end) in enumerate(grid[1 if wd == 4 else 0], start=1):
                    slots.append(
                        Slot(
                            school_id=self.school_ids[si],
                            weekday=wd,
                            session=session,
                            start=dt.time(*start),
                            end=dt.time(*end),
                        )
                    )
        ids = _bulk(Slot, slots)
        for n, si in enumerate(with_pupils):
            self.slot_ids[si] = ids[n * 10 : n * 10 + 10]
        return f"{len(term_ids)} 个学期，{len(exceptions)} 个校历例外，{len(slots)} 个时段"

    def _rooms(self) -> str:
        ids = _bulk(
            Room,
            (
                Room(school_id=self.school_ids[si], name=r.name, capacity=r.capacity, features=r.features)
                for si, s in enumerate(self.plan.schools)
                for r in s.rooms
            ),
            want_ids=False,
        )
        return f"{ids} 间"

    def _teachers(self) -> str:
        plan = self.plan
        jx, second = self.school_ids[0], self.school_ids[1]
        staff = [
            ("coordinator", "周丽华", False),
            ("coordinator2", "吴建国", False),
            ("bureau", "刘明", False),
            ("admin", "系统管理员", True),
        ]
        staff_users = [
            User(username=u, password=self.password, display_name=name, is_staff=admin, is_superuser=admin)
            for u, name, admin in staff
        ]
        User.objects.bulk_create(staff_users)
        by_name = {u.username: u.pk for u in staff_users}
        user_ids = _bulk(
            User,
            (
                User(username=t.username, password=self.password, phone=t.phone, display_name=t.name)
                for t in plan.teachers
            ),
        )
        self.teacher_ids = _bulk(
            Teacher,
            (
                Teacher(
                    user_id=uid,
                    school_id=self.school_ids[t.school] if t.school is not None else None,
                    provider_id=self.provider_ids[t.provider] if t.provider else None,
                    name=t.name,
                    staff_no=t.staff_no,
                    phone=t.phone,
                    subjects=t.subjects,
                    max_periods_week=t.max_periods,
                )
                for t, uid in zip(plan.teachers, user_ids, strict=True)
            ),
        )
        grants = [
            RoleGrant(user_id=by_name["coordinator"], role=Role.COORDINATOR, school_id=jx),
            RoleGrant(user_id=by_name["coordinator2"], role=Role.COORDINATOR, school_id=second),
            RoleGrant(user_id=by_name["bureau"], role=Role.BUREAU, district=self.district),
        ]
        for t, uid in zip(plan.teachers, user_ids, strict=True):
            if t.provider:
                grants.append(
                    RoleGrant(user_id=uid, role=Role.PARTNER_TEACHER, provider_id=self.provider_ids[t.provider])
                )
            else:
                grants.append(RoleGrant(user_id=uid, role=Role.TEACHER, school_id=self.school_ids[t.school]))
        _bulk(RoleGrant, grants, want_ids=False)
        through = Teacher.unavailable_slots.through
        blocked = _bulk(
            through,
            (
                through(teacher_id=tid, slot_id=self.slot_ids[t.school][k])
                for t, tid in zip(plan.teachers, self.teacher_ids, strict=True)
                if t.school is not None
                for k in t.unavailable
            ),
            want_ids=False,
        )
        return f"{len(self.teacher_ids)} 名教师（含 {sum(1 for t in plan.teachers if t.provider)} 名合作机构教师），{blocked} 个不可用时段"

    def _classes(self) -> str:
        plan = self.plan
        self.class_ids = _bulk(
            SchoolClass,
            (
                SchoolClass(
                    school_id=self.school_ids[c.school],
                    grade=c.grade,
                    number=c.number,
                    head_teacher_id=self.teacher_ids[c.head] if c.head >= 0 else None,
                )
                for c in plan.classes
            ),
        )
        return f"{len(self.class_ids)} 个班"

    def _courses(self) -> str:
        plan = self.plan
        course_ids = _bulk(
            Course,
            (
                Course(
                    school_id=self.school_ids[c.school],
                    partner_course_id=self.partner_course_ids[c.partner] if c.partner is not None else None,
                    kind=c.kind,
                    title=c.title,
                    description=c.description,
                    grades=c.grades,
                    seats_per_section=c.seats,
                    meetings_per_week=c.meetings,
                    room_features=c.features,
                    fee_per_class_hour=c.fee,
                )
                for c in plan.courses
            ),
        )
        ids = _bulk(
            Section,
            (
                Section(
                    course_id=cid,
                    term_id=self.term_ids[c.school],
                    code=s.code,
                    teacher_id=self.teacher_ids[s.teacher] if s.teacher >= 0 else None,
                    school_class_id=self.class_ids[s.klass] if s.klass is not None else None,
                    capacity=s.capacity,
                )
                for c, cid in zip(plan.courses, course_ids, strict=True)
                for s in c.sections
            ),
        )
        pos = 0
        for k, c in enumerate(plan.courses):
            self.section_ids[k] = ids[pos : pos + len(c.sections)]
            pos += len(c.sections)
        clubs = len({c.title for c in plan.courses if c.kind == "club"})
        return f"{len(course_ids)} 门课程（社团 {clubs} 种），{len(ids)} 个教学班"

    def _families(self) -> str:
        plan = self.plan
        family_ids = _bulk(
            Family, (Family(label="、".join(plan.pupils[p].name for p in f.children) + "家") for f in plan.families)
        )
        guardians = [(fi, g) for fi, f in enumerate(plan.families) for g in f.guardians]
        user_ids = _bulk(
            User,
            (
                User(username=g.username, password=self.password, phone=g.phone, display_name=g.name)
                for _fi, g in guardians
            ),
        )
        _bulk(
            Guardian,
            (
                Guardian(user_id=uid, family_id=family_ids[fi], name=g.name, phone=g.phone, relation=g.relation)
                for (fi, g), uid in zip(guardians, user_ids, strict=True)
            ),
            want_ids=False,
        )
        _bulk(RoleGrant, (RoleGrant(user_id=uid, role=Role.PARENT) for uid in user_ids), want_ids=False)
        order = [p for f in plan.families for p in f.children]
        ids = _bulk(
            Student,
            (
                Student(
                    school_id=self.school_ids[pupil.school],
                    school_class_id=self.class_ids[pupil.klass],
                    family_id=family_ids[pupil.family],
                    student_no=pupil.student_no,
                    name=pupil.name,
                    sex=pupil.sex,
                    grade=pupil.grade,
                    priority_groups=pupil.groups,
                )
                for pupil in (plan.pupils[p] for p in order)
            ),
        )
        self.student_ids = [0] * len(plan.pupils)
        for p, sid in zip(order, ids, strict=True):
            self.student_ids[p] = sid
        siblings = sum(1 for f in plan.families if len(f.children) > 1)
        return f"{len(family_ids)} 户（{siblings} 户有两个孩子），{len(user_ids)} 位家长，{len(ids)} 名学生"

    def _choices(self) -> str:
        plan = self.plan
        with_pupils = [si for si, s in enumerate(plan.schools) if s.has_pupils]
        window_ids = _bulk(
            EnrollmentWindow,
            (
                EnrollmentWindow(
                    school_id=self.school_ids[si],
                    term_id=self.term_ids[si],
                    mode=EnrollmentWindow.Mode.PREFERENCE,
                    opens_at=_WINDOW_OPENS,
                    closes_at=_WINDOW_CLOSES,
                    max_choices=3,
                    lottery_seed_hash=commitment(demo_lottery_seed(plan.schools[si].code, plan.seed)),
                )
                for si in with_pupils
            ),
        )
        self.window_ids = dict(zip(with_pupils, window_ids, strict=True))
        n_prefs = _bulk(
            Preference,
            (
                Preference(
                    window_id=self.window_ids[pupil.school],
                    student_id=self.student_ids[p],
                    section_id=self.section_ids[k][s],
                    rank=rank,
                )
                for p, pupil in enumerate(plan.pupils)
                for rank, (k, s) in enumerate(pupil.prefs, start=1)
            ),
            want_ids=False,
        )
        # `submitted_at` is auto_now, so spread it over the (closed) window afterwards: 24 buckets.
        for bucket in range(24):
            at = _WINDOW_OPENS + dt.timedelta(hours=bucket * 7, minutes=(bucket * 37) % 60)
            Preference.objects.filter(window_id__in=window_ids).annotate(b=Mod("student_id", 24)).filter(
                b=bucket
            ).update(submitted_at=at)
        homework: dict[int, int] = {}
        for k, c in enumerate(plan.courses):
            if c.kind == "homework":
                for s, sid in zip(c.sections, self.section_ids[k], strict=True):
                    homework[s.klass] = sid
        n_enr = _bulk(
            Enrollment,
            (
                Enrollment(
                    student_id=self.student_ids[p],
                    section_id=homework[pupil.klass],
                    status=Enrollment.Status.ENROLLED,
                    source=Enrollment.Source.SCHOOL,  # the school places pupils in their class's homework help
                    created_at=_HOMEWORK_SEATS_AT,
                )
                for p, pupil in enumerate(plan.pupils)
                if pupil.homework
            ),
            want_ids=False,
        )
        return f"{len(window_ids)} 个志愿窗口，{n_prefs} 条志愿，{n_enr} 个作业辅导名额"

    def _travel(self) -> str:
        plan = self.plan
        n = _bulk(
            TravelTime,
            (
                TravelTime(from_school_id=self.school_ids[a], to_school_id=self.school_ids[b], minutes=_minutes(sa, sb))
                for a, sa in enumerate(plan.schools)
                for b, sb in enumerate(plan.schools)
                if a != b
            ),
            want_ids=False,
        )
        return f"{n} 条"


# --- Helpers ---------------------------------------------------------------------------------
def _bulk(model: type[models.Model], objs: Iterable[models.Model], *, want_ids: bool = True) -> Any:
    """bulk_create in chunks (so the district never holds all objects at once); ids in order, or a count."""
    ids: list[int] = []
    count = 0
    for chunk in _chunks(objs, _CHUNK):
        model.objects.bulk_create(chunk, batch_size=_BATCH)
        count += len(chunk)
        if want_ids:
            ids.extend(o.pk for o in chunk)
    return ids if want_ids else count


def _chunks(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _cumulative(weights: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _distance(a: _School, b: _School) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def _minutes(a: _School, b: _School) -> int:
    """Travel minutes from the synthetic layout: 5 minutes plus ~2.2 minutes a km, at most 45."""
    return max(5, min(45, round(5 + 2.2 * _distance(a, b))))


def _numbered(base: str, i: int, many: bool) -> str:
    return f"{base}{i + 1}" if many else base
