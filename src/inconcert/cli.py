"""The `inconcert` command line. Exit status: 0 success, 2 bad input or usage, 1 internal error."""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from . import __version__
from .errors import InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Expose coordinated inauthentic behaviour in social-media data you hold.")
# Lines are never hard-wrapped (a pasted path or message stays one line) and data never reads
# as rich markup; the one styled line asks for markup itself.
err = Console(stderr=True, soft_wrap=True, markup=False)
out = Console(soft_wrap=True, markup=False)
T = TypeVar("T")


def _guard(fn: Callable[[], T]) -> T:
    """Run a command body, turning errors into one line and the contract's exit codes."""
    _SIGINT.clear()
    with contextlib.suppress(ValueError):  # not the main thread: keep the default handler
        signal.signal(signal.SIGINT, _on_sigint)
    try:
        return fn()
    except InputError as e:
        # The message quotes file names and cells: never let rich read them as markup.
        err.print(f"[bold red]inconcert: error:[/] {escape(e.one_line())}", markup=True,
                  highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("inconcert: interrupted")
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as e:  # noqa: BLE001 - the contract: internal errors exit 1, one line
        if _interrupted(e):
            err.print("inconcert: interrupted")
            raise typer.Exit(130) from None
        if os.environ.get("INCONCERT_DEBUG"):
            traceback.print_exc()
        err.print(f"inconcert: internal error: {type(e).__name__}: {e} "
                  "(set INCONCERT_DEBUG=1 for a traceback)", markup=False, highlight=False,
                  soft_wrap=True)
        raise typer.Exit(1) from None


# Set when Ctrl-C arrives: DuckDB turns the KeyboardInterrupt raised inside a statement into
# an error of its own ("Query interrupted"), and the transaction error that follows hides even
# that, so the exception alone cannot say the user stopped the command.
_SIGINT: set[bool] = set()


def _on_sigint(signum: int, frame: object) -> None:
    _SIGINT.add(True)
    signal.default_int_handler(signum, frame)


def _interrupted(e: BaseException) -> bool:
    """True when Ctrl-C caused the error (see `_SIGINT`), or DuckDB says it was interrupted."""
    import duckdb

    if _SIGINT:
        return True
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, KeyboardInterrupt | duckdb.InterruptException):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A rich progress bar on stderr (quiet when stderr is not a terminal and CI is set)."""
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TimeElapsedColumn(), console=err, transient=False,
                  disable=not err.is_terminal) as p:
        yield p


def _ingest(db: Path, inputs: list[Path], fmt: str | None, max_bad: float,
            limits: list[str] | None = None) -> list:
    from .ingest import Limits, ingest_paths
    from .store import Store

    parsed = Limits.parse(limits or [])  # a bad limit fails before the case is touched
    with Store(db) as store, progress_bar() as bar:
        tasks: dict[str, int] = {}

        def cb(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(f"ingest {Path(label).name}", total=total or None)
            bar.update(tasks[label], completed=done)

        results = ingest_paths(store, inputs, fmt=fmt, max_bad_fraction=max_bad, progress=cb,
                               limits=parsed)
        for r in results:
            if r.skipped:
                err.print(f"{r.path}: skipped, {r.notes[0]}", highlight=False)
            else:
                err.print(f"{r.path}: {r.format}: {r.rows_in} {r.unit} in, {r.rows_stored} "
                          f"stored, {r.rows_quarantined} quarantined", highlight=False)
                for note in r.notes:
                    err.print(f"  note: {note}", highlight=False)
    return results


def _out_dir(path: Path) -> None:
    """Refuse an --out that names a file (before any work): one line, exit 2."""
    if path.exists() and not path.is_dir():
        raise InputError("--out names an existing file; give a directory (it is created when "
                         "missing)", str(path))


def _input_files(paths: list[Path]) -> list[Path]:
    """The input files: each path as given, a folder replaced by the files in it (recursively,
    by name, hidden files and documentation skipped). A missing path fails here, before any
    output is created."""
    files: list[Path] = []
    for p in paths:
        if str(p) == "-":  # standard input, named explicitly
            files.append(p)
            continue
        if not p.exists():
            raise InputError("no such file or folder", str(p))
        if not p.is_dir():
            files.append(p)
            continue
        found = [f for f in sorted(p.rglob("*")) if f.is_file()
                 and not any(part.startswith(".") for part in f.relative_to(p).parts)
                 and f.suffix.lower() not in _NOT_INPUT]
        if not found:
            raise InputError("folder holds no input files", str(p))
        files.extend(found)
    return files


# Files a data folder commonly holds beside its data (READMEs, licences, notes, images).
_NOT_INPUT = frozenset({".md", ".txt", ".pdf", ".html", ".png", ".jpg", ".jpeg", ".gif",
                        ".webp", ".rst"})


@contextmanager
def _fresh_case(db: Path) -> Iterator[Path]:
    """A case database to ingest into; when ingesting fails, a database (and a folder) this
    call created is removed again, so a bad input leaves no empty case behind."""
    folder = db.parent
    created_dir = not folder.exists()
    existed = db.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield db
    except BaseException:
        if not existed:
            for f in (db, db.with_name(db.name + ".wal")):
                f.unlink(missing_ok=True)
        if created_dir and not any(folder.iterdir()):
            folder.rmdir()
        raise


def _library_for_run(given: Path | None, configured: str) -> Path | None:
    """The fingerprint library `run` matches against: --library (which must exist), else the
    configured one, else the default library when it holds fingerprints; None for none."""
    from .narratives.fingerprint import default_library

    if given is not None:
        if not given.is_dir():
            raise InputError("no fingerprint library here (make one with `inconcert "
                             "fingerprint`)", str(given))
        return given
    if configured:
        return None  # the configuration names it already
    default = default_library()
    return default if default.is_dir() and any(default.glob("*/*.json")) else None


def _print_summary(db: Path, next_step: str | None = None) -> None:
    """The run's summary on stdout: what was analysed and found, and where to look next."""
    from .outputs.summary import case_summary, summary_lines
    from .store import Store

    with Store(db, read_only=True) as store:
        lines = summary_lines(case_summary(store.con))
    for line in lines + ([next_step] if next_step else []):
        out.print(line, highlight=False, markup=False, soft_wrap=True)


