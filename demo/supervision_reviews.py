"""The demo district's expert course review: the committee of 51 教研员 and teachers (as in the report),
the demo institution's courses (two decided 学科类 — one by 2 to 1 — one in review waiting for the
`expert` login's opinion, one submitted), and a non-subject institution's course decided 非学科类.

Everything goes through the review services (validated, audited), with seeds derived from the demo
seed, so the same seed gives the same pool, the same draws and the same verdicts.
"""

from __future__ import annotations

import hashlib
import random
import struct
import zlib
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, RoleGrant, User
from courses.models import District
from supervision.draw import commitment_of
from supervision.models import CourseReview, Expert, Institution, InstitutionAccount
from supervision.services import reviews

UNITS = ("区教师发展中心", "锦溪小学", "城南小学", "实验初级中学", "第二中学", "花桥中心小学", "周庄中学")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞"
# (subjects, how many): 51 members, every national-curriculum area covered by at least three.
COMMITTEE = (
    (["chinese"], 6),
    (["mathematics"], 7),
    (["foreign_language"], 5),
    (["physics", "chemistry"], 4),
    (["chemistry", "biology"], 3),
    (["biology"], 2),
    (["history", "geography"], 4),
    (["morality_law", "history"], 3),
    (["geography"], 2),
    (["sports"], 4),
    (["arts"], 5),
    (["practice", "arts"], 3),
    (["practice"], 3),
)


def review_seed(seed: int, name: str) -> str:
    return hashlib.sha256(f"kehou-demo-review:{seed}:{name}".encode()).hexdigest()[:32]


