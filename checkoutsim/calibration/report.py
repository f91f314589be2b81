"""The calibration report: every estimate with its interval, fit plots and the data checks,
as one self-contained HTML page in the style of the run report (``report/html.py``)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from checkoutsim.calibration.estimates import Estimate
from checkoutsim.calibration.kiosk import RESOLVE_FAMILIES
from checkoutsim.calibration.pipeline import Calibrated
from checkoutsim.report.html import figure_html, page_html, section_html, table_html

__all__ = ["calibration_report"]


def _ci(e: Estimate) -> str:
    return f"{e.value:.4g} ({e.low:.4g}-{e.high:.4g})"


def _arrival_figure(done: Calibrated) -> Figure:
    a = done.calibration.arrivals
    fig = Figure(figsize=(8, 3.2))
    ax = fig.add_subplot()
    mid = (np.array(a.starts_min) + np.array(a.ends_min)) / 2 / 60
    rate = np.array([r.value for r in a.rates])
    err = np.array([[r.value - r.low for r in a.rates], [r.high - r.value for r in a.rates]])
    hours = (np.array(a.ends_min) - np.array(a.starts_min)) / 60
    for d in range(a.counts.shape[0]):
        ax.plot(
            mid, a.counts[d] / hours, ".", color="0.7", ms=3, label="one day" if d == 0 else None
        )
    ax.errorbar(mid, rate, yerr=err, fmt="o-", ms=3, capsize=2, label="fitted rate, 95% CI")
    ax.set_xlabel("hours after opening")
    ax.set_ylabel("customers per hour")
    ax.legend()
    fig.tight_layout()
    return fig


def _basket_figure(done: Calibrated) -> Figure:
    b = done.calibration.basket
    fig = Figure(figsize=(8, 3.2))
    ax = fig.add_subplot()
    show = b.values <= np.quantile(np.repeat(b.values, b.counts), 0.99)
    n = b.counts.sum()
    ax.bar(b.values[show], b.counts[show] / n, color="0.75", label="observed")
    for c in b.candidates:
        if c.name != "empirical":
            ax.plot(b.values[show], c.pmf[show], lw=1.2, label=f"{c.name} (AIC {c.aic:,.0f})")
    ax.set_xlabel("items")
    ax.set_ylabel("share of transactions")
    ax.legend()
    fig.tight_layout()
    return fig


def _service_figure(done: Calibrated) -> Figure:
    fits = list(done.calibration.services.values())
    fig = Figure(figsize=(8, 3.2))
    for k, fit in enumerate(fits):
        ax = fig.add_subplot(1, len(fits), k + 1)
        ax.plot(fit.items, fit.work, ".", ms=2, alpha=0.3, color="0.4")
        grid = np.linspace(1, max(fit.items.max(), 2), 50)
        ax.plot(grid, fit.fixed_mean.value + fit.scan_mean.value * grid, "C1", label="fitted mean")
        ax.set_title(f"{fit.channel}: {fit.what}", fontsize=8)
        ax.set_xlabel("items")
        ax.set_ylabel("minutes")
        ax.set_ylim(0, np.quantile(fit.work, 0.995) * 1.1)
        ax.set_xlim(0, np.quantile(fit.items, 0.995) * 1.1)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _resolve_figure(done: Calibrated) -> Figure:
    causes = done.calibration.causes
    fig = Figure(figsize=(8, 2.6 * ((len(causes) + 1) // 2)))
    for k, cause in enumerate(causes):
        ax = fig.add_subplot((len(causes) + 1) // 2, 2, k + 1)
        ax.hist(cause.clear, bins=30, density=True, color="0.75")
        if cause.chosen not in RESOLVE_FAMILIES or not cause.candidates:
            ax.set_title(f"{cause.name}: too few to fit ({cause.clear.shape[0]})", fontsize=8)
            continue
        dist, fixed = RESOLVE_FAMILIES[cause.chosen]
        data = cause.clear[cause.clear > 0] if fixed else cause.clear
        params = dist.fit(data, **fixed)
        grid = np.linspace(0, cause.clear.max(), 200)
        ax.plot(grid, dist.pdf(grid, *params), "C1")
        ax.set_title(f"{cause.name}: {cause.chosen} (KS p={cause.gof_p:.2f})", fontsize=8)
        ax.set_xlabel("minutes to clear")
    fig.tight_layout()
    return fig


def calibration_report(done: Calibrated, *, command: str | None = None) -> str:
    """The calibration report as HTML text."""
    cal = done.calibration
    a = cal.arrivals
    sections = []
    checks = "".join(f"<li>{_escape(n)}</li>" for n in cal.notes) or "<li>no problem found</li>"
    sections.append(section_html("Data checks", f"<ul>{checks}</ul>", "checks"))
    verdict = "overdispersed" if a.overdispersed else "consistent with Poisson"
    rows: list[tuple[object, ...]] = [
        (
            f"{done.scenario.store.open} +{s}-{e} min",
            f"{r.value:.1f}",
            f"{r.low:.1f}-{r.high:.1f}",
            r.n,
            r.method,
        )
        for s, e, r in zip(a.starts_min, a.ends_min, a.rates, strict=True)
    ]
    body = (
        f"<p>Arrivals taken from {_escape(a.source)}. Block length {a.block_min} min (the "
        "finest of 15/30/60 whose quietest block sees at least 30 arrivals a day). Counts only "
        "customers served: balked or abandoned carts leave no till row. Day-to-day dispersion "
        f"test against Poisson: chi-square {a.dispersion_stat:,.1f} on {a.dispersion_df} df, "
        f"p = {a.dispersion_p:.3g} ({verdict}); "
        f"day-level multiplier CV {a.day_cv:.3f}.</p>"
        + table_html(["block", "customers/h", "95% CI", "n", "interval"], rows)
        + table_html(
            ["weekday", "transactions a day (mean)", "sd", "days"],
            [
                (
                    day,
                    f"{r['mean']:,.0f}",
                    "" if r["std"] != r["std"] else f"{r['std']:,.0f}",
                    int(r["size"]),
                )
                for day, r in cal.weekday_totals.iterrows()
            ],
            caption="Days by weekday: calibrate one weekday with --weekday when they differ",
        )
        + figure_html(
            _arrival_figure(done), "Arrival rate per block, each day and fitted", "fig-arrivals"
        )
    )
    sections.append(section_html("Arrival profile", body, "arrivals"))
    b = cal.basket
    rows = [
        (
            c.name,
            c.params,
            f"{c.loglik:,.1f}",
            f"{c.aic:,.1f}",
            f"{c.bic:,.1f}",
            "" if np.isnan(c.chi2) else f"{c.chi2:.1f}",
            "" if np.isnan(c.chi2_p) else f"{c.chi2_p:.3g}",
        )
        for c in b.candidates
    ]
    body = (
        f"<p>Chosen by AIC: <b>{b.chosen}</b>"
        + (f", mean {_ci(b.mean)}, sd {_ci(b.sd)}" if b.mean and b.sd else "")
        + ". Lognormal and gamma are fitted as the model draws baskets: rounded to whole "
        "items and at least 1.</p>"
        + table_html(
            ["candidate", "parameters", "log-likelihood", "AIC", "BIC", "chi-square", "p"], rows
        )
        + figure_html(_basket_figure(done), "Basket sizes and the candidate fits", "fig-basket")
    )
    sections.append(section_html("Basket size", body, "basket"))
    rows = []
    for fit in cal.services.values():
        rows += [
            (fit.channel, "fixed, mean", _ci(fit.fixed_mean), fit.fixed_mean.n),
            (fit.channel, "fixed, sd", _ci(fit.fixed_sd), fit.fixed_sd.n),
            (fit.channel, "scan per item, mean", _ci(fit.scan_mean), fit.scan_mean.n),
            (fit.channel, "scan per item, sd", _ci(fit.scan_sd), fit.scan_sd.n),
        ]
    body = (
        "<p>Huber regression (scipy.optimize.least_squares, k = 3 sd) of scanning work on "
        "items, residuals weighted by the fitted variance fixed_sd² + scan_sd² × items; "
        "outliers flagged in the data checks are left out.</p>"
        + table_html(["channel", "figure (min)", "estimate (95% CI)", "n"], rows)
        + figure_html(
            _service_figure(done),
            "Scanning work against items, with the fitted mean",
            "fig-service",
        )
    )
    if cal.payment is not None:
        p = cal.payment
        body += table_html(
            ["payment method", "share (95% CI)", "mean tender min (95% CI)", "n"],
            [
                (m, _ci(s), _ci(t), t.n)
                for m, s, t in zip(p.methods, p.shares, p.times, strict=True)
            ],
        )
    sections.append(section_html("Service times", body, "service"))
    ch = cal.channels
    pref = cal.preferences
    said = (
        f"Preference shares by the simulated method of moments ({pref.cells} hour x basket "
        f"cells, {len(pref.grid)} variants of {pref.days_simulated} simulated days): never "
        f"kiosk {_ci(pref.never)}, prefer kiosk {_ci(pref.prefer)}."
        if pref is not None
        else "The preference shares (never / prefer kiosk) are not fitted (add "
        "--fit-preferences to fit them by simulation) and stay as in the base scenario."
    )
    body = (
        f"<p>Largest basket seen at a kiosk: {ch.kiosk_max_items} (written as the kiosk item "
        f"limit); {ch.above_limit_share:.1%} of baskets are larger. {_escape(said)}</p>"
        + table_html(
            ["basket (items)", "kiosk share (95% CI)", "n"],
            [(band, _ci(s), s.n) for band, s in zip(ch.bands, ch.kiosk_share, strict=True)],
        )
    )
    sections.append(section_html("Channel choice", body, "channels"))
    if cal.causes:
        rows = [
            (
                c.name,
                c.per,
                f"{c.loglik_item:,.1f}",
                f"{c.loglik_transaction:,.1f}",
                _ci(c.probability),
                c.chosen,
                f"{c.gof_p:.2f}",
                _ci(c.resolve_mean),
                _ci(c.resolve_sd),
                _ci(c.remote),
            )
            for c in cal.causes
        ]
        body = (
            "<p>Per item or per transaction: whichever gives the higher likelihood (both have "
            "one parameter). Resolve-time family by AIC among lognormal, gamma, exponential and "
            "uniform (scipy.stats fit), with a Monte Carlo KS goodness-of-fit p-value "
            "(scipy.stats.goodness_of_fit, 199 samples).</p>"
            + table_html(
                [
                    "cause",
                    "per",
                    "loglik per item",
                    "loglik per transaction",
                    "probability (95% CI)",
                    "resolve family",
                    "GOF p",
                    "mean clear min",
                    "sd clear min",
                    "remote share",
                ],
                rows,
            )
            + figure_html(
                _resolve_figure(done), "Clear times by cause, with the chosen fit", "fig-resolve"
            )
        )
        sections.append(section_html("Kiosk interventions", body, "kiosk"))
    sections.append(
        section_html("Calibrated scenario", f"<pre>{_escape(done.yaml)}</pre>", "scenario")
    )
    return page_html(
        f"Calibration: {done.scenario.name}",
        f"{cal.transactions:,} transactions over {cal.days} day(s)",
        sections,
        {"command": command},
    )


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)
