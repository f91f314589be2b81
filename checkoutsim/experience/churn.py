"""Revenue at risk from churn, counted over a customer population (each person once a year).

The store's customers are a population of regular shoppers who each visit ``v`` times a year
(``costs.visits_per_year``, or ``customer_value_per_year`` / the mean spend per visit). A
simulated day with ``N`` arriving customers is ``N`` distinct people (nobody visits twice a
day), so over ``D`` open days a year (``costs.open_days_per_year``) the population is
``P = N x D / v`` people. Assumptions (``docs/satisfaction.md``):

* being a detractor is an attitude a person holds for the year, not a fresh draw on every
  visit: the day's share of detractors ``q`` (distinct people) estimates the share of the
  population who are detractors (the loyalty draw behind the NPS class is a trait of the
  person; a checkout that makes detractors on a typical day makes them of the same people);
* a detractor defects within a year with probability ``c`` (``detractor_churn_pct`` / 100),
  once: counting it again on every visit (the old arithmetic: detractors of each day x churn
  x a year's spend, summed over the days) multiplies the risk by the visits a year;
* a defecting customer takes a full year's spend ``v x s`` with them (``s`` = mean spend per
  visit of the day): an upper bound, as one who leaves in June had already spent half of it.

Then expected defectors a year are ``P q c``; revenue at risk a year ``P q c v s = q c x
annual sales`` (annual sales = ``N x D x s``), so it can never exceed annual sales; per day it
is the yearly figure over ``D`` days; margin at risk is revenue at risk x
``gross_margin_pct``. Visits a year change how many people that is, not the money.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ChurnEstimate", "yearly_churn"]


@dataclass(frozen=True)
class ChurnEstimate:
    """Yearly churn of one simulated day's store, extrapolated (see the module docstring).

    Attributes
    ----------
    visits_per_year : float
        Visits a year of one customer.
    population : float
        Distinct customers over a year.
    defect_probability : float
        Chance a customer defects within a year (``q c``), 0 to 1.
    defectors_per_year : float
        Expected customers lost in a year.
    annual_sales : float
        Yearly spend of the population.
    revenue_at_risk_per_year, revenue_at_risk_per_day : float
        Yearly spend of the expected defectors, and that over the open days.
    margin_at_risk_per_year, margin_at_risk_per_day : float
        The same at the gross margin.
    """

    visits_per_year: float
    population: float
    defect_probability: float
    defectors_per_year: float
    annual_sales: float
    revenue_at_risk_per_year: float
    revenue_at_risk_per_day: float
    margin_at_risk_per_year: float
    margin_at_risk_per_day: float

    @property
    def share_of_sales_pct(self) -> float:
        """Revenue at risk as a percentage of annual sales (equals ``100 x p``)."""
        if self.annual_sales <= 0:
            return 0.0
        return 100.0 * self.revenue_at_risk_per_year / self.annual_sales


def yearly_churn(
    customers_per_day: float,
    detractors_per_day: float,
    spend_per_visit: float,
    churn_pct: float,
    *,
    open_days_per_year: int,
    gross_margin_pct: float,
    visits_per_year: float | None = None,
    customer_value_per_year: float | None = None,
) -> ChurnEstimate:
    """Revenue and margin at risk a year and a day, each customer counted once a year.

    Parameters
    ----------
    customers_per_day : float
        Customers arriving on the simulated day (distinct people).
    detractors_per_day : float
        Of them, detractors (or detractors made at the checkout): at most ``customers_per_day``.
    spend_per_visit : float
        Mean spend of one visit (basket x price), including baskets left behind.
    churn_pct : float
        Percent chance a detractor visit makes the customer defect.
    open_days_per_year : int
        Days like this one in a year.
    gross_margin_pct : float
        Margin on sales, percent.
    visits_per_year : float, optional
        Visits a year of one customer; if not given, ``customer_value_per_year /
        spend_per_visit`` (at least 1).
    customer_value_per_year : float, optional
        Yearly spend of one customer (used only without ``visits_per_year``).

    Returns
    -------
    ChurnEstimate
        All zero for a day with no customers or no spend.
    """
    n = max(float(customers_per_day), 0.0)
    if visits_per_year is not None:
        v = float(visits_per_year)
    elif customer_value_per_year is not None and spend_per_visit > 0:
        v = max(customer_value_per_year / spend_per_visit, 1.0)
    else:
        v = 1.0
    if n == 0 or spend_per_visit <= 0:
        return ChurnEstimate(v, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    q = min(max(detractors_per_day / n, 0.0), 1.0)
    c = min(max(churn_pct / 100.0, 0.0), 1.0)
    p = q * c
    days = float(open_days_per_year)
    population = n * days / v
    annual_sales = n * days * spend_per_visit
    at_risk = p * annual_sales
    margin = gross_margin_pct / 100.0
    return ChurnEstimate(
        visits_per_year=v,
        population=population,
        defect_probability=p,
        defectors_per_year=population * p,
        annual_sales=annual_sales,
        revenue_at_risk_per_year=at_risk,
        revenue_at_risk_per_day=at_risk / days,
        margin_at_risk_per_year=at_risk * margin,
        margin_at_risk_per_day=at_risk * margin / days,
    )
