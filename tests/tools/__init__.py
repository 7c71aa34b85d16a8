"""The tools users run beside the product (tools/)."""
