"""RGB to CMYK through the print condition's ICC profile (LittleCMS, through Pillow's
ImageCms), for the brochure's figures: whole images, and single colours of vector drawings.

Photos and drawings are separated with the brand's rendering intent. A single colour that is
exactly a brand colour keeps the brand's own CMYK values, and a neutral grey prints in black
ink only (at the lightness the profile gives it), so thin lines and labels in a drawing never
depend on four plates being in register."""

from __future__ import annotations

import io
from functools import cached_property

from PIL import Image, ImageCms

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
        return separated

    def colour(self, red: float, green: float, blue: float) -> CMYK:
        """One sRGB colour (0-1 each): a brand colour's own CMYK, a grey in black ink, or
        the profile's separation."""
        hex_value = "#{:02x}{:02x}{:02x}".format(*(round(v * 255) for v in (red, green, blue)))
        if hex_value in self.brand_cmyk:
            return self.brand_cmyk[hex_value]  # type: ignore[return-value]
        rgb = tuple(round(v * 255) for v in (red, green, blue))
        if rgb[0] == rgb[1] == rgb[2]:
            return (0.0, 0.0, 0.0, self._black_for_grey[rgb[0]])
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
