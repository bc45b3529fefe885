from django import forms
from django.utils import timezone
from django.utils.text import Truncator

from organizations.forms import ChineseBlankMixin, DateInput, MultipleFileField

from .models import DEFAULT_REVIEW_POINTS, REVIEW_POINTS, Campaign, Inspection, Opinion, Review, SelfCheck


class CampaignForm(ChineseBlankMixin, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "year",
            "starts_on",
            "sign_deadline",
            "ends_on",
            "min_items",
            "leader_min_items",
            "auto_publish",
            "weight_satisfied",
            "weight_basically",
            "weight_unsatisfied",
            "review_points",
        ]
        widgets = {"starts_on": DateInput(), "sign_deadline": DateInput(), "ends_on": DateInput()}

    review_points = forms.MultipleChoiceField(
        label="审核要点",
        choices=[(key, f"{label}（{source}）") for key, (label, source) in REVIEW_POINTS.items()],
        initial=list(DEFAULT_REVIEW_POINTS),
        widget=forms.CheckboxSelectMultiple,
        help_text="审诺时逐项把关。默认为篇六的四项；篇四要求的“以正在干的事情为中心”可以加选。",
        error_messages={"required": "请至少选择一项审核要点。"},
    )

    def clean_review_points(self):
        chosen = set(self.cleaned_data["review_points"])
        return [key for key in REVIEW_POINTS if key in chosen]


class OpinionForm(ChineseBlankMixin, forms.ModelForm):
    class Meta:
        model = Opinion
        fields = ["received_on", "channel", "source_group", "text"]
        widgets = {"received_on": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}


class DeclineForm(forms.Form):
    reason = forms.CharField(label="未采纳原因", max_length=500)


