"""The demo data of ``load_demo``: SPEC section 2's department, its clients and payments.

October 2026 reproduces the 55 M example with both milestones met (26 M by the 15th,
46 M by the 25th, 55 M in all); November 2026 is the running month up to the 27th,
with the first milestone met and the second one missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accounts.models import Role

SINCE = dt.date(2026, 1, 1)
DEPARTMENT = "Клиентский отдел"
STAFF_POSITION = "Менеджер по работе с клиентами"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    position: str
    role: Role | None
    personnel_number: str
    base_salary: str | None = None


PEOPLE = (
    DemoPerson(
        "head", "Андрей Соколов", "Начальник клиентского отдела", Role.HEAD, "0001", "40000.00"
    ),
    DemoPerson("masha", "Мария Иванова", STAFF_POSITION, Role.STAFF, "0002", "20000.00"),
    DemoPerson("vasya", "Василий Смирнов", STAFF_POSITION, Role.STAFF, "0003", "20000.00"),
    DemoPerson("olya", "Ольга Кузнецова", STAFF_POSITION, Role.STAFF, "0004", "20000.00"),
    DemoPerson("director", "Дмитрий Орлов", "Коммерческий директор", Role.DIRECTOR, "0005"),
    DemoPerson("accountant", "Елена Морозова", "Главный бухгалтер", Role.ACCOUNTANT, "0006"),
)
ADMIN_USERNAME = "admin"
# The administrator has no employee record; the user's own name is shown instead.
ADMIN_FIRST_NAME, ADMIN_LAST_NAME = "Олег", "Белов"

SCHEME = {
    "plan": "50000000.00",
    "threshold": "40000000.00",
    "rate": "0.005",
    "head_share": "0.40",
}
MILESTONES = (
    {"day": 15, "share_of_plan": "0.50", "fraction": "1/3"},
    {"day": 25, "share_of_plan": "0.90", "fraction": "1/3"},
)
SCHEME_MONTHS = (dt.date(2026, 10, 1), dt.date(2026, 11, 1))


@dataclass(frozen=True)
class DemoClient:
    name: str
    region: str  # the first four digits of the INN: tax office code
    responsible: str  # a username from PEOPLE
    october: tuple[int, str]  # (day, amount)
    november: tuple[int, str] | None = None


CLIENTS = (
    DemoClient("ООО «Альфа-Трейд»", "7701", "masha", (1, "3400000.00"), (2, "3300000.00")),
    DemoClient("ООО «Бета-Логистик»", "7705", "vasya", (2, "2900000.00"), (3, "3000000.00")),
    DemoClient("АО «Волга-Строй»", "6315", "olya", (5, "2600000.00"), (5, "2500000.00")),
    DemoClient("ООО «Гранит-Инвест»", "7714", "masha", (5, "2300000.00"), (6, "2450000.00")),
    DemoClient("ООО «Дельта-Сервис»", "7728", "vasya", (6, "2100000.00"), (9, "2100000.00")),
    DemoClient("ООО «Евразия-Снаб»", "5003", "olya", (7, "1900000.00"), (9, "1850000.00")),
    DemoClient("ООО «Заря-Агро»", "3664", "masha", (8, "1750000.00"), (10, "1750000.00")),
    DemoClient("АО «Иртыш-Энерго»", "5503", "vasya", (8, "1600000.00"), (11, "1700000.00")),
    DemoClient("ООО «Кедр-Мебель»", "7810", "olya", (9, "1236540.75"), (12, "1236540.75")),
    DemoClient("ООО «Ладога-Фуд»", "7804", "masha", (9, "1350000.00"), (12, "1400000.00")),
    DemoClient("ООО «Меридиан»", "7743", "vasya", (12, "1200000.00"), (13, "1150000.00")),
    DemoClient("ООО «Нева-Принт»", "7813", "olya", (12, "1100000.00"), (13, "1100000.00")),
    DemoClient("ООО «Омега-Телеком»", "7719", "masha", (13, "863459.25"), (13, "914959.25")),
    DemoClient("АО «Полюс-Пласт»", "5029", "vasya", (14, "780000.00"), (16, "800000.00")),
    DemoClient("ООО «Радуга-Текстиль»", "3702", "olya", (14, "920000.00"), (17, "950000.00")),
    DemoClient("ООО «Сибирский лес»", "5406", "masha", (16, "3100000.00"), (6, "1198500.00")),
    DemoClient("ООО «Таврида-Вин»", "9102", "vasya", (16, "2750000.00"), (11, "650000.00")),
    DemoClient("ООО «Уральские металлы»", "6670", "olya", (19, "2400000.00"), (18, "2200000.00")),
    DemoClient("ООО «Фортуна-Медиа»", "7707", "masha", (19, "2250000.00"), (19, "2100000.00")),
    DemoClient("ООО «Химпром-Сбыт»", "1655", "vasya", (20, "1980000.00"), (19, "1900000.00")),
    DemoClient("ООО «Центр-Авто»", "7724", "olya", (21, "1870500.50"), (20, "1850000.00")),
    DemoClient("ООО «Чистый город»", "7816", "masha", (22, "1650000.00"), (23, "1600000.00")),
    DemoClient("ООО «Шторм-АйТи»", "7736", "vasya", (22, "1429499.50"), (24, "1500000.00")),
    DemoClient("ООО «Эверест-Консалтинг»", "7702", "olya", (23, "1300000.00"), (25, "2000000.00")),
    DemoClient("ООО «Юг-Продукт»", "2310", "masha", (23, "1270000.00"), (25, "2000000.00")),
    DemoClient("ООО «Ярмарка»", "6164", "vasya", (26, "2600000.00"), (26, "1400000.00")),
    DemoClient(
        "АО «Балтийская верфь-Сервис»", "3906", "olya", (27, "2150000.00"), (26, "1000000.00")
    ),
    DemoClient("ООО «Орион-Фарм»", "7720", "masha", (28, "1800000.00"), (27, "700000.00")),
    DemoClient("ООО «Технопарк-Норд»", "1001", "vasya", (29, "1450000.00")),
    DemoClient("ООО «Вектор Плюс»", "7704", "olya", (30, "1000000.00")),
)


@dataclass(frozen=True)
class LeaveCover:
    """Vasya's leave in November: two of his clients go to colleagues and come back."""

    client: str
    cover: str  # a username
    start: dt.date
    back: dt.date
    reason: str


