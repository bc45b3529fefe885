from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils import timezone

from .models import Activity, ActivityKind, Exemption, Member, Organization
from .permissions import OrgAction, Role, orgs_for
from .resources import MAX_IMPORT_BYTES
from .selectors import activity_kinds, activity_roster
from .uploads import ACCEPT


class ChineseBlankMixin:
    """Show “请选择” instead of Django's dashes as the empty choice of every select."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label == "---------":
                    field.empty_label = "请选择"
            elif isinstance(field, forms.ChoiceField):
                field.choices = [
                    ("", "请选择") if (v == "" and label == "---------") else (v, label) for v, label in field.choices
                ]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by its content in the service (organizations.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - 1, 0)}{obj.name}（{obj.code}）"


class OrganizationForm(ChineseBlankMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["code", "name", "level", "sector", "is_window_unit", "supervision_phone", "secretary_name"]
        help_texts = {
            "code": "全县唯一，例如 430621001；保存后用于公开栏网址和导入文件。",
            "supervision_phone": "公示在公开栏和承诺书上，供群众监督。",
        }

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class MoveOrganizationForm(ChineseBlankMixin, forms.Form):
    new_parent = OrganizationChoiceField(queryset=Organization.objects.none(), label="新的上级党组织")

    def __init__(self, *args, user, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = (
            orgs_for(user, OrgAction.MANAGE_ORG)
            .filter(is_active=True)
            .exclude(path__startswith=organization.path)
            .exclude(level=Organization.Level.BRANCH)
            .order_by("path")
        )


class MemberForm(ChineseBlankMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "birth_date",
            "id_number",
            "phone",
            "political_status",
            "join_date",
            "post",
            "organization",
            "inflow_organization",
            "residence_organization",
            *Member.FLAG_FIELDS,
            "unable_to_write",
            "is_active",
        ]
        field_classes = {
            "organization": OrganizationChoiceField,
            "inflow_organization": OrganizationChoiceField,
            "residence_organization": OrganizationChoiceField,
        }
        widgets = {"birth_date": DateInput(), "join_date": DateInput()}
        help_texts = {"id_number": "18位，末位可为X；出生日期和性别须与之一致。"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        manageable = orgs_for(user, OrgAction.MANAGE_MEMBERS).filter(is_active=True).order_by("path")
        self.fields["organization"].queryset = manageable
        active = Organization.objects.filter(is_active=True).order_by("path")
        current = [self.instance.inflow_organization_id, self.instance.residence_organization_id]
        self.fields["inflow_organization"].queryset = active | Organization.objects.filter(pk__in=current)
        self.fields["residence_organization"].queryset = active.filter(
            Q(sector=Organization.Sector.COMMUNITY)
        ) | Organization.objects.filter(pk__in=current)
        self.fields["inflow_organization"].empty_label = "（不是流动党员）"
        self.fields["residence_organization"].empty_label = "（未报到）"

    def clean_id_number(self):
        return self.cleaned_data["id_number"].strip().upper()


class AccountCreateForm(forms.Form):
    username = forms.CharField(label="登录名", max_length=150, help_text="字母、数字或 @/./+/-/_，例如手机号。")


class ExemptionProposeForm(ChineseBlankMixin, forms.ModelForm):
    class Meta:
        model = Exemption
        fields = ["reason", "explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 4})}


class ExemptionDecideForm(ChineseBlankMixin, forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "批准"), ("reject", "不批准")])
    comment = forms.CharField(
        label="审批意见", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", "不批准时请填写审批意见。")
        return data


class RoleGrantForm(ChineseBlankMixin, forms.Form):
    username = forms.CharField(label="登录名", max_length=150)
    role = forms.ChoiceField(label="角色")
    organization = OrganizationChoiceField(queryset=Organization.objects.none(), label="授权的党组织")

    def __init__(self, *args, roles: list[Role], organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        self.fields["organization"].queryset = organizations

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError("没有这个登录名的账号。党员的账号可在党员详情页创建。")
        self.cleaned_data["user"] = user
        return username


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件。")
        if f.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(f"文件不能超过 {MAX_IMPORT_BYTES // (1024 * 1024)} MB。")
        head = f.read(4)
        f.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError("该文件不是有效的 Excel（.xlsx）文件。")
        return f


# --- 日常活动记实 -------------------------------------------------------------------------------------------


class ParticipantChoiceField(forms.ModelMultipleChoiceField):
    """Members of the roster, by name (with the organization when the roster spans several); no personal data."""

    def __init__(self, *args, show_organization: bool = False, **kwargs):
        self.show_organization = show_organization
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.organization.name}）" if self.show_organization else obj.name


class ActivityForm(ChineseBlankMixin, forms.ModelForm):
    """Record or correct an activity. The rules (date, roster, the kind's measures) are the service's; the form
    only reads the input and shows what the service says."""

    participants = ParticipantChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label="参加党员",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="从本组织名册中勾选；参加人次可以多于所选人数（含群众等）。",
    )
    files = MultipleFileField(
        label="附件",
        required=False,
        help_text="活动照片、签到表等：照片（jpg、png）、PDF、Word 或 Excel，每个不超过 10 MB，一次最多 10 个。",
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "held_on",
            "title",
            "description",
            "participants_count",
            "participants",
            "quantity",
            "amount",
            "beneficiaries",
        ]
        widgets = {
            "held_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "participants_count": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "quantity": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "amount": forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
            "beneficiaries": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        }
        help_texts = {
            "title": "如“学习贯彻党的二十届三中全会精神专题学习会”。",
            "participants_count": "参加活动的总人次（含群众）；不少于所选参加党员的人数。",
        }

    def __init__(self, *args, organization, with_files: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        current_kind = self.instance.kind if self.instance.pk else None
        kinds = list(activity_kinds(include=current_kind))
        self.kinds = kinds
        self.fields["kind"].queryset = activity_kinds(include=current_kind)
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["amount"].validators.append(MinValueValidator(0, "金额不能为负数。"))
        roster = activity_roster(organization)
        if self.instance.pk:
            # Members named before they left the roster stay on the record (and in the list, ticked).
            roster = roster | Member.objects.filter(pk__in=self.instance.participants.values("pk"))
        roster = roster.select_related("organization")
        spans = organization.numchild > 0 or roster.exclude(organization=organization).exists()
        participants = self.fields["participants"]
        participants.queryset = roster
        participants.show_organization = spans
        if not self.is_bound and self.instance.pk:
            self.initial["participants"] = [m.pk for m in self.instance.participants.all()]
        if not with_files:
            del self.fields["files"]

    @staticmethod
    def measure_label(kind, measure: str) -> str:
        """The kind's words for `measure`, with the unit ("" when the kind does not record it)."""
        label = kind.label_of(measure)
        if not label:
            return ""
        unit = {"quantity": kind.quantity_unit, "amount": "元", "beneficiaries": "人"}[measure]
        return f"{label}（{unit}）" if unit else label

    def kind_measures(self) -> dict[str, dict[str, str]]:
        """{kind id: {measure: label}} for the page script that shows only the measures the chosen kind has."""
        return {str(k.pk): {m: self.measure_label(k, m) for m in ActivityKind.MEASURES} for k in self.kinds}

    def chosen_kind(self):
        """The kind the form shows (the submitted one, else the activity's), to label the measures."""
        value = self.data.get(self.add_prefix("kind")) if self.is_bound else self.initial.get("kind")
        if value is None and self.instance.pk:
            value = self.instance.kind_id
        return next((k for k in self.kinds if str(k.pk) == str(value)), None)

    def measure_fields(self) -> list[tuple]:
        """(bound field, label, hidden) of quantity, amount and beneficiaries: labelled as the chosen kind calls
        them and hidden when it does not record them (unless they hold a value or an error to show)."""
        kind = self.chosen_kind()
        out = []
        for measure in ActivityKind.MEASURES:
            field = self[measure]
            label = self.measure_label(kind, measure) if kind else ""
            hidden = kind is not None and not label and field.value() in (None, "") and not field.errors
            out.append((field, label or field.label, hidden))
        return out


class ActivityFilterForm(ChineseBlankMixin, forms.Form):
    """The filters of an organization's activity register."""

    kind = forms.ChoiceField(label="活动类别", required=False)
    year = forms.ChoiceField(label="年度", required=False)
    start = forms.DateField(label="开始日期", required=False, widget=DateInput())
    end = forms.DateField(label="结束日期", required=False, widget=DateInput())
    q = forms.CharField(
        label="活动名称", required=False, max_length=50, widget=forms.TextInput(attrs={"placeholder": "搜索活动名称"})
    )
    scope = forms.ChoiceField(
        label="范围", required=False, choices=[("all", "含下级党组织"), ("own", "仅本级")], initial="all"
    )

    def __init__(self, *args, years=(), with_scope: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = ActivityKind.objects.order_by("position", "id").values_list("code", "name")
        self.fields["kind"].choices = [("", "全部类别"), *kinds]
        self.fields["year"].choices = [("", "全部年度"), *((str(y), f"{y}年") for y in years)]
        if not with_scope:
            del self.fields["scope"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data


class AttachmentUploadForm(forms.Form):
    files = MultipleFileField(
        label="添加附件",
        help_text="照片（jpg、png）、PDF、Word 或 Excel，每个不超过 10 MB，一次最多 10 个。",
    )
