"""Probability distributions for scenario parameters.

Each distribution is a frozen pydantic model tagged by ``kind`` so a YAML scenario can say::

    payment_min: {kind: lognormal, mean: 0.3, sd: 0.12}

Every distribution knows its ``mean`` and ``second_moment`` (used by the queueing-theory checks)
and draws vectorised samples from a caller-supplied ``numpy.random.Generator``: no distribution
owns or creates randomness.

The unit of a sample is whatever the field that holds the distribution says (minutes for time
fields, items for basket sizes).

Every parameter is bounded so that every draw is a finite number and every moment is computed
without overflow, whatever the file says: parameters lie in [0, :data:`MAX_PARAMETER`], a
lognormal's or gamma's standard deviation lies between :data:`MIN_CV` and :data:`MAX_CV` times
its mean, and an empirical distribution holds at most :data:`MAX_EMPIRICAL_VALUES` values. The
field holding a distribution bounds its mean further (minutes of a service piece, items in a
basket; see :mod:`checkoutsim.scenario.schema`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

# numpy is imported inside the methods that sample: loading and validating a scenario never
# needs it, and `checkoutsim validate` starts faster without it (docs/performance.md).
if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "MAX_CV",
    "MAX_EMPIRICAL_VALUES",
    "MAX_PARAMETER",
    "MIN_CV",
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Gamma",
    "Lognormal",
    "Triangular",
    "Uniform",
    "ValidatedCopy",
    "unvalidated_copy",
]

_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

MAX_PARAMETER = 1e6
"""Largest value of any distribution parameter (a mean, a bound, a value, a weight), whatever
its unit: a million minutes is almost two years, a million items no basket; fields bound their
means far lower."""

MAX_CV = 10.0
"""Largest coefficient of variation (sd / mean) of a lognormal or gamma. Measured checkout
times have CVs of 0.3 to 1.5 and basket sizes about 1.3; 10 keeps a wide margin while the
rarest of a billion lognormal draws stays within about 10,000 times the mean."""

MIN_CV = 1e-6
"""Smallest coefficient of variation of a lognormal or gamma (use ``kind: fixed`` for a
constant): a gamma's shape, 1 / CV^2, stays below 10^12, and its scale, CV^2 x mean, never
underflows to zero."""

MAX_EMPIRICAL_VALUES = 10_000
"""Most values of an empirical distribution: measured times pasted one by one, with room."""

NonNegative = Annotated[float, Field(ge=0, le=MAX_PARAMETER)]
Positive = Annotated[float, Field(gt=0, le=MAX_PARAMETER)]


def _check_cv(mean: float, sd: float, kind: str) -> None:
    cv = sd / mean
    if not MIN_CV <= cv <= MAX_CV:
        raise ValueError(
            f"{kind} needs sd between {MIN_CV:g} and {MAX_CV:g} times its mean (sd / mean = "
            f"{cv:.3g}); for a constant use kind: fixed"
        )


class ValidatedCopy(BaseModel):
    """A model whose ``model_copy(update=...)`` validates the result like a new object.

    pydantic's own ``model_copy`` sets the updated fields without any check, so a frozen,
    validated scenario could silently become one that is not (25 staffed cashiers on 10 lanes).
    Code that must skip validation says so with :func:`unvalidated_copy`.
    """

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, validated again (raises ``ValidationError`` if invalid).

        Updated values may be models or plain data (mappings, lists), as in a file.
        """
        if not update:
            return super().model_copy(deep=deep)
        return type(self).model_validate(_updated(self, update))


def _updated(model: BaseModel, update: Mapping[str, Any]) -> dict[str, Any]:
    """``model`` as plain data with ``update`` set (models in ``update`` become plain data too)."""
    data = model.model_dump(mode="json", by_alias=True)
    data.update({key: _plain(value) for key, value in update.items()})
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


_Model = TypeVar("_Model", bound=BaseModel)


def unvalidated_copy(model: _Model, update: Mapping[str, Any]) -> _Model:
    """A copy of ``model`` with ``update`` set and **not** validated (pydantic's own copy).

    Only for code that reads a few fields of the result on a hot path (the staff hours of a
    plan during a search) and for tests of the model's own guards against invalid input.
    """
    return BaseModel.model_copy(model, update=update)


