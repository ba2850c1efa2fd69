"""The `spillguard` command: `app.py` is the Typer app and the list of command families,
`common.py` what they share, and one module per family (`scan`, `gate`, `watch`, `respond`).

Commands parse their options, call one library function with plain arguments, and print what
it returns; the web service and the tests call the same functions. Nothing is imported here,
so a family module can import `common` without loading the others."""
