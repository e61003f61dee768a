"""Source contracts: ``lagesbild check-sources`` asks every source for one small, representative answer, runs it
through the parser the pipeline uses and checks what the pipeline relies on (fields and variable codes, types,
code lists, plausible values, the newest period). Every answer is kept, with its URL, time, status and
sha256, in a folder that :func:`lagesbild_cli.contracts.answers.to_fixtures` turns into recorded test fixtures.

One module per source (``polisen``, ``scb``, ``kolada``, ``mcf``, ``geo``, ``bra``) holds its ``check``;
``base`` what they share, ``answers`` the folder of answers, ``run`` the loop over the sources.
"""
