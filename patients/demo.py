"""Demo patients in every screening state (loaded by ``planner.demo``)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from clinic.actors import Actor
from patients import screening, services
from patients.models import InformationSheet, Patient

# The demo's information sheets (issue #17: each patient reads the sheet in their language).
SHEET_TITLE_EN = "Microneedling: patient information"
SHEET_TEXT_EN = """\
Microneedling uses a roller or pen with fine needles to make many tiny punctures in the \
skin. The skin between the punctures stays intact, so it heals quickly; the healing \
stimulates collagen and helps applied products reach deeper layers. A visible effect \
usually needs 4 to 6 sessions, 2 to 6 weeks apart.

How a session goes: for deeper treatment (needles of 1.0 mm and longer) an anaesthetic \
cream is applied first and washed off after 20 minutes. The skin is treated with an \
antiseptic, a serum or gel is applied, and the area is rolled in several directions. \
Pinpoint bleeding may appear with deeper needles.

What to expect: redness, swelling and a feeling of tightness for a few days; after deeper \
treatment, recovery can take up to two weeks. Peeling and dryness are common while the \
skin heals.

Risks: infection; a flare of cold sores (herpes); rashes, especially on problem-prone \
skin; temporary darkening or lightening of the skin (pigmentation changes); rarely, \
scarring. Dry, sensitive or weakened skin may take longer to recover and the treatment \
may feel more uncomfortable.

We do not treat, or we postpone the session, if you have an active cold sore; inflamed \
acne, warts, eczema or psoriasis in the area; if you take blood thinners \
(anticoagulants); or if you tend to form keloid scars. With rosacea your practitioner \
decides individually. Tell us before every session if anything has changed.

Aftercare: keep the treated skin clean and do not touch or pick it. Use a gentle, \
non-foaming cleanser and soothing care that repairs the skin barrier (for example with \
hyaluronic acid); avoid scrubs, acids, retinoids and make-up for the first days. Protect \
the skin from the sun with a broad-spectrum SPF 50+ every day, in any weather. Avoid \
saunas, swimming pools and heavy sweating for a few days. Do not use a home roller for a \
week before and after a clinic session.

Call the clinic at once if pain, swelling, redness or warmth increase after the \
treatment, or if you notice pus or a fever: these can be signs of infection."""

SHEET_TITLE_RU = "Микронидлинг: информация для пациента"
SHEET_TEXT_RU = """\
Микронидлинг — процедура, при которой роллер или дермапен с тонкими иглами наносит на \
кожу множество микропроколов. Кожа между проколами остаётся неповреждённой, поэтому \
заживление идёт быстро; в ответ на микроповреждения кожа вырабатывает коллаген, а \
нанесённые средства проникают глубже. Для заметного результата обычно нужно 4–6 \
процедур с интервалом от 2 до 6 недель.

Как проходит процедура: при глубокой обработке (иглы длиной 1,0 мм и больше) сначала \
наносят обезболивающий крем и смывают его через 20 минут. Затем кожу обрабатывают \
антисептиком, наносят сыворотку или гель и прокатывают роллер в нескольких \
направлениях. При длинных иглах возможна точечная кровоточивость.

Чего ожидать: покраснение, отёк и чувство стянутости в течение нескольких дней; после \
глубокой обработки восстановление может занять до двух недель. Пока кожа заживает, \
часто бывают шелушение и сухость.

Возможные риски: инфекция; обострение герпеса; высыпания, особенно на проблемной коже; \
временное потемнение или посветление кожи (изменения пигментации); редко — рубцы. \
Сухая, чувствительная или ослабленная кожа может восстанавливаться дольше, а процедура \
может ощущаться болезненнее.

Процедуру не проводят или переносят, если у вас обострение герпеса; воспалённые \
элементы акне, бородавки, экзема или псориаз в зоне обработки; если вы принимаете \
препараты, разжижающие кровь (антикоагулянты); если у вас есть склонность к \
образованию келоидных рубцов. При розацеа решение принимает специалист индивидуально. \
Перед каждой процедурой сообщайте нам, если что-то изменилось.

Уход после процедуры: держите обработанную кожу в чистоте, не трогайте её и не снимайте \
корочки. Используйте мягкое непенящееся очищающее средство и успокаивающие средства, \
восстанавливающие защитный барьер кожи (например, с гиалуроновой кислотой); в первые \
дни не применяйте скрабы, кислоты, ретиноиды и декоративную косметику. Ежедневно \
защищайте кожу от солнца средством широкого спектра с SPF 50+ в любую погоду. Несколько \
дней избегайте сауны, бассейна и нагрузок с сильным потоотделением. Не пользуйтесь \
домашним роллером в течение недели до и после процедуры в клинике.

