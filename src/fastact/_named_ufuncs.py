"""Every kernel ufunc as an attribute of this module, so that they pickle.

pickle stores a ufunc as the first loaded module that has it as an
attribute of its ``__name__``; the kernel modules keep theirs in a dict.
Found here, a ufunc pickles as ``fastact._named_ufuncs.<name>``, a name
that does not depend on the CPU target: a Dask worker on another CPU
unpickles it into the best kernels for its own CPU.
"""

from ._backend import kernels

globals().update(kernels.UFUNCS)