FormatOpt = Annotated[str | None, typer.Option("--format", "-f",
                      help="Force a reader instead of recognising the format "
                           "(see `inconcert formats`).")]
MaxBadOpt = Annotated[float, typer.Option(
    "--max-bad", min=0.0, max=1.0,
    help="Largest share of malformed rows a file may have and still be ingested "
         "(the rest are quarantined).")]
AvatarsOpt = Annotated[Path | None, typer.Option(
    "--avatars", help="Profile images from local files: a folder of images named by account id, "
                      "or a CSV manifest account_id,path[,platform].")]


InputsArg = Annotated[list[Path], typer.Argument(
    help="Input files (plain, .gz, .zip), or - for standard input.")]
LimitOpt = Annotated[list[str] | None, typer.Option(
    "--limit", help="Override an input limit: name=value (repeatable; see docs/reliability.md), "
                    "e.g. max_ratio=500, max_field=5000000, earliest=1990-01-01.")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="TOML file of parameters (see `inconcert config`).")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Override one parameter: section.key=value (repeatable).")]
DatasetOpt = Annotated[str | None, typer.Option(
    "--dataset", help="Instead of inputs: a Parquet dataset written by `inconcert ingest "
                      "--to-parquet` (a folder, or a URI Spark and DuckDB read: s3://, gs://, "
                      "hdfs://, abfss://...; see docs/scale-out.md).")]
EngineOpt = Annotated[str | None, typer.Option(
    "--engine", help="Where the traces' pairs are enumerated: duckdb (default, this machine) or "
                     "spark (a Spark cluster; same as --set traces.engine=...).")]
