"""Forms of the 评诺 pages: they check what a person typed and hand it to one service (STYLE.md, the layers)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from commitments.models import Pledge
from organizations.forms import ChineseBlankMixin, DateInput, OrganizationChoiceField
from organizations.models import Member, Organization

from .models import Appraisal, Award, Ballot, Grade, LeaderReview
from .selectors import GRADED_KINDS, QUARTER_NAMES, aspects_for, month_label
from .services.appraisals import MAX_CODES_PER_BATCH, REASON_MAX_LENGTH
from .services.awards import MEMBER_KINDS, ORGANIZATION_KINDS
from .services.records import COMMENT_LIMIT, TEXT_LIMIT

# --- 群众评议 and 整改 ----------------------------------------------------------------------------------------


def _count_field(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100000,
        error_messages={"min_value": "不能小于 0。", "max_value": "数字过大。", "invalid": "请填写整数。"},
        **kwargs,
    )


class AppraisalForm(ChineseBlankMixin, forms.Form):
    kind = forms.ChoiceField(
        label="评议类别",
        choices=Appraisal.Kind.choices,
        initial=Appraisal.Kind.HALF_YEARLY,
        help_text="窗口单位每年组织一次服务对象测评（三亮三创三评）；群众评议每半年一次。",
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label="半年",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "请选择"), (1, "上半年"), (2, "下半年")],
        help_text="窗口服务对象测评按年度，不用选择。",
    )
    held_on = forms.DateField(label="评议日期", widget=DateInput())
    place = forms.CharField(label="地点", max_length=100)
    report_text = forms.CharField(
        label="书记报告",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="党组织书记在评议会上报告推进创先争优、兑现公开承诺、完成中心工作、为民办实事以及党员践诺等情况。",
    )
    planned_superior_leaders = _count_field("上级党组织领导班子成员")
    planned_own_leaders = _count_field("本单位领导班子")
    planned_deputies = _count_field("“两代表一委员”")
    planned_cadres = _count_field("党员干部")
    planned_masses = _count_field("基层群众")
    planned_service_users = _count_field("服务对象", required=False)
    member_pledges = forms.ModelMultipleChoiceField(
        label="逐人测评的党员（选填）",
        queryset=Pledge.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="勾选的党员在票面上逐人测评，群众可以选填；对党组织的总体评价每票必填。",
    )

    PLANNED = (
        "planned_superior_leaders",
        "planned_own_leaders",
        "planned_deputies",
        "planned_cadres",
        "planned_masses",
        "planned_service_users",
    )

    def __init__(self, *args, member_pledges=(), window_unit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not window_unit:
            del self.fields["kind"]
            self.fields["half"].help_text = ""
        ids = [p.pk for p in member_pledges]
        field = self.fields["member_pledges"]
        field.queryset = Pledge.objects.filter(pk__in=ids).select_related("member")
        field.label_from_instance = lambda p: f"{p.member.name}" + (f"（{p.member.post}）" if p.member.post else "")
        if not ids:
            del self.fields["member_pledges"]

    def planned_fields(self):
        return [self[name] for name in self.PLANNED]

    def clean(self):
        data = super().clean()
        if data.get("kind", Appraisal.Kind.HALF_YEARLY) != Appraisal.Kind.WINDOW and not data.get("half"):
            self.add_error("half", "请选择上半年或下半年。")
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["member_pledges"] = list(data.get("member_pledges") or [])
        data["kind"] = data.get("kind") or Appraisal.Kind.HALF_YEARLY
        data["half"] = data.get("half") or Appraisal.FULL_YEAR
        data["planned_service_users"] = data.get("planned_service_users") or 0
        return data

    def other_fields(self):
        return [f for f in self if f.name not in self.PLANNED]


class AttendanceForm(ChineseBlankMixin, forms.Form):
    """实到人数 by group (篇六)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in Appraisal.GROUPS:
            self.fields[f"attended_{name}"] = _count_field(label, required=False)

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in self.fields):
            raise forms.ValidationError("请填写各方面实到的人数。")
        return {name: data.get(name) or 0 for name in self.fields}


