from callcenter.cli.main import run

run()