MasterOpt = Annotated[str | None, typer.Option(
    "--master", help="With --engine spark: the Spark master URL (default local[*]; ignored "
                     "under spark-submit, whose session is used).")]
SparkConfOpt = Annotated[list[str] | None, typer.Option(
    "--spark-conf", help="With --engine spark: a Spark setting key=value (repeatable).")]


def _engine_sets(overrides: list[str] | None, name: str | None) -> list[str]:
    """The parameter overrides, with --engine recorded as traces.engine (so findings.json says
    which engine ran the traces)."""
    return [*(overrides or []), *([f"traces.engine={json.dumps(name)}"] if name else [])]


@contextmanager
def _trace_engine(cfg: object, master: str | None, spark_conf: list[str] | None,
                  dataset: str | None) -> Iterator[object]:
    """The engine object for the run's traces (None: DuckDB, in the case database); a Spark
    session this starts is stopped at the end."""
    name = cfg.section("traces").engine  # type: ignore[attr-defined]
    if name != "spark":
        if master or spark_conf:
            raise InputError("--master and --spark-conf go with --engine spark")
        yield None
        return
    from .engine import SparkEngine
    from .scale.spark import parse_conf, spark_session

    conf = parse_conf(spark_conf)  # a bad setting fails before the session starts
    with spark_session(master, conf) as spark:
        yield SparkEngine(spark, dataset=dataset)


def _dataset_case(dataset: str, out_dir: Path) -> tuple[str, Path]:
    """The dataset's location and the run's case database over it, in `out_dir`."""
    from .scale.dataset import location, open_case

    db = out_dir / "case.duckdb"
    if db.exists():
        raise InputError("--out already holds a case database; give a new folder for a run "
                         "over --dataset", str(db))
    where = location(dataset)
    with _fresh_case(db):
        open_case(where, db)
    return where, db


@app.command()
def ingest(inputs: InputsArg,
           db: Annotated[Path | None, typer.Option("--db", help="Case database (.duckdb).")]
           = None,
           fmt: FormatOpt = None, max_bad: MaxBadOpt = 0.2, avatars: AvatarsOpt = None,
           limits: LimitOpt = None,
           to_parquet: Annotated[Path | None, typer.Option(
               "--to-parquet", help="Write the canonical tables as a Parquet dataset into this "
                                    "new folder (posts by platform and day, manifest.json), "
                                    "for --dataset and --engine spark; with or without --db "
                                    "(see docs/scale-out.md).")] = None) -> None:
    """Read input files into a case database; malformed rows are quarantined and counted."""

    def body() -> None:
        if db is None and to_parquet is None:
            raise InputError("give --db (a case database) and/or --to-parquet (a dataset folder)")
        files = _input_files(inputs)
        if db is not None and db.is_dir():
            raise InputError("--db names a folder; give a .duckdb file", str(db))
        if to_parquet is not None and to_parquet.exists() and (
                not to_parquet.is_dir() or any(to_parquet.iterdir())):
            raise InputError("--to-parquet must name a new or empty folder", str(to_parquet))
        with contextlib.ExitStack() as stack:
            # Without --db the case database is only the way to the dataset: a temporary one.
            case = db if db is not None else Path(stack.enter_context(
                tempfile.TemporaryDirectory(prefix="inconcert-"))) / "case.duckdb"
            with _fresh_case(case):
                _ingest(case, files, fmt, max_bad, limits)
                _add_avatars(case, avatars)
            from .outputs.quarantine import write_quarantine
            from .store import Store

            if to_parquet is not None:
                from .scale.dataset import write_dataset

                manifest = write_dataset(case, to_parquet)
                err.print(f"wrote {to_parquet}: " + ", ".join(
                    f"{t} {v['rows']}" for t, v in manifest["tables"].items()), highlight=False)
            # The quarantine CSV beside the case database, else inside the dataset folder.
            where = db.with_suffix(".quarantine.csv") if db is not None else \
                to_parquet / "quarantine.csv"  # type: ignore[operator]
            with Store(case) as store:
                q = write_quarantine(store, where)
        if q:
            err.print(f"quarantined rows: {q.name}", highlight=False)

    _guard(body)


