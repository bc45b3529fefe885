"""Excel import of opinions collected from the masses (调研提诺), through the shared import workflow (checked,
then written in bulk with history; large files as background jobs)."""

from import_export import fields

from organizations.resources import ChoiceWidget, DateWidget, ImportFileError, ScopedResource, TextWidget

from .models import Opinion


class OpinionResource(ScopedResource):
    received_on = fields.Field(attribute="received_on", column_name="征集日期", widget=DateWidget())
    channel = fields.Field(attribute="channel", column_name="征集渠道", widget=ChoiceWidget(Opinion.Channel.choices))
    source_group = fields.Field(
        attribute="source_group", column_name="提出人群", widget=ChoiceWidget(Opinion.SourceGroup.choices)
    )
    text = fields.Field(attribute="text", column_name="意见建议", widget=TextWidget())

    required_columns = ("征集日期", "征集渠道", "提出人群", "意见建议")

    class Meta:
        model = Opinion
        fields = ("received_on", "channel", "source_group", "text")
        import_id_fields = ()
        force_init_instance = True
        clean_model_instances = True
        skip_diff = True
        use_transactions = True
        use_bulk = True
        batch_size = 1000

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        from .services import campaign_for

        self.campaign = campaign_for(self.scope) if self.scope is not None else None
        if self.campaign is None:
            raise ImportFileError("目前没有进行中的承诺批次，不能导入意见建议。")

    def init_instance(self, row=None):
        return Opinion(organization=self.scope, campaign=self.campaign, created_by=self.by)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        from organizations.resources import validate_imported_instance

        validate_imported_instance(
            instance, import_validation_errors, exclude={"organization", "campaign", "created_by"}
        )
