"""Opening input files: plain, gzip or zip; text decoding; the head used to recognise a format."""

from __future__ import annotations

import atexit
import codecs
import csv
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..errors import InputError
from .limits import Limits

try:  # Reddit dumps (Pushshift, Arctic Shift) come as zstd streams
    import zstandard
except ImportError:  # pragma: no cover - a declared dependency
    zstandard = None

HEAD_BYTES = 256 * 1024
# What reading a damaged gzip stream or zip member raises.
BROKEN_STREAM: tuple[type[Exception], ...] = (EOFError, zlib.error, gzip.BadGzipFile,
                                              zipfile.BadZipFile)
if zstandard is not None:
    BROKEN_STREAM += (zstandard.ZstdError,)
_LINE_END = re.compile(r"\r\n|\r|\n")
_CONTROL_BYTES = [bytes([c]) for c in (*range(9), *range(14, 32))]
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# Pushshift and Arctic Shift compress with a 2 GiB window (zstd --long=31).
_ZSTD_WINDOW = 1 << 31


class CountingFile(io.RawIOBase):
    """Wraps a binary file and counts the bytes read from it, for progress bars."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # noqa: ANN001 - buffer protocol
        data = self._raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n

    # zipfile seeks to the central directory at the end of the archive: without these a zip
    # input fails as "not a zip file".
    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class Source:
    """One input stream: a file, or one member of a zip archive."""

    path: Path
    member: str | None = None
    compression: str = "none"  # none | gzip | zip | zstd
    sha256: str = ""
    size: int = 0
    encoding: str = "utf-8"
    # Readers of large tables may parse clean UTF-8 with Arrow; the framework clears this and
    # reads again row by row when that fast path meets something it cannot read exactly.
    fast_csv: bool = True
    # What messages call a source read from standard input ("<stdin>").
    label: str | None = None
    limits: Limits = field(default_factory=Limits)
    _counter: CountingFile | None = field(default=None, repr=False)
    # The open archive of a zip member, shared by all members of the archive: opening the
    # archive again reads its whole central directory (quadratic in the number of members).
    _archive: zipfile.ZipFile | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        base = self.label or str(self.path)
        return f"{base}!{self.member}" if self.member else base

    @property
    def name(self) -> str:
        """File name without compression suffixes, lower-cased, for format hints."""
        n = (self.member or self.path.name).lower()
        for suffix in (".gz", ".zip", ".zst"):
            if n.endswith(suffix):
                n = n[: -len(suffix)]
        return n

    @property
    def bytes_read(self) -> int:
        return self._counter.count if self._counter else 0

    def open_binary(self) -> IO[bytes]:
        """The decompressed byte stream; errors name the file and what is wrong with it."""
        if self._archive is not None:
            # Progress of a member: how far into the archive its reads have come.
            self._counter = self._archive.fp  # type: ignore[assignment]
            return self._archive.open(self.member or "")
        raw = open(self.path, "rb")  # noqa: SIM115 - returned to the caller
        self._counter = CountingFile(raw)
        buffered = io.BufferedReader(self._counter, buffer_size=1 << 20)
        if self.compression == "gzip":
            return gzip.GzipFile(fileobj=buffered)
        if self.compression == "zip":
            zf = zipfile.ZipFile(buffered)
            return zf.open(self.member or "")
        if self.compression == "zstd":
            return io.BufferedReader(_ZstdReader(buffered), buffer_size=1 << 20)
        return buffered

    def open_text(self) -> IO[str]:
        """Decoded text. Undecodable bytes become surrogates, so a reader can quarantine the row
        that holds them instead of failing the whole file."""
        return io.TextIOWrapper(self.open_binary(), encoding=self.encoding,
                                errors="surrogateescape", newline="")


class _ZstdReader(io.RawIOBase):
    """Decompressed zstd frames, one after another. zstandard's own stream reader ends quietly
    where a truncated file ends; this one raises EOFError when the input stops inside a frame,
    so a cut dump is reported as damaged, not read as shorter."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._dctx = zstandard.ZstdDecompressor(max_window_size=_ZSTD_WINDOW)
        self._obj = self._dctx.decompressobj()
        self._in_frame = False
        self._out = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # noqa: ANN001 - buffer protocol
        while not self._out:
            chunk = self._raw.read(1 << 18)
            if not chunk:
                if self._in_frame:
                    raise EOFError("the zstd stream ends inside a frame")
                return 0
            while chunk:
                self._in_frame = True
                self._out += self._obj.decompress(chunk)
                chunk = b""
                if self._obj.eof:  # a frame ended: the rest starts the next one
                    chunk = self._obj.unused_data
                    self._obj = self._dctx.decompressobj()
                    self._in_frame = False
        n = min(len(b), len(self._out))
        b[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def has_bad_bytes(s: str) -> bool:
    """True when text holds bytes that were not valid in the file's encoding."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def sources_for(path: Path, limits: Limits | None = None) -> list[Source]:
    """The input streams in a path: itself, or each file member of a zip archive; `-` is
    standard input (read once into a temporary file).

    Every stream is read through once here for its digest, which also checks a compressed
    stream to its end (end-of-stream marker, CRC and length) and against `limits`, so a
    truncated, damaged or bomb-like input is refused before any row of it is read.
    """
    limits = limits or Limits()
    label = None
    if str(path) == "-":
        path, label = _spool_stdin(), "<stdin>"
    shown = label or str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file", shown) from None
    except OSError as e:
        raise InputError(f"cannot read ({e.strerror})", shown) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory; name the files inside it", shown)
    if not stat.S_ISREG(st.st_mode):
        # A device (/dev/zero), FIFO or socket never ends, or ends differently on each read.
        raise InputError("not a regular file (a device, pipe or socket); give a file, or - to "
                         "read standard input", shown)
    size = st.st_size
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic.startswith(_GZIP_MAGIC):
        src = Source(path, None, "gzip", "", size, label=label, limits=limits)
        src.sha256 = _content_digest(src, size, limits)
        return [src]
    if magic == _ZSTD_MAGIC:
        if zstandard is None:
            raise InputError("zstd-compressed: install the zstandard package to read it", shown)
        src = Source(path, None, "zstd", "", size, label=label, limits=limits)
        src.sha256 = _content_digest(src, size, limits)
        return [src]
    if magic == _ZIP_MAGIC:
        return _zip_sources(path, size, limits, label)
    src = Source(path, None, "none", "", size, label=label, limits=limits)
    src.sha256 = _content_digest(src, size, limits)
    return [src]


def _spool_stdin() -> Path:
    """Standard input copied to a temporary file (removed at exit): a reader may open its
    input twice (the format is recognised from the head, then the rows are read)."""
    fd, name = tempfile.mkstemp(prefix="inconcert-stdin-")
    atexit.register(os.unlink, name)
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
    return Path(name)


def _zip_sources(path: Path, size: int, limits: Limits, label: str | None) -> list[Source]:
    shown = label or str(path)
    counter = CountingFile(open(path, "rb"))  # noqa: SIM115 - kept open by the sources
    try:
        zf = zipfile.ZipFile(counter)
    except zipfile.BadZipFile as e:
        counter.close()
        raise InputError(f"damaged zip archive ({e})", shown) from None
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        zf.close()
        raise InputError(f"zip archive holds {len(infos)} entries, more than "
                         f"{limits.max_members} (raise it with --limit max_members=N)", shown)
    members = sorted((i for i in infos
                      if not i.is_dir() and not i.filename.startswith("__MACOSX/")),
                     key=lambda i: i.filename)
    if not members:
        zf.close()
        raise InputError("zip archive holds no files", shown)
    out = []
    for info in members:
        src = Source(path, info.filename, "zip", "", size, label=label, limits=limits,
                     _archive=zf)
        try:
            src.sha256 = _content_digest(src, info.compress_size, limits)
        except (InputError, zipfile.BadZipFile):
            zf.close()
            raise
        out.append(src)
    return out


def _content_digest(src: Source, packed: int, limits: Limits) -> str:
    """SHA-256 of a source's decompressed content, read to the end: a compressed stream that
    breaks off, fails its check or inflates beyond `limits.max_ratio` raises InputError naming
    the byte of content (and line) where it happened."""
    h = hashlib.sha256()
    done = lines = 0
    cap = max(limits.max_ratio * max(packed, 1), limits.ratio_floor_bytes)
    try:
        with src.open_binary() as f:
            # read1 where the stream has it: one decompression step at a time, so the content
            # that arrived before a break is counted (a 1 MiB read() of a stream cut after
            # 200 kB raises with nothing delivered, and the error would say "after byte 0").
            read = getattr(f, "read1", f.read)
            for chunk in iter(lambda: read(1 << 16), b""):
                h.update(chunk)
                done += len(chunk)
                lines += chunk.count(b"\n")
                if src.compression != "none" and done > cap:
                    raise InputError(
                        f"decompresses to more than {done:,} bytes from {packed:,} "
                        f"(over {limits.max_ratio:g} times its compressed size): refused as a "
                        "decompression bomb (raise it with --limit max_ratio=N)",
                        src.display)
    except BROKEN_STREAM as e:
        raise broken_stream(src, e, lines + 1, done) from None
    except NotImplementedError as e:  # a zip compression method Python cannot read
        raise InputError(f"cannot read zip member ({e})", src.display) from None
    except RuntimeError as e:  # an encrypted member
        raise InputError(f"cannot read zip member ({e})", src.display) from None
    return h.hexdigest()


def broken_stream(src: Source, e: Exception, line: int, offset: int | None = None
                  ) -> InputError:
    """The error for a compressed stream that breaks off (or fails its check) in `line`, after
    `offset` bytes of content when known."""
    what = ("damaged zip archive member" if src.compression == "zip"
            else "damaged or truncated compressed stream")
    at = f" after byte {offset:,} of its content" if offset is not None else ""
    return InputError(f"{what}: it breaks off{at}, in line {line} ({e}); nothing of it was "
                      "kept", src.display, line)


@dataclass
class Head:
    """The first bytes of a source, decoded, for recognising its format."""

    name: str
    text: str
    complete: bool  # the head holds the whole stream

    @property
    def first_line(self) -> str:
        return _LINE_END.split(self.text, 1)[0]

    @property
    def csv_header(self) -> list[str]:
        """The first CSV record's fields, stripped ([] when the head is not CSV-like)."""
        try:
            row = next(csv.reader(io.StringIO(self.text, newline="")), [])
        except csv.Error:
            return []
        return [c.strip().lstrip("\ufeff").strip('"') for c in row]

    def json_first(self) -> object | None:
        """The first JSON value: the first line's, or the whole stream's when the head holds it."""
        line = self.first_line.strip()
        if line.startswith(("{", "[")):
            try:
                return json.loads(line)
            except ValueError:
                pass
        if self.complete and self.text.lstrip().startswith(("{", "[")):
            try:
                return json.loads(self.text)
            except ValueError:
                return None
        if self.text.lstrip().startswith("{"):
            # A pretty-printed document too large for the head: decode its first key only.
            try:
                obj, _ = json.JSONDecoder().raw_decode(self.text.lstrip())
                return obj
            except ValueError:
                return {"__keys_seen__": _top_keys(self.text)}
        return None


def _top_keys(text: str) -> list[str]:
    return re.findall(r'^\s{0,4}"([A-Za-z_][\w.]*)"\s*:', text[:65536], re.MULTILINE)


def read_head(src: Source) -> Head:
    """Read and decode the head of a source; raise InputError for empty, binary, truncated or
    undecodable input."""
    chunks: list[bytes] = []
    got = 0
    try:
        with src.open_binary() as f:
            while got <= HEAD_BYTES:
                chunk = f.read(min(1 << 16, HEAD_BYTES + 1 - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
    except BROKEN_STREAM as e:
        raise broken_stream(src, e, b"".join(chunks).count(b"\n") + 1) from None
    except OSError as e:
        raise InputError(f"cannot read ({e})", src.display) from None
    data = b"".join(chunks)
    complete = len(data) <= HEAD_BYTES
    data = data[:HEAD_BYTES]
    if not data.strip():
        raise InputError("empty file: no rows to read", src.display, 1)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        src.encoding = "utf-16"
        text = data.decode("utf-16", errors="replace")
    else:
        sample = data[:4096]
        if sample[1::2].count(0) > len(sample) // 3 or sample[::2].count(0) > len(sample) // 3:
            raise InputError("looks like UTF-16 text without a byte-order mark; re-save it "
                             "as UTF-8 (or UTF-16 with a BOM)", src.display, 1)
        # A stray NUL is a bad row (quarantined); many control bytes are not text at all.
        controls = sum(sample.count(c) for c in _CONTROL_BYTES)
        if sample.count(0) >= 4 or controls * 20 > len(sample):
            raise InputError("binary data, not a text file (control bytes in the first 4 KiB)",
                             src.display, 1)
        src.encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        text = _decode_head(data, src)
    return Head(src.name, text.lstrip("\ufeff"), complete)


def _decode_head(data: bytes, src: Source) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 4:  # a character cut by the head's end
            return data[: e.start].decode("utf-8")
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        line = data[: e.start].count(b"\n") + 1
        if bad * 200 > len(text) or bad > 20:
            raise InputError(
                f"not UTF-8 text ({bad} undecodable bytes in the first "
                f"{len(data) // 1024 or 1} KiB; first at byte {e.start}); "
                "re-save the file as UTF-8", src.display, line) from None
        return data.decode("utf-8", errors="surrogateescape")


def iter_lines(src: Source) -> Iterator[tuple[int, str]]:
    """(line number, line) for line-oriented formats such as JSONL."""
    with src.open_text() as f:
        yield from enumerate(f, 1)
