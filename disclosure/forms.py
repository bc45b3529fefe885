from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from organizations.forms import ChineseBlankMixin, DateInput

from .models import SupervisionReport


class CompactSelect(forms.Select):
    """A select that writes its options in Python. The board offers every published item (a few hundred on a
    large branch); one template rendering per option made this list the slowest part of the public page."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, " selected" if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class SupervisionForm(ChineseBlankMixin, forms.Form):
    # Most of what the public writes is an opinion or a suggestion; a report is the one they choose on purpose.
    kind = forms.ChoiceField(
        label="类型", choices=SupervisionReport.Kind.choices, initial=SupervisionReport.Kind.OPINION
    )
    item = forms.TypedChoiceField(
        label="针对的承诺事项", coerce=int, required=False, empty_value=None, widget=CompactSelect
    )
    text = forms.CharField(
        label="意见或监督内容", min_length=5, max_length=1000, widget=forms.Textarea(attrs={"rows": 4})
    )
    name = forms.CharField(label="您的称呼（可不填，不公开）", max_length=30, required=False)
    phone = forms.CharField(label="联系电话（可不填，仅用于答复，不公开）", max_length=20, required=False)
    # A field people never see; bots fill it in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "针对整个党组织")] + [
            (i.pk, f"{i.pledge.pledger_name}：{i.position}. {i.content[:30]}") for i in items
        ]


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class TrackForm(forms.Form):
    number = forms.CharField(label="查询编号", max_length=12)


class SupervisionLogForm(ChineseBlankMixin, forms.Form):
    """登记线下意见: a complaint that reached the organization by phone, 意见箱, letter or SMS."""

    channel = forms.ChoiceField(
        label="收到渠道",
        choices=[(c.value, c.label) for c in SupervisionReport.OFFLINE_CHANNELS],
    )
    received_on = forms.DateField(
        label="收到日期", widget=DateInput(), help_text="答复期限从这一天起算 7 天，与网上留言相同。"
    )
    kind = forms.ChoiceField(
        label="类型", choices=SupervisionReport.Kind.choices, initial=SupervisionReport.Kind.SUPERVISION
    )
    item = forms.TypedChoiceField(
        label="针对的承诺事项", coerce=int, required=False, empty_value=None, widget=CompactSelect
    )
    text = forms.CharField(
        label="反映的内容",
        min_length=5,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="照来电、来信、字条或短信的原意记录。",
    )
    name = forms.CharField(label="反映人称呼（可不填，不公开）", max_length=30, required=False)
    phone = forms.CharField(label="反映人联系电话（可不填，仅用于答复，不公开）", max_length=20, required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "针对整个党组织")] + [
            (i.pk, f"{i.pledge.pledger_name}：{i.position}. {i.content[:30]}") for i in items
        ]
