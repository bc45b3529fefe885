"""审诺 points become campaign data (issue 13 §7): each campaign lists the points its reviews ask (篇六's four by
default; 篇四's 以正在干的事情为中心 may be added), and each review keeps its answer per point with the point's
label, so old reviews stay readable. The four boolean columns of reviews move into the checklist and go."""

import commitments.models
from django.db import migrations, models

# The four columns as they were, in their order on the page and the PDF (篇六).
OLD_POINTS = (
    ("reflects_advanced_nature", "体现先进性要求"),
    ("fits_post_duties", "体现岗位职责特点"),
    ("meets_public_wishes", "符合群众意愿"),
    ("is_feasible", "切实可行"),
)


def checklist_from_flags(flags: dict) -> list[dict]:
    return [{"key": key, "label": label, "passed": bool(flags.get(key))} for key, label in OLD_POINTS]


def flags_from_checklist(checklist: list) -> dict:
    passed = {p.get("key") for p in checklist or [] if p.get("passed")}
    return {key: key in passed for key, _ in OLD_POINTS}


def forwards(apps, schema_editor):
    Review = apps.get_model("commitments", "Review")
    batch = []
    for review in Review.objects.only("pk", *[k for k, _ in OLD_POINTS]).iterator(chunk_size=2000):
        review.checklist = checklist_from_flags({k: getattr(review, k) for k, _ in OLD_POINTS})
        batch.append(review)
        if len(batch) >= 2000:
            Review.objects.bulk_update(batch, ["checklist"])
            batch = []
    Review.objects.bulk_update(batch, ["checklist"])


def backwards(apps, schema_editor):
    Review = apps.get_model("commitments", "Review")
    batch = []
    for review in Review.objects.only("pk", "checklist").iterator(chunk_size=2000):
        for key, value in flags_from_checklist(review.checklist).items():
            setattr(review, key, value)
        batch.append(review)
        if len(batch) >= 2000:
            Review.objects.bulk_update(batch, [k for k, _ in OLD_POINTS])
            batch = []
    Review.objects.bulk_update(batch, [k for k, _ in OLD_POINTS])


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0015_notification_sign_deadline"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="review_points",
            field=models.JSONField(
                default=commitments.models.default_review_points,
                help_text="审核承诺事项时逐项把关的要点；默认为篇六的四项，可加选篇四的“以正在干的事情为中心”。",
                verbose_name="审核要点",
            ),
        ),
        migrations.AddField(
            model_name="historicalcampaign",
            name="review_points",
            field=models.JSONField(
                default=commitments.models.default_review_points,
                help_text="审核承诺事项时逐项把关的要点；默认为篇六的四项，可加选篇四的“以正在干的事情为中心”。",
                verbose_name="审核要点",
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="checklist",
            field=models.JSONField(blank=True, default=list, verbose_name="审核要点"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="review", name="fits_post_duties"),
        migrations.RemoveField(model_name="review", name="is_feasible"),
        migrations.RemoveField(model_name="review", name="meets_public_wishes"),
        migrations.RemoveField(model_name="review", name="reflects_advanced_nature"),
    ]