@app.command()
def run(out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")],
        inputs: Annotated[list[Path] | None, typer.Argument(
            help="Input files (plain, .gz, .zip), or - for standard input; none with "
                 "--dataset.")] = None,
        fmt: FormatOpt = None, max_bad: MaxBadOpt = 0.2, avatars: AvatarsOpt = None,
        config_file: ConfigOpt = None, overrides: SetOpt = None, limits: LimitOpt = None,
        library: Annotated[Path | None, typer.Option(
            "--library", help="Fingerprint library to compare every network with (default: "
                              "$INCONCERT_LIBRARY, else ~/.local/share/inconcert/fingerprints, "
                              "when it holds fingerprints).")] = None,
        dataset: DatasetOpt = None, engine: EngineOpt = None, master: MasterOpt = None,
        spark_conf: SparkConfOpt = None) -> None:
    """Ingest the inputs and run every analysis, writing everything into the output directory."""

    def body() -> None:
        from .config import load
        from .pipeline import run_pipeline

        if bool(inputs) == bool(dataset):
            raise InputError("give input files or --dataset (one of the two)")
        sets = _engine_sets(overrides, engine)
        cfg = load(config_file, sets)  # a bad parameter fails before any work
        lib = _library_for_run(library, cfg.section("narratives.match").library)
        if lib is not None:
            sets = [*sets, f"narratives.match.library={json.dumps(str(lib))}"]
            cfg = load(config_file, sets)
            err.print(f"comparing networks with the fingerprint library {lib}",
                      highlight=False)
        _out_dir(out_dir)
        if dataset:
            where, db = _dataset_case(dataset, out_dir)
        else:
            where = None
            files = _input_files(inputs or [])
            with _fresh_case(out_dir / "case.duckdb") as db:
                _ingest(db, files, fmt, max_bad, limits)
                _add_avatars(db, avatars)
        with _trace_engine(cfg, master, spark_conf, where) as eng:
            written = run_pipeline(db, out_dir, console=err, cfg=cfg, engine=eng)
        for p in written:
            err.print(f"wrote {p}", highlight=False, soft_wrap=True)
        _print_summary(db, f"Open {out_dir / 'report.html'} in a browser.")

    _guard(body)


