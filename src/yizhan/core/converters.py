"""URL converters. `<id:pk>` is a database id: 1 to 18 digits, so a path like
/cases/99999999999999999999/ is a 404, not an integer overflow in the database driver."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    register_converter(IdConverter, "id")
