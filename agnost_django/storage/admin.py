"""Buckets and files in the Django admin: upload from the admin, download links, public /
private actions, human-readable sizes. Every change goes through the services, so bytes are
written and freed exactly as through the API."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from agnost_django.core.exceptions import AgnostAPIError
from agnost_django.storage import services, uploads
from agnost_django.storage.adapter import SYSTEM
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.links import signed_url
from agnost_django.storage.models import Bucket, StoredFile


@admin.register(Bucket)
class BucketAdmin(admin.ModelAdmin):
    list_display = ("name", "storage_alias", "is_public", "file_count", "total_size", "owner", "created_at")
    list_filter = ("storage_alias", "is_public")
    search_fields = ("name",)
    readonly_fields = ("id", "created_at", "updated_at")
    raw_id_fields = ("owner",)
    actions = ("make_public", "make_private")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_count=Count("files"), _size=Sum("files__size"))

    @admin.display(description=_("files"), ordering="_count")
    def file_count(self, bucket: Bucket) -> int:
        return bucket._count

    @admin.display(description=_("size"), ordering="_size")
    def total_size(self, bucket: Bucket) -> str:
        return filesizeformat(bucket._size or 0)

    def _privacy(self, request, queryset, is_public: bool, include_files: bool) -> None:
        for bucket in queryset:
            services.storage(bucket.storage_alias, SYSTEM).bucket(bucket).set_public(is_public,
                                                                              include_files=include_files)
        self.message_user(request, _("%(n)d bucket(s) updated, with their files.") % {"n": queryset.count()})

    @admin.action(description=_("Make public (with their files)"))
    def make_public(self, request, queryset):
        self._privacy(request, queryset, True, True)

    @admin.action(description=_("Make private (with their files)"))
    def make_private(self, request, queryset):
        self._privacy(request, queryset, False, True)


class StoredFileForm(forms.ModelForm):
    upload = forms.FileField(label=_("content"), required=False,
                             help_text=_("Upload new content (required for a new file)."))

    class Meta:
        model = StoredFile
        fields = ("bucket", "name", "is_public", "tags", "owner")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Empty: the uploaded file's name.")
        if self.instance._state.adding:  # (a new instance already has its UUID)
            self.fields["upload"].required = True
        self.fields["is_public"].help_text = _("Whether anyone may download it from its public address.")


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    form = StoredFileForm
    list_display = ("name", "bucket", "human_size", "mime_type", "is_public", "owner", "uploaded_at", "download")
    list_filter = ("is_public", "bucket", "storage_alias")
    search_fields = ("name", "mime_type", "checksum")
    readonly_fields = ("id", "human_size", "mime_type", "detected_type", "checksum", "storage_alias", "blob_key",
                       "uploaded_at", "updated_at", "download")
    raw_id_fields = ("owner",)
    list_select_related = ("bucket", "owner")
    actions = ("make_public", "make_private")

    @admin.display(description=_("size"), ordering="size")
    def human_size(self, file: StoredFile) -> str:
        return filesizeformat(file.size)

    @admin.display(description=_("download"))
    def download(self, file: StoredFile) -> str:
        if file._state.adding:
            return "-"
        return format_html('<a href="{}">{}</a>', signed_url(file, 600), _("download"))

    def save_model(self, request, obj: StoredFile, form, change: bool) -> None:
        """New bytes go through the services (service errors: see :meth:`changeform_view`)."""
        content = form.cleaned_data.get("upload")
        if not change:
            saved = self._store(content, lambda incoming: services.upload(
                obj.bucket, SYSTEM, incoming, obj.name or content.name, is_public=obj.is_public,
                tags=obj.tags, unique=False, owner=obj.owner or request.user))
            obj.pk = saved.pk
            obj._state.adding = False
            return
        obj.save()
        if content is not None:
            self._store(content, lambda incoming: services.replace(obj, SYSTEM, incoming))

    @staticmethod
    def _store(content, operation):
        incoming = uploads.from_chunks(content.chunks(), storage_settings.MAX_UPLOAD_SIZE, content.content_type)
        try:
            return operation(incoming)
        finally:
            incoming.close()

    def changeform_view(self, request, *args, **kwargs):
        """A service error while saving (a name clash, a file over the bucket's limit) is
        shown on the form's page; the transaction has rolled back and no bytes remain."""
        try:
            return super().changeform_view(request, *args, **kwargs)
        except AgnostAPIError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _privacy(self, request, queryset, is_public: bool) -> None:
        count = queryset.update(is_public=is_public)
        self.message_user(request, _("%(n)d file(s) updated.") % {"n": count})

    @admin.action(description=_("Make public"))
    def make_public(self, request, queryset):
        self._privacy(request, queryset, True)

    @admin.action(description=_("Make private"))
    def make_private(self, request, queryset):
        self._privacy(request, queryset, False)