class ReportForm(forms.Form):
    report_text = forms.CharField(
        label="书记报告",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="党组织书记在评议会上报告推进创先争优、兑现公开承诺、完成中心工作、为民办实事以及党员践诺等情况。",
        error_messages={"required": "请填写书记报告。"},
    )


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label="生成票码数",
        min_value=1,
        max_value=MAX_CODES_PER_BATCH,
        error_messages={
            "min_value": "至少生成 1 个票码。",
            "max_value": f"每次最多生成 {MAX_CODES_PER_BATCH} 个票码。",
            "required": "请填写要生成的票码数。",
        },
    )


class PaperTallyForm(ChineseBlankMixin, forms.Form):
    question = forms.ChoiceField(label="测评内容")
    satisfied = _count_field("满意")
    basically_satisfied = _count_field("基本满意")
    unsatisfied = _count_field("不满意")
    valid_forms = _count_field("有效表")
    invalid_forms = _count_field("无效表")

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [("overall", "对党组织的总体评价")] + [
            (str(p.pk), f"党员逐人测评：{p.member.name}") for p in questions
        ]

    def clean(self):
        data = super().clean()
        counts = [data.get(k) for k in ("satisfied", "basically_satisfied", "unsatisfied")]
        if None not in counts and data.get("valid_forms") is not None and sum(counts) != data["valid_forms"]:
            self.add_error(
                "valid_forms", f"满意、基本满意、不满意之和为 {sum(counts)}，应等于有效表数 {data['valid_forms']}。"
            )
        return data


class RectificationReportForm(forms.Form):
    problems = forms.CharField(label="查摆的问题", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    targets = forms.CharField(label="整改目标", max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label="整改措施", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label="整改时限", widget=DateInput())


class RectificationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批结论",
        choices=[("approve", "同意整改方案"), ("return", "退回修改")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "请选择同意整改方案或退回修改。"},
    )
    comment = forms.CharField(
        label="审批意见", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RectificationDoneForm(forms.Form):
    evidence = forms.CharField(
        label="整改完成情况",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="逐条说明整改措施的落实情况和取得的成效。",
    )


class BallotForm(forms.Form):
    overall = forms.ChoiceField(
        label="您对该党组织兑现承诺情况的总体评价",
        choices=Ballot.Choice.choices,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": "请选择总体评价：满意、基本满意或不满意。"},
    )
    reason = forms.CharField(
        label="不满意的原因（选填）",
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX_LENGTH}),
        error_messages={"max_length": f"不满意的原因最多 {REASON_MAX_LENGTH} 字。"},
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for pledge in self.questions:
            self.fields[f"pledge_{pledge.pk}"] = forms.ChoiceField(
                label=pledge.member.name,
                choices=Ballot.Choice.choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )

    def choices(self) -> dict:
        data = self.cleaned_data
        return {
            "overall": data["overall"],
            "reason": data.get("reason", ""),
            "pledges": {p.pk: data.get(f"pledge_{p.pk}") or "" for p in self.questions},
        }


# --- 领导点评 -------------------------------------------------------------------------------------------------


