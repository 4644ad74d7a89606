"""progress-bulletin: a static site generator for key-project progress bulletins.

The build is a pipeline of stages, one module each::

    load      content/ -> Documents with source positions      (builder.load)
    validate  Documents -> typed records + Problems           (builder.validate)
    derive    records -> 时序进度, completion, rankings, rates  (builder.derive)

The public surface is small; everything else is an implementation detail.
Each stage is used through its module (`from builder.validate import
validate`); the package itself exports only the values they pass along, so
that `builder.validate` stays the module.
"""

from .content import Bulletin, Content
from .derive import Derived
from .errors import BuildError, BulletinError, ConfigError, Problem
from .numbers import Figure

__all__ = [
    "Content", "Derived", "Bulletin", "Figure", "Problem", "BulletinError", "BuildError",
    "ConfigError",
]

__version__ = "0.1.0"