class _Base(ValidatedCopy):
    model_config = _CONFIG

    @property
    def mean(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def second_moment(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def variance(self) -> float:
        """Variance, from the first two moments."""
        return self.second_moment - self.mean**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:  # pragma: no cover
        """Draw ``size`` independent samples as a float64 array."""
        raise NotImplementedError


class Fixed(_Base):
    """A constant: every draw equals ``value``."""

    kind: Literal["fixed"] = "fixed"
    value: NonNegative

    @property
    def mean(self) -> float:
        return self.value

    @property
    def second_moment(self) -> float:
        return self.value**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        import numpy as np

        # Draw nothing: a fixed value must not consume the stream, or switching one parameter
        # between fixed and random would shift every later draw of the same stream.
        return np.full(size, self.value, dtype=np.float64)


class Exponential(_Base):
    """Exponential with the given ``mean`` (rate = 1 / mean)."""

    kind: Literal["exponential"] = "exponential"
    mean_value: Positive = Field(alias="mean")

    model_config = ConfigDict(**_CONFIG, populate_by_name=True)

    @property
    def mean(self) -> float:
        return self.mean_value

    @property
    def second_moment(self) -> float:
        return 2.0 * self.mean_value**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean_value, size)


class Lognormal(_Base):
    """Lognormal parameterised by its own ``mean`` and standard deviation ``sd``.

    The underlying normal has sigma^2 = ln(1 + sd^2/mean^2) and mu = ln(mean) - sigma^2/2.
    """

    kind: Literal["lognormal"] = "lognormal"
    mean_value: Positive = Field(alias="mean")
    sd: Positive

    model_config = ConfigDict(**_CONFIG, populate_by_name=True)

    @model_validator(mode="after")
    def _spread(self) -> Lognormal:
        _check_cv(self.mean_value, self.sd, "lognormal")
        return self

    @property
    def sigma(self) -> float:
        """Standard deviation of the underlying normal."""
        return math.sqrt(math.log1p((self.sd / self.mean_value) ** 2))

    @property
    def mu(self) -> float:
        """Mean of the underlying normal."""
        return math.log(self.mean_value) - self.sigma**2 / 2.0

    @property
    def median(self) -> float:
        """Median, exp(mu)."""
        return math.exp(self.mu)

    @property
    def mean(self) -> float:
        return self.mean_value

    @property
    def second_moment(self) -> float:
        return self.sd**2 + self.mean_value**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.lognormal(self.mu, self.sigma, size)


class Gamma(_Base):
    """Gamma parameterised by ``mean`` and ``sd`` (shape = (mean/sd)^2, scale = sd^2/mean)."""

    kind: Literal["gamma"] = "gamma"
    mean_value: Positive = Field(alias="mean")
    sd: Positive

    model_config = ConfigDict(**_CONFIG, populate_by_name=True)

    @model_validator(mode="after")
    def _spread(self) -> Gamma:
        _check_cv(self.mean_value, self.sd, "gamma")
        return self

    @property
    def mean(self) -> float:
        return self.mean_value

    @property
    def second_moment(self) -> float:
        return self.sd**2 + self.mean_value**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        shape = (self.mean_value / self.sd) ** 2
        scale = self.sd**2 / self.mean_value
        return rng.gamma(shape, scale, size)


class Triangular(_Base):
    """Triangular on [low, high] with the given ``mode``."""

    kind: Literal["triangular"] = "triangular"
    low: NonNegative
    mode: NonNegative
    high: NonNegative

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError("triangular needs low <= mode <= high and low < high")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    @property
    def second_moment(self) -> float:
        a, c, b = self.low, self.mode, self.high
        var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0
        return var + self.mean**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, size)


class Uniform(_Base):
    """Continuous uniform on [low, high]."""

    kind: Literal["uniform"] = "uniform"
    low: NonNegative
    high: NonNegative

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError("uniform needs low < high")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2.0

    @property
    def second_moment(self) -> float:
        return (self.high - self.low) ** 2 / 12.0 + self.mean**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)


class Empirical(_Base):
    """Discrete empirical distribution: ``values`` drawn with probabilities ``weights``.

    Weights need not sum to one; they are normalised. Omit them for equal weights.
    """

    kind: Literal["empirical"] = "empirical"
    values: list[NonNegative] = Field(min_length=1, max_length=MAX_EMPIRICAL_VALUES)
    weights: list[NonNegative] | None = Field(default=None, max_length=MAX_EMPIRICAL_VALUES)

    @model_validator(mode="after")
    def _weights_match(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"empirical needs one weight per value ({len(self.values)} values, "
                    f"{len(self.weights)} weights)"
                )
            if sum(self.weights) <= 0:
                raise ValueError("empirical weights must not all be zero")
        return self

    def _probabilities(self) -> np.ndarray:
        import numpy as np

        if self.weights is None:
            return np.full(len(self.values), 1.0 / len(self.values))
        w = np.asarray(self.weights, dtype=np.float64)
        return w / w.sum()

    def _weights(self) -> list[float]:
        """Probabilities in plain floats: validating a scenario needs its means, not numpy."""
        if self.weights is None:
            return [1.0 / len(self.values)] * len(self.values)
        total = math.fsum(self.weights)
        return [w / total for w in self.weights]

    @property
    def mean(self) -> float:
        return math.fsum(p * v for p, v in zip(self._weights(), self.values, strict=True))

    @property
    def second_moment(self) -> float:
        return math.fsum(p * v * v for p, v in zip(self._weights(), self.values, strict=True))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        import numpy as np

        return rng.choice(np.asarray(self.values, dtype=np.float64), size, p=self._probabilities())


Distribution = Annotated[
    Fixed | Exponential | Lognormal | Gamma | Triangular | Uniform | Empirical,
    Field(discriminator="kind"),
]
"""Any of the supported distributions, selected by its ``kind`` key."""
