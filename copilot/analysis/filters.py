"""Image denoising with a physical length scale."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import ndimage as ndi
from scipy.signal import wiener
from skimage.restoration import denoise_nl_means

from copilot.analysis._validate import as_image, noise_sigma, positive
from copilot.analysis.errors import AnalysisError

DenoiseMethod = Literal["gaussian", "median", "nl_means", "wiener"]


def denoise_image(
    image: ArrayLike, pixel_size_nm: float, method: DenoiseMethod = "gaussian", strength_nm: float = 0.05
) -> NDArray[np.float32]:
    """Denoise an image, keeping its units (counts stay counts).

    Parameters
    ----------
    image : array_like, 2-D
        The image.
    pixel_size_nm : float
        Pixel size in nm.
    method : {"gaussian", "median", "nl_means", "wiener"}
        ``gaussian``: sigma = ``strength_nm``; ``median`` and ``wiener``: window of diameter 2 x ``strength_nm``;
        ``nl_means``: patches of 2 x ``strength_nm`` and filtering strength 0.8 x the estimated noise sigma.
    strength_nm : float
        Length scale of the filter in nm (keep it below the size of the features to keep).

    Returns
    -------
    ndarray of float32, same shape
    """
    img = as_image(image)
    px = positive("pixel_size_nm", pixel_size_nm)
    scale_px = positive("strength_nm", strength_nm) / px
    window = max(3, 2 * round(scale_px) + 1)
    if method == "gaussian":
        out = ndi.gaussian_filter(img, scale_px)
    elif method == "median":
        out = ndi.median_filter(img, size=window)
    elif method == "wiener":
        out = wiener(img, mysize=window)
    elif method == "nl_means":
        sigma = noise_sigma(img)
        out = denoise_nl_means(
            img, patch_size=window, patch_distance=2 * window, h=0.8 * sigma, sigma=sigma, fast_mode=True
        )
    else:
        raise AnalysisError(f"unknown method {method!r}; choose gaussian, median, nl_means or wiener.")
    return np.asarray(out, dtype=np.float32)
