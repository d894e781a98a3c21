"""inconcert: expose coordinated inauthentic behaviour in social-media data you already hold."""

import os

__version__ = "0.1.0"

# NumPy asks the kernel for transparent huge pages for every large array (madvise). Where the
# kernel then compacts memory synchronously to find them (its default `defrag` setting, when
# free huge pages are scarce), the first touch of a large array stalls: filling one 800 MB array
# took 2.2-10.5 s (1.4-7.5 s of it in the kernel) on the development machine, 0.8-0.9 s with
# ordinary pages, and the group test of the 10^6-message bench case took 204-219 s instead of
# 137 (docs/benchmarks.md). NumPy reads the variable when it is first imported (numpy.org,
# "Global state"), so this works when inconcert is imported first, as the CLI does; a user's
# own setting is kept.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
