"""What the API reads and answers, one module per resource."""
