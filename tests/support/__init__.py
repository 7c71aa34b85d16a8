"""What the tests share, whatever folder they sit in: where the repository is (``paths``), running
dbt and the sample (``dbt``), a DuckDB file (``duck``), the raw source (``source``), the board the
source wants (``expected_board``), the sandbox's boards as the mapping makes them
(``sandbox_boards``), an end-to-end run's environment (``pushing``) and the system ODBC rule
(``odbc``)."""