@app.command()
def simulate(out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")],
             seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 1,
             scale: Annotated[float, typer.Option(
                 help="Size: 1.0 is about 20,000 posts and 3,500 accounts; 500 is about 10^7 "
                      "posts.")] = 1.0,
             campaign: Annotated[bool, typer.Option(
                 "--campaign/--no-campaign",
                 help="Plant the amplification campaign (without it: the same organic "
                      "platform).")] = True,
             scenario: Annotated[str | None, typer.Option(
                 help="Operation and background design: a preset (random: the default, "
                      "drawn per seed; classic: the fixed campaign; small-blatant) and/or "
                      "key=value,... with lag, squad, pool, mode, share, negatives, families "
                      "(see docs/simulator.md).")] = None,
             embed: Annotated[list[Path] | None, typer.Option(
                 help="Instead: place a real IO archive (its folder, or its tweets and users "
                      "files) inside a synthetic background over its busiest 90 days; labels "
                      "its accounts as positives.")] = None,
             home: Annotated[str | None, typer.Option(
                 help="With --embed: half of the background's people come from this region "
                      "(e.g. thailand).")] = None,
             platform: Annotated[str, typer.Option(
                 help="x (the IO-archive layout), bluesky (a Jetstream capture with a "
                      "like-only swarm; --scenario takes lag, squad, profiles, campaign) or "
                      "multi (one operation on X, Facebook, YouTube and Telegram).")
             ] = "x",
             ) -> None:
    """Write a synthetic platform (IO-archive layout) with a planted campaign, hard negatives
    and ground truth (labels.csv, campaign_posts.csv, simulation.json; see docs/simulator.md);
    --platform bluesky or multi for a Jetstream capture or four platforms' exports."""

    def body() -> None:
        from .simulate import input_files
        from .simulate import simulate as sim

        _out_dir(out_dir)
        if home and not embed:
            raise InputError("--home goes with --embed")
        if platform not in ("x", "bluesky", "multi"):
            raise InputError(f"--platform must be x, bluesky or multi (got {platform!r})")
        if platform != "x" and embed:
            raise InputError("--embed writes the X layout: it takes no --platform")
        if platform == "multi":
            from .simulate.multiplatform import simulate_multiplatform

            if scenario or not campaign:
                raise InputError("--platform multi takes no --scenario or --no-campaign")
            files = simulate_multiplatform(out_dir, seed=seed, scale=scale)
            inputs = [p for p in files if "inputs" in p.relative_to(out_dir).parts]
        elif platform == "bluesky":
            from .simulate import bluesky

            o = bluesky.parse_options(scenario, campaign)
            files = bluesky.simulate_bluesky(out_dir, seed=seed, scale=scale,
                                             campaign=o.campaign, lag=o.lag, squad=o.squad,
                                             profile_share=o.profile_share)
            inputs = files[:1]
        elif embed:
            from .simulate.embed import archive_files, embed_archive

            if scenario or not campaign:
                raise InputError("--embed writes an archive in an organic background: it takes "
                                 "no --scenario or --no-campaign")

            files = embed_archive(*archive_files(embed), out_dir, seed=seed, scale=scale,
                                  home=home)
            inputs = files[:2]
        else:
            files = sim(out_dir, seed=seed, scale=scale, campaign=campaign, scenario=scenario)
            inputs = input_files(files)
        for p in files:
            what = "input" if p in inputs else "ground truth"
            err.print(f"wrote {p} ({what})", highlight=False)

    _guard(body)


@app.command()
def demo(out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path(
        "demo-out")) -> None:
    """Simulate a small platform and run the whole pipeline on it, end to end."""

    def body() -> None:
        from .demo import run_demo
        from .simulate import LABELS

        _out_dir(out_dir)
        report = run_demo(out_dir, console=err)
        out.print(f"report: {report}", highlight=False)
        _print_summary(out_dir / "case.duckdb",
                       f"Next: open {report} in a browser, and measure the run against the "
                       f"planted campaign with `inconcert evaluate {out_dir} --labels "
                       f"{out_dir / 'data' / LABELS}`.")

    _guard(body)


@app.command()
def formats() -> None:
    """List the input formats inconcert reads."""
    from .ingest.registry import readers

    for name, cls in readers().items():
        out.print(f"{name:<16} {cls.description}", highlight=False)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"inconcert {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(version: Annotated[bool, typer.Option(
        "--version", callback=version_callback, is_eager=True, help="Show the version.")] = False
                 ) -> None:
    """inconcert: find coordinated inauthentic networks and explain every flag."""


def main() -> None:
    """Console entry point."""
    try:
        app(standalone_mode=True)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
        sys.exit(code)


@app.command()
def detect(out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")],
           db: Annotated[Path | None, typer.Option("--db", help="Case database (.duckdb).")]
           = None,
           config_file: ConfigOpt = None, overrides: SetOpt = None,
           dataset: DatasetOpt = None, engine: EngineOpt = None, master: MasterOpt = None,
           spark_conf: SparkConfOpt = None) -> None:
    """Find coordinated networks in a case and write accounts.csv, networks.csv, edges.csv and
    findings.json."""

    def body() -> None:
        from .config import load
        from .detect import detect as run_detect

        if (db is None) == (dataset is None):
            raise InputError("give --db (a case database) or --dataset (one of the two)")
        cfg = load(config_file, _engine_sets(overrides, engine))
        _out_dir(out_dir)
        where, case = _dataset_case(dataset, out_dir) if dataset else (None, db)
        with _trace_engine(cfg, master, spark_conf, where) as eng:
            for p in run_detect(case, out_dir, cfg, console=err, engine=eng):
                err.print(f"wrote {p}", highlight=False)

    _guard(body)