def _pdf(title: str) -> bytes:
    """A one-page PDF (ASCII text only: the demo's material, opened by any viewer)."""
    text = title.encode("ascii", "replace").decode()
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png(width: int = 120, height: int = 80, rgb: tuple[int, int, int] = (70, 130, 180)) -> bytes:
    """A plain-colour PNG (a scanned page stands in for a handout)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _materials(slug: str) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"{slug}-syllabus.pdf", _pdf(f"Kehou demo: {slug} syllabus")),
        SimpleUploadedFile(f"{slug}-handout.png", _png()),
    ]


def _course(name: str, subject: str, grades: tuple[int, int], outline: str, materials: str, teacher: str) -> dict:
    return {
        "name": name,
        "subject_area": subject,
        "grade_from": grades[0],
        "grade_to": grades[1],
        "hours": 24,
        "lesson_minutes": 60,
        "class_size": 15,
        "schedule": "周六 9:00–10:00",
        "objectives": "",
        "outline": outline,
        "materials_list": materials,
        "teacher": teacher,
        "teacher_certificate": "",
        "fee": "60",
    }


def _decide(review: CourseReview, opinions: str, *, seed: str, by: User | None) -> CourseReview:
    reviews.review_commit(review=review, commitment=commitment_of(seed), by=by)
    review = reviews.review_draw(review=review, seed=seed, by=by)
    panel = [a.expert for a in review.assignments.select_related("expert").order_by("rank")]
    for expert, letter in zip(panel, opinions, strict=True):
        kind = "subject" if letter == "S" else "non_subject"
        reason = (
            "内容对应义务教育课程标准的学科知识，按学科类管理。"
            if kind == "subject"
            else "以兴趣培养和实践体验为主，不涉及学科课程标准内容。"
        )
        reviews.opinion_give(review=review, expert=expert, opinion=kind, reason=reason)
    review, _further = reviews.review_decide(review=review, by=by)
    return review


def seed_reviews(district: District, *, seed: int, password: str, log: Callable[[str], None] | None = None) -> None:
    say = log or (lambda _m: None)
    rng = random.Random(seed * 11 + 17)
    bureau = User.objects.filter(username="bureau").first()
    # the committee
    for subjects, count in COMMITTEE:
        for _k in range(count):
            reviews.expert_create(
                district=district,
                by=bureau,
                data={
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "unit": rng.choice(UNITS),
                    "subjects": subjects,
                },
            )
    account = InstitutionAccount.objects.select_related("institution", "user").filter(user__username="institution")
    institution = account.first().institution if account.exists() else Institution.objects.filter(district=district)[0]
    by_institution = account.first().user if account.exists() else None
    # one conflict of interest: the first mathematics expert taught at the demo institution
    first_maths = next(
        (e for e in Expert.objects.filter(district=district).order_by("code") if "mathematics" in e.subjects), None
    )
    if first_maths is not None:
        reviews.expert_conflict_add(expert=first_maths, institution=institution, reason="曾在该机构兼职授课", by=bureau)
    # decided: 学科类 by two opinions to one
    maths = reviews.course_submit(
        institution=institution,
        by=by_institution,
        uploads=_materials("maths"),
        data=_course(
            "小学奥数思维训练",
            "mathematics",
            (3, 6),
            "第1讲 巧算速算\n第2讲 数列规律\n第3讲 行程问题\n第4讲 鸡兔同笼",
            "自编讲义《奥数思维》上、下册",
            "陈老师",
        ),
    )
    _decide(maths, "SNS", seed=review_seed(seed, "maths"), by=bureau)
    # 道德与法治 has exactly three experts (COMMITTEE), so both of its reviews draw all three and the
    # demo `expert` login (one of them) has, whatever the seed, one decided review and one to judge
    law = reviews.course_submit(
        institution=institution,
        by=by_institution,
        uploads=_materials("law"),
        data=_course(
            "青少年法治启蒙",
            "morality_law",
            (4, 6),
            "1 宪法与我们的生活\n2 未成年人保护法\n3 校园欺凌的法律后果",
            "《道德与法治》教材配套讲义（机构自编）",
            "赵老师",
        ),
    )
    _decide(law, "SSS", seed=review_seed(seed, "law"), by=bureau)
    # in review: one opinion given, the demo `expert` login still to judge
    trial = reviews.course_submit(
        institution=institution,
        by=by_institution,
        uploads=_materials("trial"),
        data=_course(
            "少儿模拟法庭",
            "morality_law",
            (5, 8),
            "1 法庭角色认知\n2 案例剧本研读\n3 模拟庭审演练\n4 走进人民法院（参观）",
            "模拟法庭剧本集（机构自编）",
            "赵老师",
        ),
    )
    secret = review_seed(seed, "trial")
    reviews.review_commit(review=trial, commitment=commitment_of(secret), by=bureau)
    trial = reviews.review_draw(review=trial, seed=secret, by=bureau)
    panel = [a.expert for a in trial.assignments.select_related("expert").order_by("rank")]
    reviews.opinion_give(
        review=trial,
        expert=panel[0],
        opinion="non_subject",
        reason="以角色体验和实践活动为主，不讲授道德与法治课程标准的知识内容，属综合实践类。",
    )
    login = User.objects.create(username="expert", password=password, display_name=panel[1].name)
    RoleGrant.objects.create(user=login, role=Role.EXPERT, district=district)
    panel[1].user = login
    panel[1].save(update_fields=["user"])
    # submitted, not yet drawn
    reviews.course_submit(
        institution=institution,
        by=by_institution,
        uploads=_materials("arts"),
        data=_course(
            "少儿创意美术",
            "arts",
            (1, 4),
            "线描、色彩、手工与综合材料创作",
            "《少儿美术》教材及自备画材",
            "周老师",
        ),
    )
    # a non-subject institution's only course, decided 非学科类 (its kind confirmed, with history)
    other = Institution.objects.filter(district=district, kind="non_subject", status="operating").order_by("id").first()
    if other is not None:
        dance = reviews.course_submit(
            institution=other,
            uploads=_materials("dance"),
            data=_course(
                "少儿中国舞", "arts", (1, 6), "基本功训练、民族民间舞组合、舞台表演", "《中国舞等级考试教材》", "林老师"
            ),
        )
        _decide(dance, "NNN", seed=review_seed(seed, "dance"), by=bureau)
    say(
        f"  监管：课程审核专家 {Expert.objects.filter(district=district).count()} 名，课程审核 {CourseReview.objects.count()} 件"
    )
