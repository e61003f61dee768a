from lagesbild_cli.cli import main

main()
