from django import forms

from organizations.forms import ChineseBlankMixin

from .models import SupervisionReport


class SupervisionForm(ChineseBlankMixin, forms.Form):
    kind = forms.ChoiceField(
        label="类型", choices=SupervisionReport.Kind.choices, initial=SupervisionReport.Kind.SUPERVISION
    )
    item = forms.TypedChoiceField(label="针对的承诺事项", coerce=int, required=False, empty_value=None)
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
