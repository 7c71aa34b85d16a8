"""What the tests share, whatever folder they sit in: where the repository is (``paths``), a query
on a DuckDB file (``duck``), the sandbox's boards as the mapping makes them (``sandbox_boards``)
and the system ODBC rule (``odbc``)."""
