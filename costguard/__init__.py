"""costguard: price a Pulumi preview and plan a stack offline (mocks -> policy pack -> cost)."""
