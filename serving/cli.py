"""The ``sohoa`` command line.

Subcommands live next to the code they drive and are imported only when called, so that
``sohoa --help`` and ``sohoa process`` never import training libraries (torch, datasets).
"""
from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of a click command or group
SUBCOMMANDS: dict[str, str] = {
    "process": "sohoa.serving.process_cli:process",
    "schema": "sohoa.serving.process_cli:schema",
    "data": "sohoa.data.cli:data",
    "bench": "sohoa.training.bench_cli:bench",
    "serve": "sohoa.serving.serve_cli:serve",
    "keys": "sohoa.serving.serve_cli:keys",
    "train": "sohoa.training.cli:train",
    "recognizer": "sohoa.training.recognizer.cli:recognizer",
    "eval": "sohoa.training.cli:eval_cmd",
    "export": "sohoa.training.cli:export_cmd",
}

_HELP = {
    "process": "Process scans (PNG, JPEG, TIFF, PDF) into contract result JSON files.",
    "schema": "Print the JSON Schema of a result.",
    "data": "Generate synthetic labelled documents and datasets.",
    "bench": "Benchmark the pipeline on a labelled folder against a peer engine.",
    "serve": "Start the HTTP API and the review page.",
    "keys": "Manage API keys.",
    "recognizer": "Train, evaluate and export the Vietnamese text-line recognizer (corpus, render, train, export, eval).",
    "train": "Train the layout model (document type, fields, line roles) on labelled folders.",
    "eval": "Evaluate a layout model against the rules on a labelled folder.",
    "export": "Export a layout model to ONNX + int8 with a manifest, into the model zoo.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("sohoa"):
                # Subcommand not built in this checkout: say so instead of a traceback. (The
                # message is taken now: Python unbinds ``exc`` when the except block ends.)
                reason = f"'sohoa {name}' is not available: {exc}"
                @click.command(name=name, help=f"(unavailable: {exc.name} is missing)")
                def unavailable() -> None:
                    raise click.ClickException(reason)
                return unavailable
            raise click.ClickException(
                f"'sohoa {name}' needs {exc.name!r}; install the matching extra, "
                f"e.g. pip install 'sohoa[data]' or 'sohoa[train]'") from exc
        return getattr(module, attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing help must not import every subcommand (and its heavy dependencies).
        with formatter.section("Commands"):
            formatter.write_dl([(name, _HELP.get(name, "")) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sohoa")
def main() -> None:
    """sohoa: document intelligence for scanned Vietnamese administrative papers."""


if __name__ == "__main__":
    main()
