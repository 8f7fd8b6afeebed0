from django.apps import AppConfig


class TodosConfig(AppConfig):
    name = "project.todos"
    label = "todos"
    verbose_name = "Todos (demo)"
    default_auto_field = "django.db.models.BigAutoField"
