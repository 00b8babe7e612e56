from enum import StrEnum


class ExportFecEncoding(StrEnum):
    ISO_8859_15 = "iso-8859-15"
    UTF_8 = "utf-8"

    def __str__(self) -> str:
        return str(self.value)
