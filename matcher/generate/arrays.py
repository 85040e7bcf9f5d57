"""Array types of the generator's draws: numpy arrays over volunteers, needs or areas."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
#: Skill levels, volunteers x skills: 0 = no such skill, else 1-3.
LevelArray = npt.NDArray[np.int8]
