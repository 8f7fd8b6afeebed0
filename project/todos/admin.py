from django.contrib import admin

from project.todos.models import Todo


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
    list_display = ["title", "done", "priority", "owner", "created_at"]
    list_filter = ["done", "priority"]
    search_fields = ["title"]
    ordering = ["-created_at"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
