"""Events from other apps that the cases app acts on: none yet.

When there is one, write the handler here (`def on_x(event): ...`, calling a cases service)
and subscribe it in `CasesConfig.ready` with `core.events.subscribe`.
"""