@app.command()
def evaluate(out_dir: Annotated[Path, typer.Argument(
                 help="Output directory of `inconcert run` or `detect` (holds accounts.csv).")],
             labels: Annotated[Path, typer.Option(
                 "--labels", help="Ground truth CSV: account_id,label[,role].")],
             as_json: Annotated[bool, typer.Option(
                 "--json", help="Print the measures as JSON instead of a table.")] = False,
             ) -> None:
    """Precision, recall and F1 of `flagged`, ROC AUC of `score` and precision at k, overall
    and per role, against labels (positive = any label but organic/human/genuine/...)."""

    def body() -> None:
        import json

        from rich.table import Table

        from .evaluate import evaluate as run_evaluate

        ev = run_evaluate(out_dir, labels)
        if as_json:
            out.print_json(json.dumps(ev.as_dict(), sort_keys=True))
            return

        def f(x: float | None) -> str:
            return "n/a" if x is None else f"{x:.3f}"

        out.print(f"labelled {ev.n_labelled}  positives {ev.n_positive}  flagged {ev.n_flagged}"
                  f"  true positives {ev.true_positive}", highlight=False)
        out.print(f"precision {f(ev.precision)}  recall {f(ev.recall)}  F1 {f(ev.f1)}  "
                  f"ROC AUC {f(ev.auc)}", highlight=False)
        out.print("precision at k: " + "  ".join(f"@{k} {f(v)}"
                                                for k, v in ev.precision_at.items()),
                  highlight=False)
        if ev.missing_from_output or ev.unlabelled_in_output:
            out.print(f"labelled but absent from accounts.csv: {ev.missing_from_output}; "
                      f"in accounts.csv without a label: {ev.unlabelled_in_output}",
                      highlight=False)
        table = Table("label", "role", "n", "flagged", "share flagged", "mean score",
                      "AUC vs negatives")
        for r in ev.roles:
            table.add_row(r["label"], r["role"], str(r["n"]), str(r["flagged"]),
                          f(r["flagged_share"]), f(r["mean_score"]), f(r["auc_vs_negatives"]))
        out.print(table)

    _guard(body)


@app.command("config")
def show_config(config_file: ConfigOpt = None, overrides: SetOpt = None) -> None:
    """Print every parameter with its default (or the given file's and --set values) and its
    documentation, as TOML that --config accepts."""

    def body() -> None:
        from .config import load

        sys.stdout.write(load(config_file, overrides or []).to_toml())

    _guard(body)


@app.command()
def faces(paths: Annotated[list[Path], typer.Argument(
              help="Image files or folders (searched recursively).")],
          threshold: Annotated[float, typer.Option(
              help="Eye distance below which a face is consistent with a GAN face.")] = 0.02,
          cnn: Annotated[bool, typer.Option(
              "--cnn/--no-cnn", help="Retry with dlib's CNN face detector when HOG finds no "
                                     "face (about 1 s per such image).")] = True,
          ) -> None:
    """The eye-position test for StyleGAN-family profile photos: CSV on stdout, one row per
    image (path,faces,eye_distance,gan_like). `true` is consistent with a GAN face, never proof;
    `unknown` when there is not exactly one face or the image cannot be read. Needs the
    optional `faces` extra (docs/faces.md)."""

    def body() -> None:
        from .faces.cli import summary, write_faces_csv

        counts = write_faces_csv(paths, sys.stdout, threshold=threshold, cnn_fallback=cnn)
        err.print(summary(counts, threshold), highlight=False, soft_wrap=True)

    _guard(body)


