from callcenter.entrypoints.cli import run

run()
