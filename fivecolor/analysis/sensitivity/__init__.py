"""Uncertainty and sensitivity analysis: is a station yellow because it is weak, or because of a choice?

The composite of the reported month is recomputed under many draws of the choices a
methodologist could reasonably have made (weights, normalisation, aggregation, band cut-offs,
the indicator set), as the statistical audits of composite indicators do [1]_ [2]_:

- :func:`monte_carlo` draws the uncertain inputs declared in ``sensitivity`` of the parameters
  and gives, per station, the median rank, the 5-95 % rank interval and the probability of
  each colour (:func:`station_uncertainty`, :func:`stable_share`);
- :func:`sobol` gives first-order and total Sobol indices of those inputs, estimated by
  :func:`scipy.stats.sobol_indices` (Saltelli et al. 2010 [3]_), at N and 2N samples;
- :func:`cutoff_distances` and :func:`cutoff_shift_counts` say how close each station is to
  the next colour and how many colours move when a cut-off moves;
- :func:`indicator_influence`, :func:`leave_one_out`, :func:`scheme_rankings` and
  :func:`scheme_rank_correlations` say which indicators and which weighting schemes drive the
  ranking (Paruolo, Saisana & Saltelli 2013 [4]_).

Every uncertain input is a function of one uniform draw on [0, 1): a discrete choice
(normalisation, aggregation, left-out indicator, weighting scheme) takes the slot the draw falls
in, a cut-off shift is uniform on ``±cutoff_shift``, and the weights are Dirichlet, built from
independent Gamma variates by their inverse distribution function. The same mapping serves the
Monte Carlo (uniforms from a seeded generator) and the Sobol design (scipy's scrambled Sobol'
points), so both analyse the same model. All samples of one (normalisation, aggregation) pair
are evaluated as one array, in chunks that bound memory; nothing loops over stations or samples.

The modules, one job each: :mod:`.schemes` (the weighting schemes' weights and rankings),
:mod:`.engine` (many composites, ranks and bands at once), :mod:`.draws` (the uncertain inputs
and their decoding), :mod:`.uncertainty` (the Monte Carlo), :mod:`.sobol_analysis` (the Sobol
indices), :mod:`.cutoffs` and :mod:`.influence` (indicator influence, leave one out). This
package re-exports their public names.

References
----------
.. [1] OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
   Guide*. OECD Publishing, sections 1.7 and 7 (uncertainty and sensitivity analysis).
.. [2] Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity analysis
   techniques as tools for the quality assessment of composite indicators. *Journal of the
   Royal Statistical Society A*, 168(2), 307-323.
.. [3] Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. & Tarantola, S. (2010).
   Variance based sensitivity analysis of model output. Design and estimator for the total
   sensitivity index. *Computer Physics Communications*, 181(2), 259-270.
.. [4] Paruolo, P., Saisana, M. & Saltelli, A. (2013). Ratings and rankings: voodoo or
   science? *Journal of the Royal Statistical Society A*, 176(3), 609-634.
"""

from __future__ import annotations

from fivecolor.analysis.sensitivity.cutoffs import cutoff_distances, cutoff_shift_counts
from fivecolor.analysis.sensitivity.draws import CHUNK_CELLS, Draws
from fivecolor.analysis.sensitivity.influence import indicator_influence, leave_one_out
from fivecolor.analysis.sensitivity.schemes import (
    check_ahp,
    normalised_month,
    scheme_rank_correlations,
    scheme_rankings,
    scheme_weights,
)
from fivecolor.analysis.sensitivity.sobol_analysis import (
    COLOUR_OUTPUTS,
    SOBOL_OUTPUTS,
    aggregated_indices,
    colour_sobol,
    sobol,
    sobol_indices,
)
from fivecolor.analysis.sensitivity.uncertainty import (
    STATION_COLUMNS,
    UncertaintyResult,
    monte_carlo,
    rescore_sample,
    stable_share,
    station_uncertainty,
)

__all__ = [
    "CHUNK_CELLS",
    "COLOUR_OUTPUTS",
    "SOBOL_OUTPUTS",
    "STATION_COLUMNS",
    "Draws",
    "UncertaintyResult",
    "aggregated_indices",
    "check_ahp",
    "colour_sobol",
    "cutoff_distances",
    "cutoff_shift_counts",
    "indicator_influence",
    "leave_one_out",
    "monte_carlo",
    "normalised_month",
    "rescore_sample",
    "scheme_rank_correlations",
    "scheme_rankings",
    "scheme_weights",
    "sobol",
    "sobol_indices",
    "stable_share",
    "station_uncertainty",
]