def _add_avatars(db: Path, avatars: Path | None) -> None:
    """Attach avatar images (folder or manifest) and hash avatar paths the data gave."""
    from .ingest.avatars import hash_listed_avatars, ingest_avatars
    from .store import Store

    with Store(db) as store:
        if avatars is not None:
            r = ingest_avatars(store, avatars)
            if r.skipped:
                err.print(f"{r.path}: skipped, {r.notes[0]}", highlight=False)
            else:
                err.print(f"{r.path}: avatars: {r.rows_in} images in, {r.rows_stored} attached "
                          f"to accounts, {r.rows_quarantined} quarantined", highlight=False)
        n = hash_listed_avatars(store)
    if n:
        err.print(f"hashed {n} avatar files named in the data", highlight=False)


compat_app = typer.Typer(no_args_is_help=True,
                         help="Reproduce other tools' outputs exactly on a case database.")
app.add_typer(compat_app, name="compat")


@compat_app.command("cnt")
def compat_cnt(
        db: Annotated[Path, typer.Option("--db", help="Case database (.duckdb).")],
        out_dir: Annotated[Path, typer.Option("--out", help="Output directory.")],
        networks: Annotated[list[str] | None, typer.Option(
            "--network", help="co_retweet, co_tweet, co_link or co_reply (repeatable; "
                              "default: all four).")] = None,
        time_window: Annotated[float, typer.Option(
            help="Window in seconds, inclusive (the peer's CLI defaults to 1).")] = 60.0,
        min_edge_weight: Annotated[int, typer.Option(
            help="Smallest edge weight kept (messages of the source).")] = 2,
        include_self_loops: Annotated[bool, typer.Option(
            help="Keep self-loops, as the peer's --include_self_loops.")] = False,
        empty_url_defect: Annotated[bool, typer.Option(
            help="Reproduce the peer's empty-URL defect in co_link: every message without a "
                 "URL shares the URL ''. Links unrelated accounts; only for comparing with "
                 "old results.")] = False,
        clock: Annotated[str, typer.Option(
            help="'declared': the source's own timestamps (the peer's CSV); 'canonical': "
                 "the case's best time (the Snowflake clock the peer uses for JSON).")
                         ] = "declared") -> None:
    """coordination-network-toolkit 1.5.2's networks, computed exactly on a case: one
    `<network>.csv` per network in its edge layout (source,target,weight,edge_type)."""

    def body() -> None:
        from .compat import cnt
        from .store import Store

        params = cnt.CntParams(time_window, min_edge_weight, include_self_loops,
                               empty_url_defect, clock)
        with Store(db, read_only=True) as store:
            written = cnt.write_networks(store, out_dir, networks or list(cnt.NETWORKS), params)
        if empty_url_defect:
            err.print("note: co_link reproduces the peer's empty-URL defect (link-less messages "
                      "share the URL '')", highlight=False)
        for path, n in written.values():
            err.print(f"wrote {path} ({n} edges)", highlight=False)

    _guard(body)


@app.command()
def export(run_dir: Annotated[Path, typer.Argument(
               help="Output directory of `inconcert run` (holds case.duckdb).")],
           disclosure: Annotated[Path, typer.Option(
               "--disclosure", help="Folder for the flagged accounts and their posts in the "
                                    "IO-archive layout, pseudonymised as platforms do.")],
           salt: Annotated[str | None, typer.Option(
               "--salt", help="Secret mixed into the hashes (the same salt gives the same "
                              "hashes; default: a new random one, printed).")] = None,
           name: Annotated[str, typer.Option(
               "--name", help="File name prefix.")] = "disclosure") -> None:
    """Write a disclosure of the flagged accounts and their posts in the information-operations
    archive layout (users and tweets CSV). Ids, handles and names of accounts under 5,000
    followers are replaced by salted SHA-256 hashes, as in the platforms' releases; `inconcert
    ingest` reads the files back (docs/report.md)."""

    def body() -> None:
        import secrets

        from .exports.disclosure import write_disclosure
        from .narratives.fingerprint import case_db
        from .store import Store

        _out_dir(disclosure)
        key = salt
        if key is None:
            key = secrets.token_hex(16)
            err.print(f"salt (keep it secret; pass --salt {key} to repeat these hashes)",
                      highlight=False)
        with Store(case_db(run_dir), read_only=True) as store:
            for p in write_disclosure(store.con, disclosure, key, name):
                err.print(f"wrote {p}", highlight=False)

    _guard(body)