class LeaderReviewForm(ChineseBlankMixin, forms.Form):
    kind = forms.ChoiceField(label="点评方式", choices=LeaderReview.Kind.choices, initial=LeaderReview.Kind.QUARTERLY)
    period = forms.CharField(
        label="期间",
        max_length=10,
        help_text="一月一提醒写 2025-07，一季一点评写 2025Q3，半年一检查写 2025H2，一年一总评写 2025。",
    )
    text = forms.CharField(label="点评意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    requires_rectification = forms.BooleanField(label="要求限期整改", required=False)
    rectify_by = forms.DateField(label="整改期限", required=False, widget=DateInput())
    publish = forms.BooleanField(label="以书面形式在公开栏公布", required=False)

    def __init__(self, *args, member: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.aspects = aspects_for(member=member)
        for name, label in self.aspects:
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=Grade.choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )

    def grade_fields(self):
        return [self[name] for name, _ in self.aspects]

    def clean(self):
        data = super().clean()
        if data.get("requires_rectification") and not data.get("rectify_by"):
            self.add_error("rectify_by", "要求整改时请填写整改期限。")
        if data.get("kind") in GRADED_KINDS:
            missing = [(name, label) for name, label in self.aspects if not data.get(name)]
            if missing:
                self.add_error(None, "请逐项评定等次，尚未评定：" + "、".join(label for _, label in missing) + "。")
                for name, label in missing:
                    self.add_error(name, f"请评定“{label}”的等次。")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "period": data["period"],
            "text": data["text"],
            "grades": {name: data.get(name) or "" for name, _ in self.aspects},
            "requires_rectification": data["requires_rectification"],
            "rectify_by": data.get("rectify_by"),
            "publish": data["publish"],
        }


# --- 日常记实 -------------------------------------------------------------------------------------------------


class MonthlyRecordForm(forms.Form):
    month = forms.ChoiceField(label="月份")
    text = forms.CharField(
        label="记实内容",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="如实记录本月履行岗位职责、兑现承诺事项、参加组织生活和服务群众的情况。",
    )
    is_published = forms.BooleanField(label="在支部公开栏公布", required=False, initial=True)

    def __init__(self, *args, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(f"{m:%Y-%m}", month_label(m)) for m in months]


class CommentForm(forms.Form):
    comment = forms.CharField(label="书记点评", max_length=COMMENT_LIMIT)


# --- 通报 -----------------------------------------------------------------------------------------------------


class DraftForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=list(QUARTER_NAMES.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, f"{y}年") for y in range(this_year, this_year - 4, -1)]


class BulletinForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(
        label="正文",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text="段落之间空一行；“一、”“二、”开头的一行是小标题；最后一段（落款单位和日期）靠右排版。",
    )


# --- 组织评选 -------------------------------------------------------------------------------------------------


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.organization.name}）"


class NominationForm(ChineseBlankMixin, forms.Form):
    kind = forms.ChoiceField(label="表彰类别", choices=Award.Kind.choices)
    year = forms.IntegerField(label="年度", min_value=2000)
    occasion = forms.CharField(label="表彰时机", max_length=30, help_text="如“七一”“年度”。")
    member = MemberChoiceField(label="推荐党员", queryset=Member.objects.none(), required=False)
    organization = OrganizationChoiceField(label="推荐党组织", queryset=Organization.objects.none(), required=False)
    citation = forms.CharField(label="主要事迹", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, org: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            Member.objects.filter(organization__path__startswith=org.path, is_active=True)
            .select_related("organization")
            .order_by("organization__path", "name")
        )
        self.fields["organization"].queryset = Organization.objects.filter(
            path__startswith=org.path, is_active=True
        ).order_by("path")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in MEMBER_KINDS and not data.get("member"):
            self.add_error("member", "这一类表彰须选择推荐的党员。")
        if kind in ORGANIZATION_KINDS and not data.get("organization"):
            self.add_error("organization", "先进基层党组织须选择推荐的党组织。")
        return data


# --- 上评下议 -------------------------------------------------------------------------------------------------


class AdjustmentForm(forms.Form):
    adjustment = forms.DecimalField(
        label="调整分", max_digits=6, decimal_places=2, min_value=-100, max_value=100, help_text="正数加分，负数减分。"
    )
    reason = forms.CharField(label="调整理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


# --- 联系点 ---------------------------------------------------------------------------------------------------


class ContactPointForm(ChineseBlankMixin, forms.Form):
    organization = OrganizationChoiceField(label="联系点党组织", queryset=Organization.objects.none())
    since = forms.DateField(label="建立联系点日期", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(is_active=True).order_by("path")


class ContactVisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=DateInput())
    note = forms.CharField(label="走访内容", max_length=500, help_text="如：调研村集体经济发展，指导修订承诺事项。")
