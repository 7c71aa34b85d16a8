"""What the tests share, whatever folder they sit in: where the repository is (``paths``), running
dbt and the sample (``dbt``), a DuckDB file (``duck``), the raw source (``source``), the sandbox's
boards as the mapping makes them (``sandbox_boards``) and the system ODBC rule (``odbc``)."""