ABSENT = "vasya"  # a username: the one on leave in November
LEAVE_COVERS = (
    LeaveCover(
        "ООО «Дельта-Сервис»",
        "olya",
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 23),
        "Отпуск Василия Смирнова 9–22 ноября",
    ),
    LeaveCover(
        "ООО «Таврида-Вин»",
        "masha",
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 23),
        "Отпуск Василия Смирнова 9–22 ноября",
    ),
)

# One October payment entered twice by mistake and voided: it must not count.
VOIDED = {
    "client": "ООО «Альфа-Трейд»",
    "day": 1,
    "amount": "3400000.00",
    "reason": "Дубликат платёжного поручения",
}

# November's invoices (the running month): every client billed on the 2nd, due on the
# 10th, for what it paid in November, plus what is still owed below; some owing clients
# have promised to pay.
INVOICE_ISSUED = dt.date(2026, 11, 2)
INVOICE_DUE = dt.date(2026, 11, 10)
STILL_OWED = {
    "ООО «Технопарк-Норд»": "1450000.00",  # nothing paid: overdue
    "ООО «Вектор Плюс»": "1000000.00",  # nothing paid: overdue, promised
    "ООО «Ярмарка»": "600000.00",  # paid part of its invoice
}
CONTACTS = {
    "ООО «Технопарк-Норд»": "Ирина Белова, бухгалтерия, +7 812 555-01-17",
    "ООО «Вектор Плюс»": "Павел Егоров, финансовый директор, +7 495 555-22-48",
    "ООО «Ярмарка»": "Светлана Ким, +7 863 555-30-09",
}
PROMISES = (
    # (client, caller's username, called on, promised on, amount)
    ("ООО «Вектор Плюс»", "olya", dt.date(2026, 11, 11), dt.date(2026, 11, 28), "1000000.00"),
)