LibraryOpt = Annotated[Path | None, typer.Option(
    "--library", help="Fingerprint library folder (default: $INCONCERT_LIBRARY, else "
                      "~/.local/share/inconcert/fingerprints).")]


@app.command()
def fingerprint(run_dir: Annotated[Path, typer.Argument(
                    help="Output directory of `inconcert run` (holds case.duckdb).")],
                name: Annotated[str, typer.Option(
                    "--name", help="Name to store the fingerprints under, such as the "
                                   "takedown they come from (letters, digits, . _ -).")],
                library: LibraryOpt = None, config_file: ConfigOpt = None,
                overrides: SetOpt = None) -> None:
    """Store the fingerprint of every network of a run in the local library (one JSON file
    per network: hashtags, domains, sources, text shingles, images, handle and bio templates,
    rhythm, creation batches; see docs/narratives.md). Replaces an earlier one of that name."""

    def body() -> None:
        from .config import load
        from .narratives.fingerprint import default_library, fingerprint_run

        cfg = load(config_file, overrides or [])
        lib = library if library is not None else default_library()
        for p in fingerprint_run(run_dir, name, lib, cfg.section("narratives.fingerprint")):
            err.print(f"wrote {p}", highlight=False)

    _guard(body)


@app.command()
def match(run_dir: Annotated[Path, typer.Argument(
              help="Output directory of `inconcert run` (holds case.duckdb).")],
          library: LibraryOpt = None, config_file: ConfigOpt = None,
          overrides: SetOpt = None) -> None:
    """Score every network of a run against the fingerprint library (a score in [0, 1] per
    network and fingerprint, from per-facet similarities; see docs/narratives.md), write
    matches.csv with the overlapping evidence into the run directory, print the best, and
    rewrite the run's report.html (when it has one) to show them."""

    def body() -> None:
        from rich.table import Table

        from .config import load
        from .narratives.cli import evidence_line, match_run, rerender_report
        from .narratives.fingerprint import default_library

        cfg = load(config_file, overrides or [])
        lib = library if library is not None else default_library()
        path, rows = match_run(run_dir, lib, cfg)
        report = rerender_report(run_dir, cfg)
        floor = cfg.section("narratives.match").min_resemblance
        table = Table("network", "fingerprint", "score", "coverage", "agreeing facets")
        for r in rows:
            if r["rank"] == 1 and r["score"] >= floor:
                table.add_row(escape(r["network_id"]),
                              escape(f"{r['library_name']}/{r['library_network_id']}"),
                              f"{r['score']:.3f}", f"{r['coverage']:.2f}",
                              escape(evidence_line(r)))
            elif r["rank"] == 1:
                table.add_row(escape(r["network_id"]), "no resemblance",
                              f"{r['score']:.3f}", f"{r['coverage']:.2f}",
                              f"best score below {floor}")
        out.print(table)
        err.print(f"wrote {path}", highlight=False)
        if report is not None:
            err.print(f"rewrote {report} with the matches", highlight=False)

    _guard(body)


def _unwrap_help(*apps: typer.Typer) -> None:
    """Help text from the docstrings with their source line breaks removed: rich keeps single
    line breaks, which would cut `--help` lines mid-sentence; the terminal wraps instead."""
    for a in apps:
        for info in a.registered_commands:
            doc = info.help or (info.callback.__doc__ if info.callback else None)
            if doc:
                info.help = "\n\n".join(" ".join(p.split())
                                        for p in inspect.cleandoc(doc).split("\n\n"))


_unwrap_help(app, compat_app)
