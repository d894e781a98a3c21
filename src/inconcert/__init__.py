"""inconcert: expose coordinated inauthentic behaviour in social-media data you already hold."""

import os

__version__ = "0.1.0"

# NumPy asks the kernel for transparent huge pages for every large array (madvise). Where the
# kernel then compacts memory synchronously to find them (its default `defrag` setting, with
# memory fragmented by the page cache of the files a run reads), the first touch of a large
# array stalls: 2-10 s of system time for one 800 MB array on the 2-core CI machine, against
# 0.5-0.8 s with ordinary pages, and the group test of the 10^6-message bench case took
# 205-219 s instead of 142 (docs/benchmarks.md). NumPy reads the variable when it is first
# imported (numpy.org, "Global state"); a user's own setting is kept.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
