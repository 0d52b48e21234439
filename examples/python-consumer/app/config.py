"""Settings of the service. ERROR_RATE: the share of requests answered 500 (0 in a good release)."""
ERROR_RATE = 0.0
