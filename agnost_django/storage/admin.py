"""Buckets and files in the Django admin: upload from the admin, image previews and downloads
(through a staff-only admin view that streams from the storage backend), shareable signed
links, public / private actions, human-readable sizes; a user's files on the user page. Every
change goes through the services, so bytes are written and freed exactly as through the API."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from agnost_django.core import admin_site
from agnost_django.core.admin_display import EMPTY, ReadableAdminMixin, RecordInlineMixin, json_display
from agnost_django.core.exceptions import AgnostAPIError
from agnost_django.storage import services, uploads
from agnost_django.storage.adapter import SYSTEM
from agnost_django.storage.conf import storage_settings
from agnost_django.storage.links import signed_url
from agnost_django.storage.models import Bucket, StoredFile
from agnost_django.storage.responses import file_response
from agnost_django.storage.sniffing import base_type, may_be_inline

#: Images up to this size get a thumbnail in lists; the change page previews any image.
THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024
#: Files shown on a user's page, newest first.
USER_PAGE_FILES = 20


@admin.register(Bucket)
class BucketAdmin(ReadableAdminMixin, admin.ModelAdmin):
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


def is_image(file: StoredFile) -> bool:
    """Whether the admin may show ``file`` in an ``<img>``: a passive image type, declared and sniffed."""
    return (base_type(file.detected_type).startswith("image/")
            and may_be_inline(file.name, file.mime_type, file.detected_type))


class FileDisplays:
    """Columns shared by the files page and the files inline of the user page."""

    def content_url(self, file: StoredFile, *, download: bool = False) -> str:
        url = reverse(f"{self.admin_site.name}:agnost_storage_storedfile_content", args=[file.pk])
        return f"{url}?download=1" if download else url

    @admin.display(description=_("size"), ordering="size")
    def human_size(self, file: StoredFile) -> str:
        return filesizeformat(file.size)

    @admin.display(description=_("preview"))
    def thumbnail(self, file: StoredFile) -> str:
        if file._state.adding or not is_image(file) or file.size > THUMBNAIL_MAX_BYTES:
            return ""
        return format_html('<img class="agnost-thumb" src="{}" alt="" loading="lazy">', self.content_url(file))

    @admin.display(description=_("download"))
    def download(self, file: StoredFile) -> str:
        if file._state.adding:
            return EMPTY
        return format_html('<a href="{}" download>{}</a>', self.content_url(file, download=True), _("download"))


@admin.register(StoredFile)
class StoredFileAdmin(FileDisplays, ReadableAdminMixin, admin.ModelAdmin):
    form = StoredFileForm
    list_display = ("thumbnail", "name", "bucket", "human_size", "mime_type", "is_public", "owner", "uploaded_at",
                    "download")
    list_display_links = ("name",)
    list_filter = ("is_public", "bucket", "storage_alias")
    search_fields = ("name", "mime_type", "checksum")
    readonly_fields = ("preview", "id", "human_size", "mime_type", "detected_type", "checksum", "storage_alias",
                       "blob_key", "metadata_display", "uploaded_at", "updated_at", "share_link")
    raw_id_fields = ("owner",)
    list_select_related = ("bucket", "owner")
    actions = ("make_public", "make_private")
    metadata_display = json_display(StoredFile, "metadata")

    def get_urls(self):
        content = path("<path:object_id>/content/", self.admin_site.admin_view(self.content_view),
                       name="agnost_storage_storedfile_content")
        return [content, *super().get_urls()]

    def content_view(self, request, object_id):
        """The file's bytes, streamed from its storage backend to a staff user who may view
        it: inline for a passive image, else (or with ``?download=1``) as an attachment."""
        file = self.get_object(request, object_id)
        if file is None:
            raise Http404
        if not self.has_view_permission(request, file):
            raise PermissionDenied
        attachment = request.GET.get("download") == "1" or not is_image(file)
        return file_response(file, request, attachment=attachment, neutralise_active=True,
                             cache_control="private, no-store")

    @admin.display(description=_("current content"))
    def preview(self, file: StoredFile) -> str:
        if file._state.adding:
            return EMPTY
        image = format_html('<img class="agnost-preview" src="{}" alt="{}">', self.content_url(file), file.name) \
            if is_image(file) else ""
        return format_html('{}<a class="button" href="{}" download>{}</a>', image,
                           self.content_url(file, download=True), _("Download"))

    @admin.display(description=_("link to share"))
    def share_link(self, file: StoredFile) -> str:
        if file._state.adding:
            return EMPTY
        return format_html('<a href="{}">{}</a> <span class="help">{}</span>', signed_url(file, 600),
                           _("signed link"), _("Anyone holding it may download the file for 10 minutes."))

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


class StoredFileInline(FileDisplays, RecordInlineMixin, admin.TabularInline):
    """The user's files on the user page (their newest, read-only)."""

    model = StoredFile
    fk_name = "owner"
    newest_by = "uploaded_at"
    limit = USER_PAGE_FILES
    fields = readonly_fields = ("thumbnail", "name", "bucket", "human_size", "mime_type", "uploaded_at", "download")
    verbose_name_plural = _("files (newest first)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("bucket")


admin_site.add_user_inline(StoredFileInline)
