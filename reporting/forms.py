"""Forms of the statistics-form pages; thin: the services check everything again."""

from __future__ import annotations

from django import forms

from evaluations.statistics import PERIOD_HELP, parse_period
from organizations.errors import DomainError

from .models import ReportTemplate


class IssueForm(forms.Form):
    template = forms.ModelChoiceField(ReportTemplate.objects.none(), label="统计表", empty_label="请选择统计表")
    period = forms.CharField(label="统计期间", max_length=10, help_text=PERIOD_HELP)
    due_on = forms.DateField(label="报送截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="填报说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"]).label
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from None


class TemplateForm(forms.Form):
    code = forms.SlugField(
        label="代码",
        max_length=40,
        help_text="英文字母、数字或连字符，如 county-2025；用于命令行和链接，制定后不能修改。",
    )
    name = forms.CharField(label="名称", max_length=100)
    description = forms.CharField(
        label="说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    source = forms.CharField(
        label="表样",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
        help_text="每行一项。空格写作 {指标代码}（系统统计，见右侧可用指标）或 {填报:说明}、{填报金额:说明}、"
        "{填报文字:说明}（由各组织填报）。",
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True
            self.fields["code"].required = False


class ReturnForm(forms.Form):
    comment = forms.CharField(label="退回意见", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
