"""Tests draw figures without a screen: matplotlib's Agg backend for the test process itself.

(Not MPLBACKEND: kernels started by nbmake or nbclient inherit the environment, and a kernel
with MPLBACKEND=Agg shows no figure at all.)
"""

import matplotlib

matplotlib.use("Agg")