class SolveForm(ChineseBlankMixin, forms.Form):
    """标为已解决: when and how, and which of the items citing the opinion solved it (if one did)."""

    solved_on = forms.DateField(label="解决日期", widget=DateInput())
    how = forms.CharField(
        label="怎样解决的",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：协调村里铺设了水泥路面，已回访提出人"}),
    )
    item = forms.TypedChoiceField(label="由哪一项承诺事项解决", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, items=(), **kwargs):
        kwargs.setdefault("initial", {"solved_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.items = {i.pk: i for i in items}
        self.fields["item"].choices = [("", "（不指定）")] + [
            (i.pk, f"{i.pledge.pledger_name}第{i.position}项") for i in items
        ]
        if not items:
            self.fields["item"].widget = forms.HiddenInput()

    def clean_item(self):
        pk = self.cleaned_data.get("item")
        return self.items.get(pk) if pk else None


def opinion_summary(text: str) -> str:
    """How an opinion is named in the pledge editor's picker and on its chips: its first 60 characters."""
    return Truncator(text).chars(60)


class OpinionChoicesInput(forms.MultipleHiddenInput):
    """The opinions an item answers, as the picker posts them: one value per chosen opinion (a chip's hidden input,
    or a ticked box when the page runs without script) and the search box, blank unless an opinion was picked from
    its list. Blanks and repeats are dropped before the values are checked."""

    def value_from_datadict(self, data, files, name):
        values = []
        for value in super().value_from_datadict(data, files, name) or ():
            value = str(value).strip()
            if value and value not in values:
                values.append(value)
        return values


class PledgeItemForm(ChineseBlankMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput())
    content_area = forms.ChoiceField(label="承诺方面")
    # Three rows at least; the box grows with its text (static/css/pledge-edit.css, static/js/pledge-edit.js).
    content = forms.CharField(
        label="承诺事项", max_length=1000, widget=forms.Textarea(attrs={"rows": 3, "data-autogrow": ""})
    )
    measures = forms.CharField(
        label="践诺措施",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-autogrow": ""}),
    )
    deadline = forms.DateField(label="完成时限", widget=DateInput())
    responsible_person = forms.CharField(
        label="责任人", max_length=50, error_messages={"required": "组织承诺的每个事项都要明确责任人。"}
    )
    indicator = forms.CharField(label="量化指标", max_length=100, required=False)
    unit = forms.CharField(label="单位", max_length=20, required=False)
    baseline_value = forms.DecimalField(label="基数", max_digits=14, decimal_places=2, required=False)
    target_value = forms.DecimalField(label="目标值", max_digits=14, decimal_places=2, required=False)
    opinions = forms.TypedMultipleChoiceField(
        label="回应的群众意见",
        required=False,
        coerce=int,
        widget=OpinionChoicesInput,
        error_messages={"invalid_choice": "请从列表中选择群众意见（“%(value)s”不在列表中）。"},
    )

    def __init__(self, *args, areas=(), opinions=(), org_pledge=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.org_pledge = org_pledge
        self.fields["content_area"].choices = [("", "请选择"), *[(a, a) for a in areas]]
        self.fields["opinions"].choices = [(o.pk, opinion_summary(o.text)) for o in opinions]
        if not org_pledge:
            # A member answers for his own pledge: 责任人 means something only on an organization's pledge.
            del self.fields["responsible_person"]

    def chosen_opinions(self) -> list[tuple[int, str]]:
        """(id, summary) of the opinions this item answers as the form stands (posted, or saved), in list order."""
        chosen = {str(value) for value in self["opinions"].value() or ()}
        return [(pk, label) for pk, label in self.fields["opinions"].choices if str(pk) in chosen]

    def clean(self):
        data = super().clean()
        if (data.get("baseline_value") is not None or data.get("target_value") is not None) and not data.get(
            "indicator"
        ):
            self.add_error("indicator", "填写了数值时请写明量化指标。")
        if data.get("indicator") and data.get("target_value") is None:
            self.add_error("target_value", "量化承诺请填写目标值。")
        return data


class BasePledgeItemFormSet(forms.BaseFormSet):
    def opinion_options(self) -> list[tuple[int, str, str]]:
        """The opinions any item may answer, listed once for the whole page: (id, summary, full text)."""
        return [(o.pk, opinion_summary(o.text), o.text) for o in self.form_kwargs.get("opinions", ())]

    def clean(self):
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError("请至少填写一项承诺事项。")


PledgeItemFormSet = forms.formset_factory(
    PledgeItemForm, formset=BasePledgeItemFormSet, extra=0, can_delete=True, max_num=10, validate_max=True
)


class WitnessForm(forms.Form):
    witness_name = forms.CharField(label="见证人", max_length=50)


class OnBehalfPledgeForm(forms.Form):
    """The branch enters a member's pledge: signed by hand on paper, or oral (篇一, 篇四)."""

    form = forms.ChoiceField(
        label="承诺形式",
        choices=[
            ("paper", "书面（纸质签字）：党员在纸质承诺书上亲笔签字，由支部录入并上传签字页扫描件"),
            ("oral", "口头承诺：仅限年老体弱、文化程度低、不能书写的党员，须有见证人"),
        ],
        initial="paper",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    witness_name = forms.CharField(label="见证人", max_length=50, required=False, help_text="口头承诺须填写。")

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean(self):
        data = super().clean()
        if data.get("form") == "oral":
            # 篇四: 对年老体弱、文化程度低的党员……可以只进行口头承诺 — only those the branch marked so.
            if not self.member.unable_to_write:
                self.add_error(
                    "form",
                    f"口头承诺仅限支部标记为“不能书写”的党员，{self.member.name}未作此标记。"
                    "请录入纸质签字的书面承诺，或先在党员信息中标记“不能书写”。",
                )
            elif not (data.get("witness_name") or "").strip():
                self.add_error("witness_name", "口头承诺须填写见证人。")
        return data


class PaperSignatureForm(ChineseBlankMixin, forms.Form):
    """登记纸质签字: the day the member signed the printed 承诺书, and a scan or photo of the signed page."""

    signed_on = forms.DateField(label="签字日期", widget=DateInput(), help_text="纸质承诺书上党员签字的日期。")
    scan = forms.FileField(
        label="签字页扫描件或照片",
        help_text="照片（jpg、png）或 PDF，不超过 10 MB；须能看清承诺事项和党员签名。",
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
        error_messages={"required": "请上传党员签字的纸质承诺书扫描件或照片。"},
    )

    def __init__(self, *args, campaign, **kwargs):
        kwargs.setdefault("initial", {"signed_on": campaign.default_date()})
        super().__init__(*args, **kwargs)

    def clean_signed_on(self):
        day = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("签字日期不能晚于今天。")
        return day


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结论", choices=Review.Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items=(), points=Review.CHECKS, **kwargs):
        super().__init__(*args, **kwargs)
        # The campaign's 审诺 points (issue 13 §7): 篇六's four by default, 篇四's fifth when the campaign asks it.
        self.points = list(points)
        for name, label in self.points:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        self.items = list(items)
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=f"对第 {item.position} 项的意见", required=False, max_length=500
            )

    def check_fields(self):
        return [self[name] for name, _ in self.points]

    def checks(self) -> dict:
        return {name: self.cleaned_data.get(name, False) for name, _ in self.points}

    def item_fields(self):
        return [(item, self[f"item_{item.pk}"]) for item in self.items]

    def clean(self):
        data = super().clean()
        if data.get("decision") == Review.Decision.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", "退回修改时请填写审核意见。")
        if data.get("decision") == Review.Decision.APPROVE:
            missing = [label for name, label in self.points if not data.get(name)]
            if missing:
                count = {4: "四", 5: "五"}.get(len(self.points), str(len(self.points)))
                self.add_error(None, f"审定通过须{count}项审核要点全部符合，尚未勾选：" + "、".join(missing) + "。")
        return data


class SignForm(forms.Form):
    signature_data = forms.CharField(required=False, widget=forms.HiddenInput())
    # The digest of the text shown on the page: signing refuses if the content changed since it was shown.
    text_sha256 = forms.RegexField(
        regex=r"^[0-9a-f]{64}$",
        widget=forms.HiddenInput(),
        error_messages={
            "required": "签署页已过期，请重新打开后再签署。",
            "invalid": "签署页已过期，请重新打开后再签署。",
        },
    )
    typed_name = forms.CharField(label="或输入您的姓名", required=False, max_length=50)
    password = forms.CharField(label="登录密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def clean(self):
        data = super().clean()
        if not data.get("signature_data") and not (data.get("typed_name") or "").strip():
            raise forms.ValidationError("请在签名板上签名，或输入您的姓名。")
        return data


class AmendForm(forms.Form):
    reason = forms.CharField(label="变更原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class FulfilmentLogForm(forms.Form):
    happened_on = forms.DateField(label="日期", widget=DateInput())
    text = forms.CharField(label="践诺情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(
        label="佐证材料",
        required=False,
        help_text="照片（jpg、png）、PDF、Word 或 Excel，每个不超过 10 MB，最多 5 个。",
    )

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("日期不能晚于今天。")
        return day


class TickRequestForm(forms.Form):
    note = forms.CharField(label="完成情况说明", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    achieved_value = forms.DecimalField(label="完成值", max_digits=14, decimal_places=2, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500)


class HelpForm(forms.Form):
    needs_help = forms.BooleanField(label="需要组织帮扶", required=False)
    note = forms.CharField(label="困难说明", max_length=500, required=False)


class SelfCheckForm(forms.Form):
    month = forms.DateField(label="自查月份", widget=forms.HiddenInput())

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = [i for i in items if i.state != "ticked_off"]
        for item in self.items:
            self.fields[f"result_{item.pk}"] = forms.ChoiceField(
                label=f"第 {item.position} 项", choices=SelfCheck.Result.choices, widget=forms.RadioSelect
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(label="说明", required=False, max_length=500)

    def rows(self):
        return [(item, self[f"result_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]

    def results(self) -> dict:
        return {
            item.pk: (self.cleaned_data[f"result_{item.pk}"], self.cleaned_data.get(f"note_{item.pk}", ""))
            for item in self.items
        }


class InspectionForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=Inspection._meta.get_field("quarter").choices)
    result = forms.ChoiceField(label="检查结果", choices=Inspection.Result.choices, widget=forms.RadioSelect)
    reasons = forms.MultipleChoiceField(
        label="不通过的原因", required=False, choices=Inspection.REASONS, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label="检查意见", required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("result") == Inspection.Result.FAIL and not data.get("reasons"):
            self.add_error("reasons", "不通过时请至少选择一项原因。")
        if data.get("result") == Inspection.Result.PASS and data.get("reasons"):
            self.add_error("reasons", "检查通过时不应选择不通过的原因。")
        return data
