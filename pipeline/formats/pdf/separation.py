"""RGB to CMYK through the print condition's ICC profile (LittleCMS, through Pillow's
ImageCms), for the brochure's figures: whole images, and single colours of vector drawings.

Photos and drawings are separated with the brand's rendering intent. LittleCMS has no say in
black generation: the profile decides it, and the registered conditions' profiles are built
with maximum grey component replacement and the condition's ink limit (printconditions.py).
On top of that, for print a prepress desk accepts:
- a neutral grey (red, green and blue equal, in an image without a profile of its own, or a
  single colour) prints in black ink only, at the lightness the profile gives it: 100 % grey
  component replacement on the neutral axis, so the lines, labels and grey fills of a chart
  never depend on four plates being in register;
- total ink is held to the brand's limit (`[print] max-ink`): where the four inks add up to
  more, cyan, magenta and yellow are reduced in proportion and black is kept (a shop's
  profile may separate to more than the brand allows);
- a single colour that is exactly a brand colour keeps the brand's own CMYK values."""

from __future__ import annotations

import io
from functools import cached_property
from typing import Any

from PIL import Image, ImageChops, ImageCms, ImageMath

from pipeline.brand import Brand, PrintCondition
from pipeline.errors import UserError

INTENTS = {
    "perceptual": ImageCms.Intent.PERCEPTUAL,
    "relative-colorimetric": ImageCms.Intent.RELATIVE_COLORIMETRIC,
    "saturation": ImageCms.Intent.SATURATION,
    "absolute-colorimetric": ImageCms.Intent.ABSOLUTE_COLORIMETRIC,
}
PDF_INTENTS = {
    "perceptual": "/Perceptual",
    "relative-colorimetric": "/RelativeColorimetric",
    "saturation": "/Saturation",
    "absolute-colorimetric": "/AbsoluteColorimetric",
}
CMYK = tuple[float, float, float, float]
"""Ink values, 0-1."""


class SeparationError(UserError):
    """An image whose colours cannot be separated; the message says why."""


