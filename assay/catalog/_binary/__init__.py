"""Binary classifiers: the matchers (:mod:`.matchers`) and the table of runtimes they know (:mod:`.classifiers`)."""
