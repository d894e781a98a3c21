"""Errors that the CLI turns into one-line messages and exit codes."""

from __future__ import annotations


class InputError(Exception):
    """Bad input or usage: the CLI prints one line and exits with status 2.

    The message names the file, the line (when one is known) and the problem, so that a user can
    find and fix the offending row without reading a traceback.
    """

    def __init__(self, problem: str, path: str | None = None, line: int | None = None) -> None:
        self.problem = problem
        self.path = path
        self.line = line
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f", line {self.line}"
            where += ": "
        return where + self.problem.replace("\n", " ")