class Separation:
    """Conversions into one print condition, with the brand's intent."""

    def __init__(self, brand: Brand, condition: PrintCondition):
        self.condition = condition
        self.output = ImageCms.getOpenProfile(str(condition.profile))
        self.brand_cmyk = {
            colour.srgb.casefold(): tuple(v / 100 for v in colour.cmyk) for colour in brand.colours
        }
        self._transforms: dict[tuple[bytes, str], ImageCms.ImageCmsTransform] = {}

    @property
    def intent(self) -> str:
        return self.condition.intent

    def image(self, picture: Image.Image) -> Image.Image:
        """`picture` (RGB or CMYK, with or without an embedded profile) in this condition's
        CMYK. An RGB picture without a profile is taken as sRGB; a CMYK one without a
        profile is taken as already separated for this condition."""
        embedded = picture.info.get("icc_profile") or b""
        if picture.mode == "CMYK" and not embedded:
            return picture
        if picture.mode not in ("RGB", "CMYK"):
            raise SeparationError(f"its colour mode {picture.mode} is neither RGB nor CMYK")
        try:
            separated = ImageCms.applyTransform(picture, self._transform(embedded, picture.mode))
        except (ImageCms.PyCMSError, OSError) as error:
            raise SeparationError(f"its colour profile cannot be used ({error})") from None
        assert separated is not None  # applyTransform returns None only when in place
        if picture.mode == "RGB" and not embedded:
            separated = self._greys_in_black(picture, separated)
        return self._within_limit(separated)

    def _greys_in_black(self, picture: Image.Image, separated: Image.Image) -> Image.Image:
        """`separated` with every pixel whose red, green and blue are equal in black ink."""
        red, green, blue = picture.split()
        colourful = ImageChops.lighter(
            ImageChops.difference(red, green), ImageChops.difference(green, blue)
        )
        neutral = colourful.point(lambda difference: 255 if difference == 0 else 0)
        if not neutral.getbbox():
            return separated
        no_ink = Image.new("L", picture.size, 0)
        black = red.point([round(k * 255) for k in self._black_for_grey])
        in_black = Image.merge("CMYK", (no_ink, no_ink, no_ink, black))
        return Image.composite(in_black, separated, neutral)

    def _within_limit(self, separated: Image.Image) -> Image.Image:
        """Cyan, magenta and yellow reduced in proportion wherever the four inks add up to
        more than the limit; black as it was."""
        limit = round(self.condition.ink_limit / 100 * 255)
        cyan, magenta, yellow, black = (band.convert("I") for band in separated.split())
        total = ImageMath.lambda_eval(
            lambda a: a["c"] + a["m"] + a["y"] + a["k"], c=cyan, m=magenta, y=yellow, k=black
        )
        if total.getextrema()[1] <= limit:
            return separated

        def scale(a: dict[str, Any]) -> Any:
            colour = a["float"](a["c"] + a["m"] + a["y"])
            room = a["float"](limit - a["k"])
            factor = a["min"](room / a["max"](colour, 1.0), 1.0)
            return a["convert"](a["band"] * a["max"](factor, 0.0), "L")

        reduced = [
            ImageMath.lambda_eval(scale, band=band, c=cyan, m=magenta, y=yellow, k=black)
            for band in (cyan, magenta, yellow)
        ]
        return Image.merge("CMYK", (*reduced, black.convert("L")))

    def colour(self, red: float, green: float, blue: float) -> CMYK:
        """One sRGB colour (0-1 each): a brand colour's own CMYK, a grey in black ink, or
        the profile's separation."""
        hex_value = "#{:02x}{:02x}{:02x}".format(*(round(v * 255) for v in (red, green, blue)))
        if hex_value in self.brand_cmyk:
            return self.brand_cmyk[hex_value]  # type: ignore[return-value]
        rgb = tuple(round(v * 255) for v in (red, green, blue))
        pixel = self.image(Image.new("RGB", (1, 1), rgb)).getpixel((0, 0))
        return tuple(round(v / 255, 3) for v in pixel)  # type: ignore[union-attr,return-value]

    @cached_property
    def _black_for_grey(self) -> list[float]:
        """For each sRGB grey level, the black ink (0-1) whose printed lightness (L*) is
        closest, through the profile."""
        lab = ImageCms.createProfile("LAB")
        levels = bytes(range(256))
        zero = bytes(256)
        inks = Image.merge(
            "CMYK", [Image.frombytes("L", (256, 1), b) for b in (zero,) * 3 + (levels,)]
        )
        greys = Image.merge("RGB", [Image.frombytes("L", (256, 1), levels)] * 3)
        to_lab = ImageCms.buildTransform(self.output, lab, "CMYK", "LAB")
        srgb_to_lab = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), lab, "RGB", "LAB")
        printed = _lightness(ImageCms.applyTransform(inks, to_lab))
        wanted = _lightness(ImageCms.applyTransform(greys, srgb_to_lab))
        return [
            round(min(range(256), key=lambda k: abs(printed[k] - level)) / 255, 3)
            for level in wanted
        ]

    def _transform(self, embedded: bytes, mode: str) -> ImageCms.ImageCmsTransform:
        key = (embedded, mode)
        if key not in self._transforms:
            source = (
                ImageCms.getOpenProfile(io.BytesIO(embedded))
                if embedded
                else ImageCms.createProfile("sRGB")
            )
            self._transforms[key] = ImageCms.buildTransform(
                source,
                self.output,
                mode,
                "CMYK",
                renderingIntent=INTENTS[self.intent],
                flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
            )
        return self._transforms[key]


def _lightness(lab: Image.Image | None) -> bytes:
    assert lab is not None
    return lab.getchannel("L").tobytes()
