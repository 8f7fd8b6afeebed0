from agnost_django.core.registry import Registry

handlers = Registry("handler")
others = Registry("other")