Сразу позвоните в клинику, если после процедуры усиливаются боль, отёк, покраснение или \
ощущение жара, появляется гной или повышается температура: это могут быть признаки \
инфекции."""

# language: (title, text) of the demo sheets, version DEMO_SHEET_VERSION.
DEMO_SHEETS = {"en": (SHEET_TITLE_EN, SHEET_TEXT_EN), "ru": (SHEET_TITLE_RU, SHEET_TEXT_RU)}
DEMO_SHEET_VERSION = "2026-01"

# first, last, birth date, email, phone, answers, days since screening, consent
DEMO_PATIENTS = [
    ("Emma", "Clarke", date(1988, 4, 12), "emma.clarke@example.com", "+447911123401",
     screening.Answers(), 2, True),
    ("Oliver", "Bennett", date(1979, 9, 3), "oliver.bennett@example.com", "+447911123402",
     screening.Answers(herpes_active=True), 0, True),
    ("Sophie", "Turner", date(1992, 1, 27), "sophie.turner@example.com", "+447911123403",
     screening.Answers(anticoagulants=True), 1, True),
    ("Lucy", "Harris", date(1985, 6, 30), "lucy.harris@example.com", "+447911123404",
     screening.Answers(rosacea=True), 3, True),
    ("James", "Wilson", date(1990, 11, 8), "james.wilson@example.com", "+447911123405",
     screening.Answers(), 45, True),
    ("Mia", "Patel", date(1996, 2, 14), "mia.patel@example.com", "+447911123406",
     None, None, False),
    ("Grace", "Evans", None, "grace.evans@example.com", "+447911123407",
     screening.Answers(wart_regions=frozenset({"hands"})), 5, True),
    # Patients part-way through (or done with) a course: see courses.demo.DEMO_HISTORY.
    ("Hannah", "Moore", date(1983, 3, 22), "hannah.moore@example.com", "+447911123408",
     screening.Answers(), 2, True),
    ("Daniel", "Kim", date(1977, 7, 9), "daniel.kim@example.com", "+447911123409",
     screening.Answers(), 2, True),
    ("Ella", "Brown", date(1994, 10, 2), "ella.brown@example.com", "+447911123410",
     screening.Answers(), 2, True),
    ("Chloe", "Martin", date(1991, 5, 17), "chloe.martin@example.com", "+447911123411",
     screening.Answers(), 2, True),
    ("Noah", "Davies", date(1986, 12, 1), "noah.davies@example.com", "+447911123412",
     screening.Answers(), 2, True),
    ("Freya", "Wood", date(1999, 8, 25), "freya.wood@example.com", "+447911123413",
     screening.Answers(), 2, True),
    # A Russian-speaking patient with a booked course (courses.demo): her messages and
    # course page are in Russian.
    ("Ольга", "Смирнова", date(1987, 2, 19), "olga.smirnova@example.com", "+447911123414",
     screening.Answers(), 2, True),
]  # fmt: skip
# Patients who read their messages in another language than the clinic's default.
DEMO_LANGUAGES = {"olga.smirnova@example.com": "ru"}


def load_demo_patients(*, practitioner_user: Actor) -> None:
    """Create the demo information sheets (English and Russian) and patients unless they
    exist."""
    now = timezone.now()
    sheets = {
        language: InformationSheet.objects.get_or_create(
            version=DEMO_SHEET_VERSION,
            language=language,
            defaults={
                "title": title,
                "text": text,
                "published_on": timezone.localdate() - timedelta(days=365),
            },
        )[0]
        for language, (title, text) in DEMO_SHEETS.items()
    }
    for first, last, born, email, phone, answers, days_ago, consent in DEMO_PATIENTS:
        if Patient.objects.filter(email=email).exists():
            continue
        minor = born is None
        if born is None:  # a minor: sixteen years old today, whenever the demo is loaded
            today = timezone.localdate()
            born = today.replace(year=today.year - 16) - timedelta(days=30)
        patient = services.save_patient(
            patient=Patient(
                first_name=first,
                last_name=last,
                date_of_birth=born,
                email=email,
                phone=phone,
                guardian_name="Helen Evans" if minor else "",
                skin_sensitive=first in ("Lucy", "Emma"),
                skin_dry=first == "James",
                fitzpatrick_type=2,
                language=DEMO_LANGUAGES.get(email, "en"),
            ),
            email_consent=True,
            sms_consent=False,
            guardian_consent=minor,
            actor=practitioner_user,
            now=now - timedelta(days=60),
        )
        if consent:
            sheet = sheets.get(patient.language, sheets["en"])
            services.record_consent(patient=patient, sheet=sheet, actor=practitioner_user)
        if answers is not None and days_ago is not None:  # both or neither (DEMO_PATIENTS)
            services.record_screening(
                patient=patient,
                answers=answers,
                notes="",
                actor=practitioner_user,
                now=now - timedelta(days=days_ago),
            )
