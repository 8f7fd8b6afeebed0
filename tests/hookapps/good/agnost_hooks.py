from tests.hookapps.registries import handlers


@handlers.register("greet")
def greet(name):
    return f"hello {name}"
