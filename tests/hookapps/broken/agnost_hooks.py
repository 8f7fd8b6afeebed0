from tests.hookapps.registries import handlers, others

others.register("half-done", object())
handlers.register("greet", object())  # taken by the "good" app: AlreadyRegistered
