"""The report context → HTML, PDF and the xlsx/CSV exports, swapped into the report folder as a set."""
